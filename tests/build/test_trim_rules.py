"""The trimming rules of the PyInstaller build keep what the program needs.

Sample entries use the real layouts of the PySide6 wheels (Linux: PySide6/Qt/plugins,
PySide6/Qt/lib; Windows: PySide6/plugins, Qt6*.dll next to the bindings), so a rule
that would drop the offscreen platform, the jpeg plugin or the Russian translation
fails here in a second instead of on the shop laptop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.build._loader import ROOT, load

trim = load("pyinstaller_trim.py")

LINUX_PLUGINS = "PySide6/Qt/plugins"
WINDOWS_PLUGINS = "PySide6/plugins"


def _binary(dest: str, src: str = "/venv/site-packages/x", typecode: str = "BINARY") -> tuple[str, str, str]:
    return (dest, src, typecode)


@pytest.mark.parametrize("dest", [
    f"{LINUX_PLUGINS}/platforms/libqoffscreen.so",
    f"{LINUX_PLUGINS}/platforms/libqminimal.so",
    f"{LINUX_PLUGINS}/platforms/libqxcb.so",
    f"{WINDOWS_PLUGINS}/platforms/qwindows.dll",
    f"{WINDOWS_PLUGINS}/platforms/qoffscreen.dll",
    f"{WINDOWS_PLUGINS}/platforms/qminimal.dll",
    f"{WINDOWS_PLUGINS}/imageformats/qjpeg.dll",
    f"{WINDOWS_PLUGINS}/imageformats/qico.dll",
    f"{WINDOWS_PLUGINS}/imageformats/qsvg.dll",
    f"{LINUX_PLUGINS}/imageformats/libqjpeg.so",
    f"{LINUX_PLUGINS}/imageformats/libqwebp.so",
    f"{WINDOWS_PLUGINS}/iconengines/qsvgicon.dll",
    f"{WINDOWS_PLUGINS}/styles/qmodernwindowsstyle.dll",
    f"{WINDOWS_PLUGINS}/tls/qschannelbackend.dll",
    f"{LINUX_PLUGINS}/tls/libqopensslbackend.so",
    f"{LINUX_PLUGINS}/platforminputcontexts/libibusplatforminputcontextplugin.so",
    f"{LINUX_PLUGINS}/wayland-shell-integration/libxdg-shell.so",
])
def test_needed_qt_plugins_are_kept(dest: str) -> None:
    assert trim.keep_entry(dest)


@pytest.mark.parametrize("dest", [
    f"{LINUX_PLUGINS}/platforms/libqeglfs.so",
    f"{LINUX_PLUGINS}/platforms/libqvnc.so",
    f"{LINUX_PLUGINS}/platforms/libqlinuxfb.so",
    f"{WINDOWS_PLUGINS}/imageformats/qpdf.dll",
    f"{WINDOWS_PLUGINS}/imageformats/qtiff.dll",
    f"{LINUX_PLUGINS}/imageformats/libqtga.so",
    f"{WINDOWS_PLUGINS}/platforminputcontexts/qtvirtualkeyboardplugin.dll",
    f"{LINUX_PLUGINS}/platformthemes/libqgtk3.so",
    f"{LINUX_PLUGINS}/qmltooling/libqmldbg_debugger.so",
    f"{WINDOWS_PLUGINS}/sqldrivers/qsqlite.dll",
    f"{WINDOWS_PLUGINS}/networkinformation/qnetworklistmanager.dll",
    f"{LINUX_PLUGINS}/wayland-shell-integration/libwl-shell-plugin.so",
])
def test_unused_qt_plugins_are_dropped(dest: str) -> None:
    assert not trim.keep_entry(dest)


def test_plugin_names_are_normalised_across_platforms() -> None:
    assert trim.plugin_name("libqxcb.so") == "qxcb"
    assert trim.plugin_name("qwindows.dll") == "qwindows"
    assert trim.plugin_name("libqjpeg.dylib") == "qjpeg"
    assert trim.plugin_name("libxdg-shell.so") == "xdg-shell"


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("PySide6/Qt/lib/libQt6Gui.so.6", True),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/lib/libQt6Svg.so.6", True),
    ("PySide6/Qt/lib/libQt6Network.so.6", True),
    ("PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
    ("PySide6/Qt6Core.dll", True),
    ("PySide6/Qt6Widgets.dll", True),
    ("PySide6/Qt6Svg.dll", True),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt/lib/libQt6QmlModels.so.6", False),
    ("PySide6/Qt6Pdf.dll", False),
    ("PySide6/Qt6VirtualKeyboard.dll", False),
    ("libQt6Qml.so.6", False),  # the Linux top-level symlink to a dropped library
    ("PySide6/opengl32sw.dll", False),
    ("PySide6/d3dcompiler_47.dll", False),
])
def test_qt_libraries(dest: str, kept: bool) -> None:
    assert trim.keep_entry(dest) is kept


@pytest.mark.parametrize("name, kept", [
    ("qt_ru.qm", True), ("qtbase_ru.qm", True), ("qtbase_kk.qm", True), ("qt_kk.qm", True),
    ("qtbase_en.qm", True), ("qtbase_de.qm", False), ("qt_zh_CN.qm", False), ("qt_help_ru.qm", False),
    ("designer_ru.qm", False), ("qtdeclarative_ru.qm", False), ("linguist_en.qm", False),
])
def test_translations_only_ru_kk_en_of_qt_itself(name: str, kept: bool) -> None:
    assert trim.keep_entry(f"PySide6/Qt/translations/{name}") is kept
    assert trim.keep_entry(f"PySide6/translations/{name}") is kept  # Windows layout


def test_only_the_drive_discovery_document_is_kept() -> None:
    base = "googleapiclient/discovery_cache/documents"
    assert trim.keep_entry(f"{base}/drive.v3.json")
    assert not trim.keep_entry(f"{base}/sheets.v4.json")
    assert not trim.keep_entry(f"{base}/drive.v2.json")
    assert trim.keep_entry("googleapiclient/discovery_cache/__init__.py")
    assert trim.keep_entry("googleapiclient\\discovery_cache\\documents\\drive.v3.json")


def test_trim_keeps_everything_unrelated() -> None:
    entries = [
        ("chromadb_rust_bindings/chromadb_rust_bindings.abi3.so", "/x", "EXTENSION"),
        ("data/inventory.xlsx", "/x", "DATA"),
        ("data/photos/Лоферы Chanel/1.jpg", "/x", "DATA"),
        ("resources/icon.png", "/x", "DATA"),
        ("tzdata/zoneinfo/Asia/Almaty", "/x", "DATA"),
        ("certifi/cacert.pem", "/x", "DATA"),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "/x", "BINARY"),
    ]
    assert trim.trim(entries) == entries[:-1]
    assert trim.dropped(entries) == entries[-1:]


def test_unittest_is_never_excluded() -> None:
    # httplib2 (Google Drive) imports unittest at run time.
    assert "unittest" not in trim.EXCLUDED_MODULES


def _imported_top_modules(package_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in package_dir.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name, str(path.relative_to(package_dir.parent)))
    return found


def test_no_excluded_module_is_imported_by_the_program() -> None:
    """An exclusion the program needs would break only the packaged build: catch it here."""
    imported = _imported_top_modules(ROOT / "ottenok_desktop")
    clashes = {
        name: where
        for name, where in imported.items()
        for excluded in trim.EXCLUDED_MODULES
        if name == excluded or name.startswith(excluded + ".")
    }
    assert not clashes, f"excluded from the build but imported: {clashes}"


@pytest.mark.parametrize("name, kept", [
    ("chromadb.api.rust", True),
    ("chromadb.segment.impl.vector.local_persistent_hnsw", True),
    ("chromadb.telemetry.product.posthog", True),
    ("chromadb.utils.embedding_functions", True),
    ("chromadb.test", False),
    ("chromadb.test.property.test_add", False),
    ("chromadb.server.fastapi", False),
    ("chromadb.cli.cli", False),
    ("chromadb.testing", True),  # a prefix match must be on whole dotted parts
])
def test_chromadb_submodule_filter(name: str, kept: bool) -> None:
    assert trim.keep_chromadb_submodule(name) is kept


def test_orphan_system_libraries_are_pruned_but_dlopened_ones_stay() -> None:
    qxcb = ("PySide6/Qt/plugins/platforms/libqxcb.so", "/venv/PySide6/Qt/plugins/platforms/libqxcb.so", "BINARY")
    ssl_ext = ("python3.11/lib-dynload/_ssl.so", "/py/lib-dynload/_ssl.so", "EXTENSION")
    x11 = ("libX11.so.6", "/lib/x86_64-linux-gnu/libX11.so.6", "BINARY")
    xcb = ("libxcb.so.1", "/lib/x86_64-linux-gnu/libxcb.so.1", "BINARY")
    cairo = ("libcairo.so.2", "/lib/x86_64-linux-gnu/libcairo.so.2", "BINARY")  # only the GTK theme used it
    pixman = ("libpixman-1.so.0", "/usr/lib/x86_64-linux-gnu/libpixman-1.so.0", "BINARY")  # only cairo used it
    dbus = ("libdbus-1.so.3", "/lib/x86_64-linux-gnu/libdbus-1.so.3", "BINARY")  # Qt dlopens it
    libpython = ("libpython3.11.so.1.0", "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", "BINARY")
    needs = {
        qxcb[1]: ["libX11.so.6", "libQt6Gui.so.6"],
        x11[1]: ["libxcb.so.1"],  # followed through system libraries too
        cairo[1]: ["libpixman-1.so.0", "libX11.so.6"],
        ssl_ext[1]: ["libssl.so.3"],
    }
    entries = [qxcb, ssl_ext, x11, xcb, cairo, pixman, dbus, libpython]
    kept, dropped = trim.prune_orphan_system_libraries(entries, lambda src: needs.get(src, []))
    assert dropped == [cairo, pixman]
    assert kept == [qxcb, ssl_ext, x11, xcb, dbus, libpython]


# ---- issue 18/19 cuts ---------------------------------------------------------------------------
@pytest.mark.parametrize("module", ["grpc", "opentelemetry.exporter.otlp.proto.grpc", "httpx._main", "rich",
                                    "pygments", "click"])
def test_grpc_and_httpx_cli_are_left_out(module: str) -> None:
    assert module in trim.EXCLUDED_MODULES


@pytest.mark.parametrize("module", ["httpx", "opentelemetry", "chromadb", "lxml", "yaml", "cryptography", "numpy"])
def test_what_the_program_imports_stays(module: str) -> None:
    assert not any(module == x or module.startswith(x + ".") for x in trim.EXCLUDED_MODULES)


def test_chromadb_grpc_helpers_are_skipped_but_its_telemetry_module_kept() -> None:
    assert not trim.keep_chromadb_submodule("chromadb.proto.utils")
    assert not trim.keep_chromadb_submodule("chromadb.telemetry.opentelemetry.grpc")
    assert trim.keep_chromadb_submodule("chromadb.telemetry.opentelemetry")
    assert trim.keep_chromadb_submodule("chromadb.proto.convert")


@pytest.mark.parametrize(("dest", "kept"), [
    ("lxml/etree.cpython-311-x86_64-linux-gnu.so", True),
    ("lxml/etree.cp311-win_amd64.pyd", True),
    ("lxml/_elementpath.cpython-311-x86_64-linux-gnu.so", True),
    ("lxml/objectify.cpython-311-x86_64-linux-gnu.so", False),
    ("lxml\\objectify.cp311-win_amd64.pyd", False),
    ("lxml/html/diff.cpython-311-x86_64-linux-gnu.so", False),
    ("lxml/isoschematron/resources/rng/iso-schematron.rng", False),
])
def test_lxml_keeps_etree_only(dest: str, kept: bool) -> None:
    assert trim.keep_entry(dest) is kept


@pytest.mark.parametrize(("dest", "kept"), [
    ("PIL/_imaging.cpython-311-x86_64-linux-gnu.so", True),
    ("PIL/_webp.cpython-311-x86_64-linux-gnu.so", True),  # WhatsApp stickers and photos
    ("pillow.libs/libjpeg-6dc8d115.so.62.4.0", True),
    ("pillow.libs/libwebp-51b0b3f7.so.7.2.0", True),
    ("pillow.libs/libsharpyuv-0066295b.so.0.1.2", True),  # libwebp needs it
    ("PIL/AvifImagePlugin.py", True),  # imported by Image.init(); says "not supported" without _avif
    ("PIL/_avif.cpython-311-x86_64-linux-gnu.so", False),
    ("PIL\\_avif.cp311-win_amd64.pyd", False),
    ("pillow.libs/libavif-c6062d5f.so.16.4.2", False),
    ("PIL/_imagingtk.cpython-311-x86_64-linux-gnu.so", False),
])
def test_pillow_keeps_jpeg_png_webp_but_not_avif(dest: str, kept: bool) -> None:
    assert trim.keep_entry(dest) is kept


def test_pillow_opens_pictures_without_its_avif_module() -> None:
    """What the bundle does once _avif is left out: Pillow still opens JPEG/PNG/WebP."""
    import subprocess
    import sys

    code = (
        "import sys, io; sys.modules['PIL._avif'] = None\n"
        "from PIL import Image, AvifImagePlugin\n"
        "assert not AvifImagePlugin.SUPPORTED\n"
        "for fmt in ('JPEG', 'PNG', 'WEBP'):\n"
        "    buf = io.BytesIO(); Image.new('RGB', (8, 8), (200, 30, 90)).save(buf, fmt); buf.seek(0)\n"
        "    assert Image.open(buf).convert('RGB').getpixel((4, 4))[0] > 150, fmt\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr  # in a child: this process's PIL stays as it was


PYPROJECT = """
[project]
name = "ottenok-desktop"
dependencies = [
    "PySide6-Essentials>=6.11,<6.12",
    "python-calamine>=0.2,<1",
    "google_auth >= 2.20",
    {extra}
]
[project.optional-dependencies]
dev = ["pandas>=2.2", "Pillow>=10"]
package = ["pyinstaller>=6.10,<7"]
"""


def test_declared_dependencies_are_normalised_names() -> None:
    declared = trim.declared_dependencies(PYPROJECT.format(extra=""))
    assert {"pyside6-essentials", "python-calamine", "google-auth", "pyinstaller"} <= declared
    assert "pandas" not in declared and "pillow" not in declared  # dev tools never ship


def test_optional_packages_ship_only_when_declared() -> None:
    undeclared = trim.excluded_modules(trim.declared_dependencies(PYPROJECT.format(extra="")))
    assert {"psycopg", "psycopg_binary", "PIL"} <= set(undeclared)
    declared = trim.excluded_modules(trim.declared_dependencies(
        PYPROJECT.format(extra='"psycopg[binary]>=3.2",\n    "Pillow>=10",')))
    assert "psycopg" not in declared and "psycopg_binary" not in declared and "PIL" not in declared
    assert "grpc" in declared  # the fixed exclusions stay


def test_the_real_pyproject_parses() -> None:
    declared = trim.declared_dependencies((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"chromadb", "truststore", "pyside6-essentials"} <= declared
