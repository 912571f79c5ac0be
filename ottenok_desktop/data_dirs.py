"""Where the program's writable data lives by default, and the one-time move to the local disk.

Windows has two per-user data folders: `%APPDATA%` (Roaming: copied to and from the
domain server at logon/logoff, possibly a network share under folder redirection, where
SQLite's WAL mode does not work) and `%LOCALAPPDATA%` (Local: this disk only). The
database, the Chroma indexes and the logs must be on the local disk, so the default data
dir is `%LOCALAPPDATA%\\Ottenok`. Versions up to 0.1 used `%APPDATA%\\Ottenok`; the first
start of this version moves that folder once (`move_roaming_data`): copy, verify, then
rename the old folder to a dated backup that is never read again.

On Linux and macOS the local and roaming folders are the same (`~/.local/share/Ottenok`,
`~/Library/Application Support/Ottenok`) and nothing moves. `--data-dir` and
`OTTENOK_DATA_DIR` bypass all of this (settings.resolve_data_dir).
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

APP_DIR_NAME = "Ottenok"
MOVED_MARKER = "MOVED-TO-LOCAL-DISK.txt"
DATABASE_NAME = "ottenok.sqlite3"

log = logging.getLogger(__name__)


def local_data_dir() -> Path:
    """`%LOCALAPPDATA%\\Ottenok` on Windows; the usual per-user data dir elsewhere."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))


def roaming_data_dir() -> Path:
    """`%APPDATA%\\Ottenok`, where versions up to 0.1 kept everything."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=True))


class MoveOutcome(StrEnum):
    SAME_FOLDER = "same_folder"  # Linux/macOS: one folder, nothing to move
    NOTHING_THERE = "nothing_there"  # no old roaming data (a fresh install)
    ALREADY_MOVED = "already_moved"  # the marker of an earlier move is there
    LOCAL_IN_USE = "local_in_use"  # both have a database: the local one wins, roaming untouched
    MOVED = "moved"
    FAILED = "failed"  # copy or check failed: nothing changed in roaming, the partial copy removed


@dataclass(frozen=True)
class MoveResult:
    outcome: MoveOutcome
    source: Path
    target: Path
    backup: Path | None = None
    detail: str = ""

    def describe(self) -> str:
        """One English line for the log."""
        text = f"roaming data {self.source} -> {self.target}: {self.outcome.value}"
        if self.backup is not None:
            text += f"; the old folder is kept as {self.backup}"
        return text + (f" ({self.detail})" if self.detail else "")


def _has_content(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def _same_files(source: Path, target: Path) -> str:
    """'' when every file of `source` is in `target` with the same size; else what differs."""
    copied = _files(target)
    for name, size in _files(source).items():
        if copied.get(name) != size:
            return f"{name} was not copied completely"
    return ""


def _merge_back(source: Path, target: Path) -> None:
    """Copy `source` (what the local folder had before the move: logs of an earlier start)
    into `target`, its newer files winning (the roaming originals stay in the backup),
    then drop it. Best effort: only logs are at stake."""
    try:
        shutil.copytree(source, target, dirs_exist_ok=True)
        shutil.rmtree(source)
    except OSError:
        log.warning("could not merge %s into %s; it is left as it is", source, target, exc_info=True)


def _same_path(a: Path, b: Path) -> bool:
    try:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
    except (OSError, ValueError):
        return False


def move_roaming_data(local: Path, roaming: Path, now: datetime | None = None) -> MoveResult:
    """Move the old roaming data folder to the local one, once; never loses data.

    1. copy `roaming` into a staging folder next to `local` and check every file arrived
       with its size;
    2. rename the staging folder into place (an existing `local` without a database, e.g.
       logs of an earlier start, is set aside first and merged back, its files winning);
    3. rename `roaming` to `Ottenok (moved to local disk YYYY-MM-DD HHMM)`, the backup;
       if Windows refuses (a file open elsewhere), leave it and write the marker file
       into it instead, so the move is not repeated.
    A failure before step 3 removes the partial copy and leaves `roaming` as it was:
    the program then starts on `local` (empty) and the log says why.
    """
    if _same_path(local, roaming):
        return MoveResult(MoveOutcome.SAME_FOLDER, roaming, local)
    if (roaming / MOVED_MARKER).is_file():
        return MoveResult(MoveOutcome.ALREADY_MOVED, roaming, local)
    if not _has_content(roaming):
        return MoveResult(MoveOutcome.NOTHING_THERE, roaming, local)
    if (local / DATABASE_NAME).exists():
        return MoveResult(MoveOutcome.LOCAL_IN_USE, roaming, local,
                          detail="both folders have a database; the local one is used, the roaming one is left as is")
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H%M")
    staging = local.with_name(local.name + ".moving")
    try:
        local.parent.mkdir(parents=True, exist_ok=True)
        if staging.exists():
            shutil.rmtree(staging)
        shutil.copytree(roaming, staging)
        problem = _same_files(roaming, staging)
        if problem:
            raise OSError(problem)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return MoveResult(MoveOutcome.FAILED, roaming, local, detail=f"{type(exc).__name__}: {exc}")
    # The complete copy goes into place in one rename; what the local folder already had
    # (no database: logs of a start before the move) is merged back.
    aside = local.with_name(local.name + ".before-move") if local.exists() else None
    try:
        if aside is not None:
            if aside.exists():
                shutil.rmtree(aside)
            os.replace(local, aside)
        os.replace(staging, local)
    except OSError as exc:
        if aside is not None and aside.exists() and not local.exists():
            os.replace(aside, local)
        shutil.rmtree(staging, ignore_errors=True)
        return MoveResult(MoveOutcome.FAILED, roaming, local, detail=f"{type(exc).__name__}: {exc}")
    if aside is not None:
        _merge_back(aside, local)
    backup = roaming.with_name(f"{roaming.name} (moved to local disk {stamp})")
    try:
        os.replace(roaming, backup)
    except OSError as exc:
        try:
            (roaming / MOVED_MARKER).write_text(
                f"Moved to {local} on {stamp}. This folder is a backup; the program no longer reads it.\n",
                encoding="utf-8")
        except OSError:
            log.warning("could not mark %s as moved", roaming, exc_info=True)
        return MoveResult(MoveOutcome.MOVED, roaming, local, backup=roaming,
                          detail=f"could not rename the old folder ({type(exc).__name__}); marked it instead")
    return MoveResult(MoveOutcome.MOVED, roaming, local, backup=backup)
