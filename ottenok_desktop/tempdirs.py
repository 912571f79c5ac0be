"""Removing a temporary folder without ever crashing on the way out.

On Windows a file another handle still holds (Chroma's index, SQLite's WAL, an antivirus
scanning a fresh file) cannot be deleted: `PermissionError [WinError 32]`. A leftover temp
folder is harmless; an exception raised while the program exits is not (the windowed
exe would show a dialog, CI would wait for it). So removal retries a few times, after
letting the collector close forgotten handles, and then gives up with a log line.
"""

from __future__ import annotations

import gc
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def remove_tree_quietly(
    path: Path,
    *,
    attempts: int = 5,
    delay_s: float = 0.2,
    rmtree: Callable[[Path], None] = shutil.rmtree,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """True if `path` is gone; False (logged, never raised) if it could not be removed."""
    for attempt in range(1, attempts + 1):
        if not path.exists():
            return True
        try:
            rmtree(path)
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if attempt == attempts:
                log.warning("could not remove the temporary folder %s (%s: %s); it is left behind",
                            path, type(exc).__name__, exc)
                return False
            gc.collect()  # closes file handles of objects nobody references any more
            sleep(delay_s * attempt)
    return not path.exists()
