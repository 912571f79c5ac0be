"""The Windows version resource always carries the package version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ottenok_desktop
from tests.build._loader import load

version_info = load("version_info.py")


class _Recorded:
    """Stands in for PyInstaller's VSVersionInfo classes (they need pefile, Windows-only)."""

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs


def _evaluate(text: str) -> _Recorded:
    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo", "VarStruct"]
    namespace = {name: (lambda *a, _n=name, **k: _Recorded(_n, *a, **k)) for name in names}
    return eval(compile(text, "version_info.txt", "eval"), {"__builtins__": {}}, namespace)


def test_reads_the_package_version_without_importing() -> None:
    assert version_info.read_version() == ottenok_desktop.__version__


@pytest.mark.parametrize("text, expected", [
    ("0.1.0", (0, 1, 0, 0)), ("1.2", (1, 2, 0, 0)), ("2.3.4.5", (2, 3, 4, 5)),
    ("1.2.3rc1", (1, 2, 3, 0)), ("1.0.0.dev7", (1, 0, 0, 0)), ("v3.1", (3, 1, 0, 0)),
])
def test_version_tuple(text: str, expected: tuple[int, int, int, int]) -> None:
    assert version_info.version_tuple(text) == expected


@pytest.mark.parametrize("bad", ["", "beta", "1.2.3.4.5", "70000.1"])
def test_versions_windows_cannot_hold_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        version_info.version_tuple(bad)


def test_rendered_resource_matches_the_package_version(tmp_path: Path) -> None:
    out = version_info.write_version_info(tmp_path / "vi.txt")
    text = out.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    info = _evaluate(body)
    assert info.kind == "VSVersionInfo"
    ffi = info.kwargs["ffi"]
    expected = version_info.version_tuple(ottenok_desktop.__version__)
    assert ffi.kwargs["filevers"] == expected and ffi.kwargs["prodvers"] == expected
    table = info.kwargs["kids"][0].args[0][0]
    strings = {s.args[0]: s.args[1] for s in table.args[1]}
    assert strings["ProductVersion"] == ottenok_desktop.__version__
    assert strings["FileVersion"] == ".".join(map(str, expected))
    assert strings["OriginalFilename"] == "Ottenok.exe"
    assert strings["ProductName"] == "Ottenok Desktop"


def test_a_pre_release_keeps_its_full_name_in_the_strings() -> None:
    info = _evaluate("\n".join(l for l in version_info.render_version_info("1.4.0rc2").splitlines() if not l.startswith("#")))
    strings = {s.args[0]: s.args[1] for s in info.kwargs["kids"][0].args[0][0].args[1]}
    assert strings["ProductVersion"] == "1.4.0rc2" and strings["FileVersion"] == "1.4.0.0"


def test_the_cli_exe_names_itself(tmp_path: Path) -> None:
    out = version_info.write_version_info(tmp_path / "cli.txt", original_filename="ottenok-cli.exe",
                                          description=version_info.CLI_DESCRIPTION)
    body = "\n".join(line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    strings = {s.args[0]: s.args[1] for s in _evaluate(body).kwargs["kids"][0].args[0][0].args[1]}
    assert strings["OriginalFilename"] == "ottenok-cli.exe" and strings["InternalName"] == "ottenok-cli"
    assert "command line" in strings["FileDescription"]


def test_the_spec_gives_each_exe_its_own_resource() -> None:
    spec = (Path(version_info.ROOT) / "pyinstaller.spec").read_text(encoding="utf-8")
    assert 'original_filename=f"{CLI_NAME}.exe"' in spec and 'original_filename=f"{APP_NAME}.exe"' in spec
    assert "version=_cli_version" in spec and "version=_gui_version" in spec
