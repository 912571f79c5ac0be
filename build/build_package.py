"""`make package`: build the onedir folder `dist/Ottenok/` from `pyinstaller.spec`.

Runs PyInstaller with the spec (the same spec serves the Windows workflow), then
prints what was built: the folder size, the biggest parts and the build time, and
writes them to `dist/Ottenok-build.json` so the smoke test and the docs can quote
figures from the last build. Exit code: PyInstaller's (non-zero = failed build).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "pyinstaller.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "work"
APP_DIR = DIST / "Ottenok"
REPORT = DIST / "Ottenok-build.json"
SIZE_GOAL_MB = 300


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def biggest_parts(app_dir: Path, count: int = 12) -> list[tuple[str, int]]:
    """Sizes of the top-level entries of `_internal/` (packages, libraries), largest first."""
    internal = app_dir / "_internal"
    if not internal.is_dir():
        return []
    sizes = []
    for entry in internal.iterdir():
        if entry.is_symlink():  # Linux onedir links libraries to their package folders
            continue
        size = folder_size(entry) if entry.is_dir() else entry.stat().st_size
        sizes.append((entry.name, size))
    return sorted(sizes, key=lambda item: item[1], reverse=True)[:count]


def run_pyinstaller(clean: bool) -> int:
    command = [
        sys.executable, "-m", "PyInstaller", str(SPEC),
        "--noconfirm", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(WORK),
    ]
    if clean:
        command.append("--clean")
    # Build-time imports of the app must not pick up a developer's display or data.
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    return subprocess.call(command, cwd=ROOT, env=env)


def strip_libpython(app_dir: Path) -> int:
    """Linux: drop the debug sections of libpython (pyenv builds keep ~18 MB of them).

    Only libpython: wheels' libraries are often patched by auditwheel/patchelf, and
    stripping those can corrupt them. Windows' python3xx.dll has no debug info.
    Returns the bytes saved.
    """
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return 0
    saved = 0
    for lib in (app_dir / "_internal").glob("libpython3*.so*"):
        if lib.is_symlink() or not lib.is_file():
            continue
        before = lib.stat().st_size
        if subprocess.call([strip, "--strip-debug", str(lib)]) == 0:
            saved += before - lib.stat().st_size
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first (slower)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    code = run_pyinstaller(args.clean)
    seconds = time.perf_counter() - started
    if code != 0:
        print(f"PyInstaller failed with exit code {code} after {seconds:.0f} s", file=sys.stderr)
        return code
    if not APP_DIR.is_dir():
        print(f"PyInstaller reported success but {APP_DIR} does not exist", file=sys.stderr)
        return 1

    saved = strip_libpython(APP_DIR)
    if saved:
        print(f"Stripped debug info from libpython: {saved / 1e6:.1f} MB")
    size = folder_size(APP_DIR)
    parts = biggest_parts(APP_DIR)
    report = {
        "build_seconds": round(seconds, 1),
        "folder": str(APP_DIR),
        "size_bytes": size,
        "size_mb": round(size / 1e6, 1),
        "files": sum(1 for p in APP_DIR.rglob("*") if p.is_file()),
        "biggest": [{"name": name, "mb": round(n / 1e6, 1)} for name, n in parts],
        "platform": sys.platform,
    }
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")

    print(f"\nBuilt {APP_DIR} in {seconds:.0f} s")
    verdict = "within" if size / 1e6 <= SIZE_GOAL_MB else "OVER"
    print(f"Folder size: {size / 1e6:.1f} MB ({verdict} the {SIZE_GOAL_MB} MB goal), {report['files']} files")
    print("Largest parts of _internal/:")
    for name, n in parts:
        print(f"  {n / 1e6:8.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
