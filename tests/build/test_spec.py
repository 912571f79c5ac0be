"""`pyinstaller.spec` is valid Python and makes the build the docs promise.

The spec runs only inside PyInstaller (it uses Analysis/EXE/COLLECT), so it is checked
as a syntax tree: onedir with two executables sharing one COLLECT, no UPX anywhere,
the windowed console and the console twin, the entry script, the trimming applied.
"""

from __future__ import annotations

import ast

import pytest

from tests.build._loader import ROOT

SPEC = ROOT / "pyinstaller.spec"


@pytest.fixture(scope="module")
def tree() -> ast.Module:
    source = SPEC.read_text(encoding="utf-8")
    compile(source, str(SPEC), "exec")  # a syntax error fails here, not in a 2-minute build
    return ast.parse(source)


def _calls(tree: ast.Module, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _literal_names(tree: ast.Module, name: str) -> object:
    """The literal assigned to a module-level name (e.g. `APP_NAME = "Ottenok"`)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not assigned in the spec")


def test_two_executables_one_onedir_folder(tree: ast.Module) -> None:
    exes = _calls(tree, "EXE")
    collects = _calls(tree, "COLLECT")
    assert len(exes) == 2 and len(collects) == 1
    consoles = sorted(ast.literal_eval(_keyword(call, "console")) for call in exes)  # type: ignore[arg-type]
    assert consoles == [False, True]  # the windowed console and the console twin
    # onedir: binaries go to COLLECT, not into the executables
    assert all(_keyword(call, "exclude_binaries") is None or ast.literal_eval(_keyword(call, "exclude_binaries")) for call in exes)  # type: ignore[arg-type]
    common = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_common" for t in n.targets))
    common_keywords = {k.arg: k.value for k in common.value.keywords}  # type: ignore[attr-defined]
    assert ast.literal_eval(common_keywords["exclude_binaries"]) is True
    assert ast.literal_eval(common_keywords["contents_directory"]) == "_internal"
    assert _literal_names(tree, "APP_NAME") == "Ottenok"
    assert _literal_names(tree, "CLI_NAME") == "ottenok-cli"


def test_no_upx_anywhere(tree: ast.Module) -> None:
    # every call: EXE, COLLECT and the shared `_common = dict(...)` keywords
    upx_values = [k.value for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords if k.arg == "upx"]
    assert upx_values, "the spec must say upx=False explicitly"
    assert all(isinstance(v, ast.Constant) and v.value is False for v in upx_values)


def test_entry_script_and_trimming(tree: ast.Module) -> None:
    source = SPEC.read_text(encoding="utf-8")
    assert '"entry.py"' in source and (ROOT / "build" / "entry.py").is_file()
    analysis = _calls(tree, "Analysis")
    assert len(analysis) == 1
    assert "trim.excluded_modules" in ast.unparse(_keyword(analysis[0], "excludes"))  # type: ignore[arg-type]
    assert "a.binaries = trim.trim(a.binaries)" in source
    assert "a.datas = trim.trim(a.datas)" in source
    assert 'collect_submodules("chromadb", filter=trim.keep_chromadb_submodule)' in source
    assert 'collect_submodules("ottenok_desktop")' in source
    assert 'collect_data_files("tzdata")' in source


def test_entry_script_hands_over_to_main() -> None:
    entry = ast.parse((ROOT / "build" / "entry.py").read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(entry) if isinstance(n, ast.ImportFrom) and n.module == "ottenok_desktop.__main__"]
    assert imports and imports[0].names[0].name == "main"


def _exe_calls(tree: ast.Module) -> list[ast.Call]:
    return _calls(tree, "EXE")


def test_both_executables_run_python_in_utf8_mode(tree: ast.Module) -> None:
    assert _literal_names(tree, "options") == [("X utf8", None, "OPTION")]
    for call in _exe_calls(tree):
        assert isinstance(call.args[2], ast.Name) and call.args[2].id == "options"


def test_no_bootloader_dialog_and_the_utf8_manifest(tree: ast.Module) -> None:
    common = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_common" for t in n.targets))
    keywords = {k.arg: k.value for k in common.value.keywords}  # type: ignore[attr-defined]
    assert ast.literal_eval(keywords["disable_windowed_traceback"]) is True
    assert "MANIFEST" in ast.unparse(keywords["manifest"])
    source = SPEC.read_text(encoding="utf-8")
    assert 'BUILD_DIR / "windows" / "ottenok.manifest"' in source


def test_runtime_hook_and_declared_optional_packages(tree: ast.Module) -> None:
    analysis = _calls(tree, "Analysis")[0]
    hooks = ast.unparse(_keyword(analysis, "runtime_hooks"))  # type: ignore[arg-type]
    assert "otlp_grpc_shim.py" in hooks and (ROOT / "build" / "runtime_hooks" / "otlp_grpc_shim.py").is_file()
    assert ast.unparse(_keyword(analysis, "excludes")) == "trim.excluded_modules(_declared)"  # type: ignore[arg-type]
