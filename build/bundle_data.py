"""The program's own read-only files for the bundle: `data/` (the sample shop) and `resources/`.

PyInstaller takes `(source file, destination folder)` pairs. Files are listed one by
one (not whole folders) so editor and Office leftovers and the generator scripts — `~$inventory.xlsx` lock
files, `.DS_Store`, `__pycache__` — never reach the shop laptop, and a folder that
does not exist yet simply contributes nothing.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED_DIRS: tuple[str, ...] = ("data", "resources")

_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", ".gitignore"})
_JUNK_DIRS = frozenset({"__pycache__", ".git", ".ipynb_checkpoints"})
_JUNK_PREFIXES = ("~$", ".~lock.", ".#")
# Generator scripts (data/make_sample_shop.py, resources/make_icons.py) are source, not data.
_JUNK_SUFFIXES = (".py", ".pyc", ".tmp", ".bak", "~")


def is_junk(relative: Path) -> bool:
    name = relative.name
    if any(part in _JUNK_DIRS for part in relative.parts):
        return True
    return name in _JUNK_NAMES or name.startswith(_JUNK_PREFIXES) or name.endswith(_JUNK_SUFFIXES)


def data_files(root: Path, dirs: tuple[str, ...] = BUNDLED_DIRS) -> list[tuple[str, str]]:
    """`(source, destination dir)` pairs for every real file under `root/<dir>`."""
    pairs: list[tuple[str, str]] = []
    for top in dirs:
        base = root / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not is_junk(relative):
                pairs.append((str(path), relative.parent.as_posix()))
    return pairs
