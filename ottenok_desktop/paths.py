"""Where the program's read-only files live, from source and when packaged.

From source, `resources/` and `data/` sit in the repository root next to the package.
In the PyInstaller onedir build they are bundled under the folder PyInstaller unpacks
to (`sys._MEIPASS`, i.e. `<install dir>/_internal`). Everything the program *writes*
(database, indexes, logs, settings) goes to the per-user data dir instead
(`settings.default_data_dir()`), never here: the install folder is replaced on update
and may be read-only.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repository root when running from source: ottenok_desktop/paths.py -> ../
_SOURCE_ROOT = Path(__file__).resolve().parent.parent

SAMPLE_DATA_DIR_NAME = "data"


def is_frozen() -> bool:
    """True inside the PyInstaller build."""
    return bool(getattr(sys, "frozen", False))


def bundle_root() -> Path:
    """The folder that holds `resources/` and `data/`: the repo root or the bundle dir."""
    if is_frozen():
        meipass = getattr(sys, "_MEIPASS", None)
        if meipass:
            return Path(meipass)
        # PyInstaller always sets _MEIPASS; this is the onedir layout it uses (>= 6.0).
        return Path(sys.executable).resolve().parent / "_internal"
    return _SOURCE_ROOT


def sample_data_dir() -> Path:
    """The bundled sample shop (inventory.xlsx, knowledge_base/, photos/) for demo mode."""
    return bundle_root() / SAMPLE_DATA_DIR_NAME
