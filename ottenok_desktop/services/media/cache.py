"""Voice notes kept on the local disk: downloaded once, played and re-transcribed offline.

A downloaded voice note is stored under `<data dir>/voice/<chat>/<message id><ext>` (the
chat folder is the chat id made safe for a file name). The transcription reads it from
there when a turn is decided again (a refused stock hold, a restart before the commit),
and the console's «▶ Прослушать» opens the local file — the second play, and every play
while GREEN-API's link has expired or the network is down, needs no download.

Bounded: a file larger than `max_file_bytes` is not kept (it is still transcribed); files
older than `max_age_days` go first, then the oldest until the folder is under
`max_total_bytes`. Pruning runs after a store at most once per `prune_interval` seconds,
and at start. All disk work runs in the executor given (never on the loop).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import Callable

from ottenok_desktop.engine.media import MediaError, MediaFetcher

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^0-9A-Za-z@._-]+")
_EXTENSIONS = {".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wav", ".amr", ".webm", ".mp4"}


def chat_folder(chat_id: str) -> str:
    """'77011234567@c.us' stays as it is; anything else unsafe in a file name becomes '_'."""
    return _UNSAFE.sub("_", chat_id).strip("._") or "chat"


def extension(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in _EXTENSIONS else ".ogg"


class VoiceCache:
    def __init__(self, root: Path, executor: Executor, fetcher: MediaFetcher, *,
                 max_file_bytes: int = 16 * 1024 * 1024, max_total_bytes: int = 200 * 1024 * 1024,
                 max_age_days: float = 60.0, prune_interval: float = 3600.0,
                 now: Callable[[], float] = time.time) -> None:
        self.root = Path(root)
        self._executor = executor
        self._fetcher = fetcher
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self.max_age_seconds = max_age_days * 86400
        self.prune_interval = prune_interval
        self._now = now
        self._pruned_at: float | None = None

    async def aclose(self) -> None:
        close = getattr(self._fetcher, "aclose", None)
        if close is not None:
            await close()

    # ---- the MediaFetcher the turn uses ------------------------------------------------------
    async def fetch(self, url: str, *, chat_id: str = "", message_id: int = 0, name: str = "") -> bytes:
        """The voice note's bytes: the local copy when there is one, else downloaded and kept."""
        if not (chat_id and message_id):
            return await self._fetcher.fetch(url)
        loop = asyncio.get_running_loop()
        cached = await loop.run_in_executor(self._executor, self._read, chat_id, message_id)
        if cached is not None:
            return cached
        data = await self._fetcher.fetch(url)
        await loop.run_in_executor(self._executor, self._store, chat_id, message_id, name or url, data)
        return data

    # ---- the console's play button ---------------------------------------------------------------
    async def local_copy(self, chat_id: str, message_id: int, url: str, name: str = "") -> Path | None:
        """A file to play: the kept copy, or downloaded now and kept; None when it cannot be had."""
        loop = asyncio.get_running_loop()
        path = await loop.run_in_executor(self._executor, self._find, chat_id, message_id)
        if path is not None:
            return path
        if not url.startswith(("http://", "https://")):
            return None
        try:
            data = await self._fetcher.fetch(url)
        except MediaError as error:
            log.warning("voice note %s cannot be downloaded to play: %s", message_id, error)
            return None
        return await loop.run_in_executor(self._executor, self._store, chat_id, message_id, name or url, data)

    async def prune(self) -> int:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.prune_now)

    # ---- blocking parts (executor) -----------------------------------------------------------------
    def _find(self, chat_id: str, message_id: int) -> Path | None:
        folder = self.root / chat_folder(chat_id)
        try:
            for entry in folder.iterdir():
                if entry.stem == str(message_id) and entry.suffix != ".part":
                    return entry
        except OSError:
            return None
        return None

    def _read(self, chat_id: str, message_id: int) -> bytes | None:
        path = self._find(chat_id, message_id)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _store(self, chat_id: str, message_id: int, name: str, data: bytes) -> Path | None:
        if len(data) > self.max_file_bytes or not data:
            log.info("voice note %s not kept: %d bytes (cap %d)", message_id, len(data), self.max_file_bytes)
            return None
        folder = self.root / chat_folder(chat_id)
        target = folder / f"{message_id}{extension(name.split('?', 1)[0])}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            os.replace(partial, target)  # a crash mid-write never leaves a half file under the real name
        except OSError as error:
            log.warning("voice note %s not kept: %s", message_id, type(error).__name__)
            return None
        if self._pruned_at is None or self._now() - self._pruned_at >= self.prune_interval:
            self.prune_now()
        return target

    def prune_now(self) -> int:
        """Remove files older than the age limit, then the oldest until under the total cap."""
        self._pruned_at = self._now()
        files: list[tuple[float, int, Path]] = []
        try:
            for path in self.root.rglob("*"):
                if path.is_file():
                    stat = path.stat()
                    files.append((stat.st_mtime, stat.st_size, path))
        except OSError:
            return 0
        removed = 0
        total = sum(size for _, size, _ in files)
        cutoff = self._now() - self.max_age_seconds
        for mtime, size, path in sorted(files):
            if mtime >= cutoff and total <= self.max_total_bytes:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if removed:
            log.info("voice cache: %d old files removed, %d bytes kept", removed, total)
        return removed
