"""Is the database file sound, and if not, which backup can replace it?

A laptop that lost power mid-write, a bad copy from a USB stick or a sync tool can leave
`ottenok.sqlite3` empty, truncated or not an SQLite file at all. Before the engine opens
it, `inspect_database` looks (the 16-byte SQLite header, the page count the header
promises against the file's size, then SQLite's own `PRAGMA quick_check`) and returns a
`Damage` that says in English and Russian what happened and names the newest sound backup.
`restore_backup` moves the damaged file aside (never overwritten, never deleted) and
copies the backup in. `backup_if_due` keeps a daily copy (`ottenok.sqlite3.bak-v<schema>-
<date>`, the last three kept) so there is always something to restore; migrations keep
their own `ottenok.sqlite3.bak-v<old>` copies.

Blocking file and SQLite work: called before the engine's loop starts, from the CLI, or on
the database thread.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import struct
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
DAILY_KEEP = 3
BACKUP_EVERY = timedelta(hours=20)  # "once a day", also when the shop starts a bit earlier
EXIT_DAMAGED = 4

_DAILY_RE = re.compile(r"\.bak-v\d+-\d{8}-\d{4,6}(-\d+)?$")

# The SQLite errors that mean "this file is damaged" (not "busy" or "locked").
DAMAGE_MARKERS = ("file is not a database", "malformed", "disk image", "file is encrypted")


@dataclass(frozen=True)
class Damage:
    """What is wrong with the database file and what can replace it."""

    path: Path
    code: str  # empty | not_sqlite | truncated | malformed
    detail: str  # SQLite's own words or the sizes that do not add up (English)
    backup: Path | None

    def message_en(self) -> str:
        what = {
            "empty": "the file is empty (0 bytes)",
            "not_sqlite": "the file is not an SQLite database (file is not a database)",
            "truncated": "the file is cut short (truncated)",
            "malformed": "the file is damaged (database disk image is malformed)",
        }[self.code]
        lines = [f"The database {self.path} cannot be used: {what}. {self.detail}".rstrip()]
        lines.append("Likely causes: the computer lost power while writing, or a bad copy of the file.")
        if self.backup is not None:
            lines.append(f"Newest backup: {self.backup.name} ({_when(self.backup)}).")
            lines.append(
                "To restore it (the damaged file is kept, renamed): "
                f"{_program()} --data-dir \"{self.path.parent}\" db restore"
            )
        else:
            lines.append(
                "No backup was found next to it. Move the damaged file away to start with an empty "
                "database, or put a good copy of ottenok.sqlite3 in its place."
            )
        return "\n".join(lines)

    def message_ru(self) -> str:
        what = {
            "empty": "файл пустой (0 байт)",
            "not_sqlite": "это не файл базы данных SQLite",
            "truncated": "файл обрезан — записан не до конца",
            "malformed": "файл повреждён",
        }[self.code]
        lines = [f"База данных программы повреждена: {what}.", f"Файл: {self.path}"]
        lines.append("Так бывает, если компьютер выключился во время записи или файл скопировали с ошибкой.")
        if self.backup is not None:
            lines.append(f"Последняя резервная копия: {self.backup.name} (от {_when(self.backup)}).")
            lines.append(
                f"Восстановить из неё: {_program()} "
                f"--data-dir \"{self.path.parent}\" db restore — повреждённый файл не удаляется, а переименовывается."
            )
        else:
            lines.append(
                "Резервной копии рядом нет. Уберите повреждённый файл из папки, чтобы начать с пустой базы, "
                "или положите на его место исправную копию ottenok.sqlite3."
            )
        return "\n".join(lines)


class DatabaseDamaged(Exception):
    """Raised by the open path when SQLite finds the file damaged."""

    def __init__(self, damage: Damage) -> None:
        self.damage = damage
        super().__init__(f"database damaged ({damage.code}): {damage.path}")


def _program() -> str:
    """How the user starts this program: the packaged executable or the Python module."""
    if getattr(sys, "frozen", False):
        return f"\"{sys.executable}\""
    return "python -m ottenok_desktop"


def _when(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).strftime("%d.%m.%Y %H:%M")
    except OSError:
        return "?"


def is_damage_error(exc: BaseException) -> bool:
    """Does this SQLite/peewee error mean a damaged file (rather than locked or busy)?"""
    text = str(exc).lower()
    return any(marker in text for marker in DAMAGE_MARKERS)


def _file_problem(path: Path) -> tuple[str, str] | None:
    """(code, detail) from the header and the size alone, or None if they look right."""
    size = path.stat().st_size
    if size == 0:
        return ("empty", "")
    with path.open("rb") as handle:
        header = handle.read(HEADER_SIZE)
    if len(header) < len(SQLITE_MAGIC):
        if SQLITE_MAGIC.startswith(header):
            return ("truncated", f"Only {size} bytes.")
        return ("not_sqlite", "")
    if header[: len(SQLITE_MAGIC)] != SQLITE_MAGIC:
        return ("not_sqlite", "")
    if len(header) < HEADER_SIZE:
        return ("truncated", f"Only {size} bytes, less than the {HEADER_SIZE}-byte header.")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count, valid_for = (
        struct.unpack(">I", header[24:28])[0],
        struct.unpack(">I", header[28:32])[0],
        struct.unpack(">I", header[92:96])[0],
    )
    # The in-header size is trustworthy only when written by the same change as the counter.
    if page_size >= 512 and page_count and change_counter == valid_for and page_count * page_size > size:
        return ("truncated", f"The header promises {page_count * page_size} bytes, the file has {size}.")
    return None


def _quick_check(path: Path, read_only: bool = False) -> tuple[str, str] | None:
    """SQLite's own check of every page; (code, detail) when it finds damage. Backups are
    opened read-only so checking them leaves no -wal/-shm files behind."""
    try:
        if read_only:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=5)
        else:
            conn = sqlite3.connect(str(path), timeout=5)
    except sqlite3.Error as exc:
        return ("malformed", str(exc)) if is_damage_error(exc) else None
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if not is_damage_error(exc):
            return None  # locked or busy: not damage (another program has it open)
        return ("not_sqlite" if "not a database" in str(exc) else "malformed", f"SQLite: {exc}.")
    finally:
        conn.close()
    result = [str(row[0]) for row in rows]
    if result == ["ok"]:
        return None
    return ("malformed", "SQLite: " + "; ".join(result[:3]))


def _problem(path: Path, read_only: bool = False) -> tuple[str, str] | None:
    return _file_problem(path) or _quick_check(path, read_only)


def backups_of(path: Path) -> list[Path]:
    """Backup files next to the database, newest first (migration and daily copies)."""
    found = [
        p for p in path.parent.glob(f"{path.name}.bak-*")
        if p.is_file() and not p.name.endswith((".tmp", "-wal", "-shm", "-journal"))
    ]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _daily(path: Path) -> list[Path]:
    return [p for p in backups_of(path) if _DAILY_RE.search(p.name)]


def newest_sound_backup(path: Path) -> Path | None:
    """The newest backup that is itself a sound database."""
    for candidate in backups_of(path):
        try:
            if _problem(candidate, read_only=True) is None:
                return candidate
        except OSError:
            continue
        log.warning("backup %s is damaged too; skipping it", candidate.name)
    return None


def inspect_database(path: Path) -> Damage | None:
    """None when the file is sound (or does not exist yet: a first start)."""
    if not path.exists():
        return None
    problem = _problem(path)
    if problem is None:
        return None
    code, detail = problem
    backup = newest_sound_backup(path)
    if code == "empty" and backup is None:
        return None  # a first start that was interrupted before anything was written
    return Damage(path, code, detail, backup)


def damage_from_error(path: Path, exc: BaseException) -> Damage:
    """A Damage for an error SQLite raised while opening or migrating the file."""
    code = "not_sqlite" if "not a database" in str(exc).lower() else "malformed"
    return Damage(path, code, f"SQLite: {exc}.", newest_sound_backup(path))


def _companions(path: Path) -> Iterator[Path]:
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            yield companion


def _free_name(base: Path) -> Path:
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def restore_backup(path: Path, backup: Path, *, now: datetime | None = None) -> Path:
    """Move the damaged file (and its -wal/-shm) aside and copy the backup in.

    Returns where the damaged file went. The backup is copied, not moved, and the copy
    replaces the database in one rename, so an interrupted restore leaves no half file."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    aside = _free_name(path.with_name(f"{path.name}.damaged-{stamp}"))
    incoming = path.with_name(f"{path.name}.restoring")
    shutil.copy2(backup, incoming)
    if path.exists():
        os.replace(path, aside)
    for companion in _companions(path):  # a WAL belongs to the damaged file, not to the backup
        os.replace(companion, aside.with_name(aside.name + companion.name[len(path.name):]))
    os.replace(incoming, path)
    log.warning("database restored from %s; the damaged file is kept as %s", backup.name, aside.name)
    return aside


