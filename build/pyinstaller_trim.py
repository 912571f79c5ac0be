"""What the PyInstaller build leaves out, as data plus pure filter functions.

`pyinstaller.spec` imports this module and applies `trim` (and, on Linux,
`prune_orphan_system_libraries`) to the Analysis tables; `tests/build/` checks the
rules on sample entries, so a change that would drop something the program needs (the
offscreen platform, the jpeg plugin, the Russian Qt translation, drive.v3.json) fails
fast without a 3-minute build.

Every rule below was measured on the onedir folder (see docs/PACKAGING.md); a rule
names what it removes and why the program does not need it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# A PyInstaller TOC entry: (destination name inside the bundle, source path, type code).
TocEntry = tuple[str, str, str]

# ---- Python modules never to collect ------------------------------------------------
# chromadb's PersistentClient with our own embedding function runs on its Rust
# bindings; it imports grpc/opentelemetry (telemetry module, kept) but never
# onnxruntime/tokenizers (only its default ONNX embedding function, which we never
# use: it downloads a model), kubernetes (distributed deployment) or the
# FastAPI server / typer CLI. Test and build tooling never belongs in the bundle.
# `unittest` must stay: httplib2 (Google Drive) imports it.
EXCLUDED_MODULES: tuple[str, ...] = (
    # chromadb extras we do not run
    "onnxruntime",
    "tokenizers",
    "kubernetes",
    "huggingface_hub",
    "hf_xet",
    "fastapi",
    "uvicorn",
    "uvloop",
    "httptools",
    "watchfiles",
    "typer",
    # The program reads stock files with python-calamine/openpyxl directly, never through
    # pandas (only bench/ uses it); chromadb imports it only to build DataFrames. ~22 MB.
    "pandas",
    # chromadb imports the OTLP trace exporter over gRPC at module level, but only builds
    # one when OpenTelemetry export is configured (never: no collector endpoint). gRPC's
    # core library alone is ~17 MB; build/runtime_hooks/otlp_grpc_shim.py stands in for
    # the exporter module. google-api-core treats grpc as optional (try/except ImportError).
    "grpc",
    "grpc_status",
    "opentelemetry.exporter.otlp.proto.grpc",
    "opentelemetry.proto.collector",
    # httpx's command-line client (`httpx._main`, optional: httpx works without it) drags
    # rich, pygments, click and markdown-it in: ~2.7 MB of compiled Python in each .exe.
    "httpx._main",
    "rich",
    "pygments",
    "click",
    "markdown_it",
    "mdurl",
    # UI toolkits and science stacks nothing of ours uses
    "tkinter",
    "_tkinter",
    "matplotlib",
    "IPython",
    "scipy",
    # development and build tools
    "pytest",
    "_pytest",
    "pytestqt",
    "pytest_asyncio",
    "pytest_timeout",
    "PyInstaller",
    "pip",
    "grimp",
    "importlinter",
    # packaging tools: nothing imports them at run time (their runtime hook costs start-up)
    "setuptools",
    "pkg_resources",
    "distutils",
    "_distutils_hack",
    # lxml parts python-docx/openpyxl never use (docx needs lxml.etree only)
    "lxml.objectify",
    "lxml.isoschematron",
    # Qt modules the console does not use (widgets only, no QML/3D/web/SQL)
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickTest",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtTest",
    "PySide6.QtSql",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtConcurrent",
    "PySide6.QtDBus",
    "PySide6.QtXml",
)

# chromadb loads classes from dotted strings, so all its submodules are collected,
# except these subpackages (tests, HTTP server, CLI, distributed deployment).
CHROMADB_SKIPPED_SUBPACKAGES: tuple[str, ...] = (
    "chromadb.test",
    "chromadb.server",
    "chromadb.cli",
    "chromadb.app",
    "chromadb.db.impl.grpc",
    "chromadb.segment.impl.distributed",
    "chromadb.execution.executor.distributed",
    "chromadb.logservice",
    # gRPC helpers of the distributed client (skipped above); they import grpc at the top.
    "chromadb.proto.utils",
    "chromadb.telemetry.opentelemetry.grpc",
)


# Packages our libraries import only when they happen to be installed (peewee: `try:
# import psycopg`; openpyxl: `try: from PIL import Image`). They are bundled only when
# pyproject.toml declares them: a developer's venv (or another tool's) must not decide
# what the shop's folder carries (psycopg with its libpq/OpenSSL/Kerberos copies ~11 MB,
# Pillow 12.6 MB).
OPTIONAL_PACKAGES: dict[str, tuple[str, ...]] = {
    "pillow": ("PIL",),
    "psycopg": ("psycopg", "psycopg_binary", "psycopg_c", "psycopg_pool"),
    "psycopg-binary": ("psycopg", "psycopg_binary", "psycopg_c", "psycopg_pool"),
    "psycopg2": ("psycopg2",),
    "psycopg2-binary": ("psycopg2",),
    "psycopg2cffi": ("psycopg2cffi",),
    "pymysql": ("pymysql",),
    "mysqlclient": ("MySQLdb",),
    "mysql-connector-python": ("mysql",),
    "cysqlite": ("cysqlite",),
    "apsw": ("apsw",),
}


def declared_dependencies(pyproject_text: str) -> frozenset[str]:
    """Normalised names in `[project].dependencies` (and its `package` extra)."""
    import tomllib

    project = tomllib.loads(pyproject_text).get("project", {})
    specs = list(project.get("dependencies", []))
    specs += project.get("optional-dependencies", {}).get("package", [])
    names = set()
    for spec in specs:
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return frozenset(names)


def excluded_modules(declared: frozenset[str]) -> list[str]:
    """EXCLUDED_MODULES plus the optional packages the project does not declare."""
    kept: set[str] = set()
    for distribution, modules in OPTIONAL_PACKAGES.items():
        if distribution in declared:
            kept.update(modules)
    optional = {module for modules in OPTIONAL_PACKAGES.values() for module in modules}
    return list(EXCLUDED_MODULES) + sorted(optional - kept)


def keep_chromadb_submodule(name: str) -> bool:
    """Filter for `collect_submodules("chromadb", filter=...)`."""
    return not any(name == skip or name.startswith(skip + ".") for skip in CHROMADB_SKIPPED_SUBPACKAGES)


# ---- Qt plugins -----------------------------------------------------------------------
# Plugin category -> plugin names kept (None = keep the whole category). Names are
# normalised: "libqxcb.so" and "qxcb.dll" are both "qxcb". Categories not listed are
# dropped entirely.
KEPT_QT_PLUGINS: dict[str, frozenset[str] | None] = {
    # offscreen/minimal for the self-test and CI, windows for the shop, xcb/wayland
    # for a Linux desktop, cocoa for a Mac.
    "platforms": frozenset({"qwindows", "qoffscreen", "qminimal", "qxcb", "qwayland", "qcocoa", "qdirect2d"}),
    # png is built into QtGui; jpg photos, ico/svg icons, gif/webp pictures from WhatsApp.
    "imageformats": frozenset({"qjpeg", "qico", "qsvg", "qgif", "qwebp"}),
    "iconengines": None,
    "styles": None,
    "tls": None,
    # The GTK theme plugin drags the whole GTK/cairo/pango stack in (~10 MB on Linux)
    # and is not found on a system without GTK anyway; the portal theme is tiny.
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    # compose/ibus let people type Cyrillic on Linux; the virtual keyboard is not used.
    "platforminputcontexts": frozenset({"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}),
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    # xdg-shell is the standard Wayland desktop shell; the others (wl-shell, ivi, qt-shell,
    # fullscreen) serve embedded compositors and need Qt libraries we drop.
    "wayland-shell-integration": frozenset({"xdg-shell"}),
    "accessible": None,
    "accessiblebridge": None,
}

# Qt libraries only the dropped plugins/modules load (QML, Quick, PDF, Designer, ...).
# The file names differ per OS (libQt6Quick.so.6, Qt6Quick.dll), so match the stem.
DROPPED_QT_LIBRARY_PATTERN = re.compile(
    r"^(lib)?Qt6(Qml|Quick|Pdf|Designer|Help|Test|Sql|UiTools|Labs|Lottie|VirtualKeyboard"
    r"|WaylandCompositor|WaylandEgl|WlShell|EglFS|EglFs|OpenGLWidgets|ShaderTools"
    r"|VectorImage)\w*\.",
)
# Windows: the software OpenGL fallback (~20 MB) and the D3D shader compiler serve
# OpenGL/Quick content; a widgets-only console paints with the raster engine.
DROPPED_WINDOWS_QT_FILES = frozenset({"opengl32sw.dll", "d3dcompiler_47.dll"})

# ---- Qt translations --------------------------------------------------------------------
KEPT_TRANSLATION_LANGUAGES = frozenset({"ru", "kk", "en"})
# Catalogues of Qt's own tools (designer, assistant, linguist, QML) are never shown.
KEPT_TRANSLATION_CATALOGUES = frozenset({"qt", "qtbase"})

# ---- googleapiclient discovery documents --------------------------------------------------
# Its hook bundles all ~600 documents (~110 MB); the program only builds the Drive v3
# client (photos from a Google Drive folder).
KEPT_DISCOVERY_DOCUMENTS = frozenset({"drive.v3.json"})
_DISCOVERY_DIR = "googleapiclient/discovery_cache/documents"


def _parts(dest: str) -> tuple[str, ...]:
    return PurePosixPath(dest.replace("\\", "/")).parts


def plugin_name(file_name: str) -> str:
    """'libqxcb.so' -> 'qxcb', 'qwindows.dll' -> 'qwindows', 'libqjpeg.dylib' -> 'qjpeg'."""
    stem = file_name.split(".", 1)[0]
    if stem.startswith("lib") and len(stem) > 3:
        stem = stem[3:]
    return stem


def keep_qt_plugin(dest: str) -> bool:
    """Decide for one file under `.../Qt/plugins/<category>/...`; other files: True."""
    parts = _parts(dest)
    try:
        index = parts.index("plugins")
    except ValueError:
        return True
    # Linux/macOS wheels: PySide6/Qt/plugins/...; Windows wheels: PySide6/plugins/...
    if index == 0 or parts[index - 1] not in ("Qt", "PySide6") or len(parts) < index + 3:
        return True
    category, file_name = parts[index + 1], parts[-1]
    if category not in KEPT_QT_PLUGINS:
        return False
    names = KEPT_QT_PLUGINS[category]
    return names is None or plugin_name(file_name) in names


def keep_qt_library(dest: str) -> bool:
    name = _parts(dest)[-1]
    if name.lower() in DROPPED_WINDOWS_QT_FILES:
        return False
    return not DROPPED_QT_LIBRARY_PATTERN.match(name)


def keep_translation(dest: str) -> bool:
    """Keep `qt_ru.qm`/`qtbase_kk.qm`-style files for the kept languages only."""
    parts = _parts(dest)
    if "translations" not in parts or not parts[-1].endswith(".qm"):
        return True
    stem = parts[-1][: -len(".qm")]
    catalogue, _, language = stem.rpartition("_")
    # qt_help_ru.qm -> catalogue "qt_help": not kept. Country variants (pt_BR) have
    # no language of ours, so the plain split is enough.
    return catalogue in KEPT_TRANSLATION_CATALOGUES and language in KEPT_TRANSLATION_LANGUAGES


def keep_discovery_document(dest: str) -> bool:
    normalised = dest.replace("\\", "/")
    if not normalised.startswith(_DISCOVERY_DIR + "/"):
        return True
    return normalised.rsplit("/", 1)[-1] in KEPT_DISCOVERY_DOCUMENTS


# ---- extension modules nobody imports ------------------------------------------------------
# PyInstaller's lxml hook collects every lxml submodule; python-docx and openpyxl use
# lxml.etree only. The HTML helpers (compiled diff modules, 0.8 MB on Linux) go; objectify
# and isoschematron are already kept out by EXCLUDED_MODULES (listed here for their data).
DROPPED_PACKAGE_PARTS: tuple[str, ...] = (
    "lxml/objectify.",
    "lxml/html/",
    "lxml/isoschematron/",
    # Pillow's AVIF codec (its module and libavif, 5.0 MB on Linux): customers send JPEG,
    # PNG and WebP, which stay; PIL.AvifImagePlugin treats a missing _avif as "not
    # supported". _imagingtk serves ImageTk, and Tk is not in the bundle.
    "PIL/_avif.",
    "pillow.libs/libavif",
    "PIL/_imagingtk.",
)


def keep_package_part(dest: str) -> bool:
    normalised = dest.replace("\\", "/")
    return not normalised.startswith(DROPPED_PACKAGE_PARTS)


def keep_entry(dest: str) -> bool:
    """All rules together, for binaries and data files alike."""
    return (
        keep_package_part(dest)
        and keep_qt_plugin(dest)
        and keep_qt_library(dest)
        and keep_translation(dest)
        and keep_discovery_document(dest)
    )


def trim(entries: Iterable[TocEntry]) -> list[TocEntry]:
    return [entry for entry in entries if keep_entry(entry[0])]


def dropped(entries: Iterable[TocEntry]) -> list[TocEntry]:
    """What `trim` removes: the build script prints a summary of it."""
    return [entry for entry in entries if not keep_entry(entry[0])]


# ---- Linux: system libraries nothing needs any more ------------------------------------
# PyInstaller resolves library dependencies before the rules above drop plugins, so
# the libraries only a dropped plugin needed (GTK, cairo, pango for the GTK theme)
# stay behind. On Linux they are system libraries under /lib or /usr/lib; those not
# needed by anything kept are dropped. Libraries Qt opens by name at run time
# (dlopen, invisible to the linker) are always kept.
SYSTEM_LIBRARY_DIRS: tuple[str, ...] = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/")
DLOPENED_LIBRARY_PREFIXES: tuple[str, ...] = ("libdbus-1.so", "libssl.so", "libcrypto.so", "libxcb-cursor.so")


def is_system_library(entry: TocEntry) -> bool:
    dest, src, typecode = entry
    return (
        typecode == "BINARY"
        and "/" not in dest.replace("\\", "/")
        and src.replace("\\", "/").startswith(SYSTEM_LIBRARY_DIRS)
        and not dest.startswith(DLOPENED_LIBRARY_PREFIXES)
    )


def prune_orphan_system_libraries(
    entries: Iterable[TocEntry], needed_by: Callable[[str], Iterable[str]]
) -> tuple[list[TocEntry], list[TocEntry]]:
    """Split into (kept, dropped): a system library stays if some kept binary needs it.

    `needed_by(src)` returns the library names (sonames) a binary links against.
    Everything that is not a system library is a root; the closure is followed
    through the system libraries themselves.
    """
    entries = list(entries)
    by_name = {entry[0]: entry for entry in entries if is_system_library(entry)}
    reachable: set[str] = set()
    pending = [entry for entry in entries if entry[0] not in by_name and entry[2] in ("BINARY", "EXTENSION")]
    seen_sources: set[str] = set()
    while pending:
        entry = pending.pop()
        if entry[1] in seen_sources:
            continue
        seen_sources.add(entry[1])
        for name in needed_by(entry[1]):
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            if base in by_name and base not in reachable:
                reachable.add(base)
                pending.append(by_name[base])
    kept = [entry for entry in entries if entry[0] not in by_name or entry[0] in reachable]
    dropped_entries = [entry for entry in entries if entry[0] in by_name and entry[0] not in reachable]
    return kept, dropped_entries
