"""Load the packaging helpers in `build/` by path.

`build` is not a package (and the name would clash with PyPA's `build` installed in
the venv), so each helper is loaded from its file under a private module name.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "build"


def load(relative: str) -> ModuleType:
    """`load("pyinstaller_trim.py")` or `load("windows/make_icon.py")`."""
    path = BUILD_DIR / relative
    name = "_ottenok_build_" + relative.replace("/", "_").removesuffix(".py")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
