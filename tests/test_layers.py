"""The layer rule: engine/ and services/ never import Qt — checked on the source and by
importing every engine/services module with Qt made unimportable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ottenok_desktop"
QT = {"PySide6", "qasync", "shiboken6"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > 0 and node.module and node.module.split(".")[0] == "ui":
            names.add("ottenok_desktop.ui")
    return names


def test_engine_and_services_sources_never_import_qt() -> None:
    offenders = []
    for layer in ("engine", "services"):
        for path in (PACKAGE / layer).rglob("*.py"):
            bad = _imports(path) & (QT | {"ottenok_desktop.ui"})
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(bad)}")
            text = path.read_text(encoding="utf-8")
            if "ottenok_desktop.ui" in text or "from ..ui" in text:
                offenders.append(f"{path.relative_to(PACKAGE)}: imports the UI layer")
    assert offenders == []


def test_every_engine_and_services_module_imports_without_qt() -> None:
    script = (
        "import sys, pkgutil, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {sorted(QT)!r}: raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import ottenok_desktop.engine, ottenok_desktop.services\n"
        "for pkg in (ottenok_desktop.engine, ottenok_desktop.services):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "import ottenok_desktop.bootstrap, ottenok_desktop.headless\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def test_import_linter_contracts_hold() -> None:
    """The same rule as a tool sees it (contracts in pyproject.toml), over the whole import graph."""
    import shutil

    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency"
    result = subprocess.run([lint], capture_output=True, text=True, cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
