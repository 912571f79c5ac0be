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
sys.path.insert(0, str(ROOT / "build"))
from icu_trim import trim_icu_data  # noqa: E402  (build/ is not a package: found through sys.path)
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


def elf_debug_sections(path: Path) -> list[str]:
    """Names of the `.debug_*` sections of an ELF file ([] if none, or not ELF64 LE)."""
    return [name for name in elf_section_names(path) if name.startswith(".debug_")]


def elf_section_names(path: Path) -> list[str]:
    """Names of all sections of an ELF file ([] if not ELF64 LE)."""
    import struct

    try:
        with path.open("rb") as handle:
            header = handle.read(64)
            if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
                return []
            shoff, = struct.unpack_from("<Q", header, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", header, 0x3A)
            if not shoff or not shnum or shstrndx >= shnum:
                return []
            handle.seek(shoff)
            table = handle.read(shentsize * shnum)
            names_offset, names_size = struct.unpack_from("<QQ", table, shstrndx * shentsize + 0x18)
            handle.seek(names_offset)
            names = handle.read(names_size)
    except (OSError, struct.error):
        return []
    found = []
    for index in range(shnum):
        name_at, = struct.unpack_from("<I", table, index * shentsize)
        found.append(names[name_at: names.find(b"\0", name_at)].decode("ascii", "replace"))
    return found


def strippable(path: Path) -> bool:
    """Debug sections or a full symbol table (`.symtab`): neither is needed to load or run
    a library (the dynamic linker and Python's import use `.dynsym`)."""
    return any(name.startswith(".debug_") or name == ".symtab" for name in elf_section_names(path))


def strippable_libraries(app_dir: Path) -> list[Path]:
    """Linux: libraries in the folder that still carry debug sections or a symbol table.

    pyenv's libpython and lib-dynload modules and many manylinux wheels (aiohttp,
    multidict, PyStemmer, yaml, ...) ship with DWARF debug info the program never uses;
    others (cryptography's Rust module, Qt's ICU, calamine, numpy's core) keep a full
    `.symtab` (~8 MB in all) that only a debugger reads.
    Libraries auditwheel grafted into `<package>.libs/` are left alone: they are patched
    with patchelf, and stripping such files has corrupted them in the past.
    """
    found = []
    for lib in sorted((app_dir / "_internal").rglob("*.so*")):
        if lib.is_symlink() or not lib.is_file() or any(part.endswith(".libs") for part in lib.parts):
            continue
        if strippable(lib):
            found.append(lib)
    return found


def strip_debug_info(app_dir: Path) -> tuple[int, int]:
    """Linux: `strip --strip-unneeded` the libraries that carry debug sections or `.symtab`.

    Debug sections and the static symbol table go; the dynamic symbols every import and
    `ldd` need stay (`.dynsym`). A native crash's backtrace shows addresses instead of
    function names — the Python traceback (faulthandler, crash.log) is unchanged.
    Windows' DLLs and .pyd files keep their debug info in separate .pdb files.
    Returns (bytes saved, files stripped).
    """
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return 0, 0
    saved = count = 0
    for lib in strippable_libraries(app_dir):
        before = lib.stat().st_size
        if subprocess.call([strip, "--strip-unneeded", str(lib)]) == 0:
            saved += before - lib.stat().st_size
            count += 1
    return saved, count


def link_identical_twin(app_dir: Path, main_name: str = "Ottenok", twin_name: str = "ottenok-cli") -> int:
    """Linux/macOS: make `ottenok-cli` a symbolic link to `Ottenok` when both are identical.

    Both executables carry the same bootloader and the same appended archive of the
    program's Python code (~20 MB); only Windows tells a console exe from a windowed
    one. The bootloader finds its archive through the resolved path, so a link works.
    Returns the bytes saved.
    """
    import filecmp

    main, twin = app_dir / main_name, app_dir / twin_name
    if sys.platform == "win32" or not main.is_file() or not twin.is_file() or twin.is_symlink():
        return 0
    if not filecmp.cmp(main, twin, shallow=False):
        return 0
    size = twin.stat().st_size
    twin.unlink()
    twin.symlink_to(main_name)
    return size


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

    icu_saved, icu_dropped = trim_icu_data(APP_DIR)
    if icu_saved:
        print(f"ICU data trimmed to what Qt uses ({icu_dropped} items dropped): {icu_saved / 1e6:.1f} MB")
    saved, stripped = strip_debug_info(APP_DIR)
    if saved:
        print(f"Stripped debug info and symbol tables from {stripped} libraries: {saved / 1e6:.1f} MB")
    linked = link_identical_twin(APP_DIR)
    if linked:
        print(f"ottenok-cli is a link to the identical Ottenok executable: {linked / 1e6:.1f} MB saved")
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
        "stripped_debug_mb": round(saved / 1e6, 1),
        "icu_trimmed_mb": round(icu_saved / 1e6, 1),
        "linked_twin_mb": round(linked / 1e6, 1),
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
