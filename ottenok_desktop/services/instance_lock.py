"""One running program per data dir: a lock file held with an operating-system lock.

A double double-click used to start two programs on one database; the second then hit
"database is locked" in a loop, and both polled the same WhatsApp queue. The first start
takes `<data dir>/ottenok.lock` with an exclusive, non-blocking OS lock (`fcntl.flock` on
Linux/macOS, `msvcrt.locking` on Windows) and keeps it until it exits; the OS drops the lock
when the process dies, however it dies, so a crash never leaves a stale lock behind. The
file also says who holds it (pid, console or headless, since when) for the second start's
message. The file itself is never deleted (deleting a lock file races with the next start).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

LOCK_FILE_NAME = "ottenok.lock"
EXIT_ALREADY_RUNNING = 5
# Windows locks a byte range that others then cannot read: lock a byte far past the text.
_WINDOWS_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the holder wrote it."""

    pid: int
    kind: str  # console | headless
    since: str  # ISO time, local

    def describe_en(self) -> str:
        what = "the console window" if self.kind == "console" else "the headless engine"
        return f"{what}, process {self.pid}, since {self.since[:16].replace('T', ' ')}"

    def describe_ru(self) -> str:
        what = "окно программы" if self.kind == "console" else "программа без окна (сервер)"
        return f"{what}, процесс {self.pid}, запущена {self.since[:16].replace('T', ' ')}"


def _lock(handle: IO[bytes]) -> None:
    """Take the exclusive lock without waiting; OSError when someone else holds it."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        handle.seek(0)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class InstanceLock:
    """`acquire()` once at start; `release()` (or process exit) gives it back."""

    def __init__(self, data_dir: Path, kind: str) -> None:
        self.path = Path(data_dir) / LOCK_FILE_NAME
        self.kind = kind
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, record: bool = True) -> bool:
        """True when this process now owns the data dir; False when another one does.
        `record`: write who holds it (False for a mere check)."""
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)  # no CRT newline translation on Windows
        handle = os.fdopen(os.open(self.path, flags, 0o644), "r+b")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            return False
        if record:
            handle.seek(0)
            handle.truncate()
            info = {"pid": os.getpid(), "kind": self.kind, "since": datetime.now().isoformat(timespec="seconds")}
            handle.write(json.dumps(info).encode())
            handle.flush()
            log.info("data dir lock taken: %s", self.path)
        self._handle = handle
        return True

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock(handle)
        except OSError:  # closing releases it anyway
            pass
        handle.close()

    def holder(self) -> Holder | None:
        """Who holds the lock (None if the file says nothing readable yet)."""
        try:
            raw = self.path.read_bytes()[:4096]
            info = json.loads(raw.rstrip(b"\x00").decode() or "{}")
            return Holder(int(info["pid"]), str(info.get("kind", "")), str(info.get("since", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_held_elsewhere(self) -> bool:
        """Is another process running on this data dir right now? (takes and gives back the lock)"""
        if self._handle is not None:
            return False
        if not self.acquire(record=False):
            return True
        self.release()
        return False

    def already_running_message(self) -> str:
        """English and Russian, for a second start that cannot go on."""
        holder = self.holder()
        en = holder.describe_en() if holder else "another process"
        ru = holder.describe_ru() if holder else "другой процесс"
        folder = self.path.parent
        return (
            f"Ottenok Desktop is already running on this data folder ({folder}): {en}. "
            "Only one program may use a data folder at a time; stop the other one first.\n"
            f"Оттенок уже запущен с этой папкой данных ({folder}): {ru}. "
            "С одной папкой может работать только одна программа — сначала остановите другую."
        )

    def __enter__(self) -> "InstanceLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