def backup_if_due(conn: sqlite3.Connection, path: Path | None, schema_version: int,
                  *, now: datetime | None = None) -> Path | None:
    """A consistent copy of the open database (SQLite's backup API) when the newest daily
    copy is older than BACKUP_EVERY; the oldest daily copies beyond DAILY_KEEP are removed."""
    if path is None:
        return None
    now = now or datetime.now()
    daily = _daily(path)
    if daily and now - datetime.fromtimestamp(daily[0].stat().st_mtime) < BACKUP_EVERY:
        return None
    target = _free_name(path.with_name(f"{path.name}.bak-v{schema_version}-{now:%Y%m%d-%H%M%S}"))
    partial = target.with_name(target.name + ".tmp")
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            log.error("database quick_check failed; no daily backup made of a damaged file")
            return None
        copy = sqlite3.connect(str(partial))
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:  # a failed backup must not stop the shop
        log.error("daily database backup failed: %s", exc)
        partial.unlink(missing_ok=True)
        return None
    timestamp = now.timestamp()
    os.utime(target, (timestamp, timestamp))
    for old in _daily(path)[DAILY_KEEP:]:
        old.unlink()
    log.info("daily database backup: %s", target.name)
    return target


def raising_damage(open_fn: Callable[[], None], path: Path | None) -> Callable[[], None]:
    """`open_fn` with SQLite's damage errors turned into DatabaseDamaged (with the backup to offer)."""

    def guarded() -> None:
        try:
            open_fn()
        except Exception as exc:
            if path is not None and is_damage_error(exc):
                raise DatabaseDamaged(damage_from_error(path, exc)) from exc
            raise

    return guarded
