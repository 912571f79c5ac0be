"""Shop photos' fingerprints kept on disk, so a restart describes only new or changed photos.

Describing one shop photo costs about a quarter of a second of CPU (fingerprint.py), so a
shop with a few hundred photos would pay a minute at every start. Each photo's
fingerprints are stored in the data dir as one small .npz file named by a hash of the
photo's path, holding the key they were made for: the path, the file's size and mtime,
and `FINGERPRINT_VERSION`. A changed photo (size or mtime) or a new fingerprint version
(the descriptors changed in code) does not match its key and is described again; files
of photos no longer listed are pruned. A process-wide memory layer on top keeps one
description per (path, size, mtime) for engines rebuilt in the same process (tests, the
console's restart of the engine).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .fingerprint import FINGERPRINT_VERSION, Fingerprints, catalog_fingerprints

log = logging.getLogger(__name__)

SUFFIX = ".npz"


def _key(path: Path, size: int, mtime_ns: int, version: int) -> str:
    return f"{version}|{size}|{mtime_ns}|{path}"


class PrintCache:
    """One .npz per shop photo in `folder` (blocking; called from the matcher's executor)."""

    def __init__(self, folder: Path, version: int = FINGERPRINT_VERSION) -> None:
        self.folder = Path(folder)
        self.version = version

    def file_for(self, path: Path) -> Path:
        name = hashlib.sha1(str(path).encode("utf-8")).hexdigest()
        return self.folder / f"{name}{SUFFIX}"

    def load(self, path: Path, size: int, mtime_ns: int) -> Fingerprints | None:
        """The stored fingerprints if they were made for this very file and version, else None."""
        try:
            with np.load(self.file_for(path), allow_pickle=False) as stored:
                if str(stored["key"]) != _key(path, size, mtime_ns, self.version):
                    return None
                bits = np.unpackbits(stored["hashes"], axis=1)[:, :int(stored["bits"])].astype(bool)
                return Fingerprints(bits, stored["colors"].astype(np.float64), stored["boxes"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:  # torn or foreign: describe again
            log.warning("photo fingerprint cache entry unreadable (%s), describing again", type(error).__name__)
            return None

    def save(self, path: Path, size: int, mtime_ns: int, prints: Fingerprints) -> None:
        """Write atomically (a crash mid-write leaves the old entry or none, never a torn one)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(buffer, key=np.array(_key(path, size, mtime_ns, self.version)),
                 hashes=np.packbits(prints.hashes, axis=1), bits=np.array(prints.hashes.shape[1]),
                 colors=prints.colors.astype(np.float32), boxes=prints.boxes)
        target = self.file_for(path)
        partial = target.with_suffix(".tmp")
        try:
            partial.write_bytes(buffer.getvalue())
            os.replace(partial, target)
        except OSError as error:  # a full or read-only disk costs a re-description next start, nothing else
            log.warning("photo fingerprint cache not written: %s", type(error).__name__)

    def prune(self, keep: list[Path]) -> int:
        """Remove the entries of photos no longer listed; returns how many."""
        if not self.folder.is_dir():
            return 0
        wanted = {self.file_for(path).name for path in keep}
        removed = 0
        for entry in self.folder.glob(f"*{SUFFIX}"):
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed


_MEMORY: OrderedDict[tuple[str, int, int, int], Fingerprints] = OrderedDict()
MEMORY_ENTRIES = 4096
_MEMORY_LOCK = threading.Lock()  # the matcher's executor has several threads


def describe_file(path: Path, cache: PrintCache | None = None) -> Fingerprints:
    """One shop photo's fingerprints: from memory, else from the disk cache, else described (and stored)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, FINGERPRINT_VERSION if cache is None else cache.version)
    with _MEMORY_LOCK:
        prints = _MEMORY.get(key)
        if prints is not None:
            _MEMORY.move_to_end(key)
            return prints
    prints = cache.load(path, stat.st_size, stat.st_mtime_ns) if cache is not None else None
    if prints is None:
        prints = describe_photo(path)
        if cache is not None:
            cache.save(path, stat.st_size, stat.st_mtime_ns, prints)
    with _MEMORY_LOCK:
        _MEMORY[key] = prints
        while len(_MEMORY) > MEMORY_ENTRIES:
            _MEMORY.popitem(last=False)
    return prints


def forget_in_memory() -> None:
    """Drop the memory layer (a fresh process, as far as the disk cache is concerned)."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def describe_photo(path: Path) -> Fingerprints:
    """Describe one shop photo from its file (the expensive part)."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        return catalog_fingerprints(image)
