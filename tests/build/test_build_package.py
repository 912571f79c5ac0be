"""What `make package` does after PyInstaller: strip debug sections and symbol tables, link the identical twin."""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.build._loader import load

build = load("build_package.py")


def _library_with_debug_info() -> Path | None:
    dynload = Path(sysconfig.get_config_var("DESTSHARED") or Path(sys.base_exec_prefix) / "lib" / "lib-dynload")
    for lib in sorted(dynload.glob("*.so")):
        if build.elf_debug_sections(lib):
            return lib
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("strip") is None, reason="ELF + binutils")
def test_debug_sections_are_found_and_stripped_but_wheel_libs_left_alone(tmp_path: Path) -> None:
    source = _library_with_debug_info()
    if source is None:
        pytest.skip("this Python's extension modules carry no debug info")
    internal = tmp_path / "Ottenok" / "_internal"
    (internal / "pkg").mkdir(parents=True)
    (internal / "numpy.libs").mkdir()
    ours = internal / "pkg" / source.name
    grafted = internal / "numpy.libs" / "libopenblas.so"
    shutil.copy(source, ours)
    shutil.copy(source, grafted)
    assert any(name.startswith(".debug_info") for name in build.elf_debug_sections(ours))
    assert build.strippable_libraries(tmp_path / "Ottenok") == [ours]
    before = ours.stat().st_size
    saved, count = build.strip_debug_info(tmp_path / "Ottenok")
    assert count == 1 and saved == before - ours.stat().st_size > 0
    assert build.elf_debug_sections(ours) == [] and build.elf_debug_sections(grafted)
    assert ".symtab" not in build.elf_section_names(ours) and ".dynsym" in build.elf_section_names(ours)
    assert not build.strippable(ours) and build.strippable(grafted)
    # the stripped module still loads
    import importlib.util

    spec = importlib.util.spec_from_file_location(source.name.split(".")[0], ours)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_non_elf_files_have_no_debug_sections(tmp_path: Path) -> None:
    text = tmp_path / "notes.so"
    text.write_text("not a library", encoding="utf-8")
    assert build.elf_debug_sections(text) == []


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps two executables")
def test_identical_twin_becomes_a_link_different_one_stays(tmp_path: Path) -> None:
    app = tmp_path / "Ottenok"
    app.mkdir()
    (app / "Ottenok").write_bytes(b"\x7fELF bootloader + archive")
    (app / "ottenok-cli").write_bytes(b"\x7fELF bootloader + archive")
    assert build.link_identical_twin(app) == len(b"\x7fELF bootloader + archive")
    assert (app / "ottenok-cli").is_symlink() and (app / "ottenok-cli").read_bytes() == (app / "Ottenok").read_bytes()
    assert build.link_identical_twin(app) == 0  # already a link
    (app / "ottenok-cli").unlink()
    (app / "ottenok-cli").write_bytes(b"\x7fELF a different console bootloader")
    assert build.link_identical_twin(app) == 0 and not (app / "ottenok-cli").is_symlink()
