"""Before Qt starts on a Linux desktop: are the X11 (xcb) libraries Qt ≥ 6.5 needs there?

Without them `QApplication` aborts the process with Qt's "could not load the Qt platform
plugin xcb" message, which tells a new user nothing about what to install. This check
try-loads each library the xcb plugin links against (the NEEDED entries of PySide6's
libqxcb.so / libQt6XcbQpa.so, see Qt's "Qt for X11 Requirements") and, when some are
missing, names the Debian/Ubuntu packages that provide them. No Qt import here: it runs
before the first Qt library is loaded. Linux only; skipped for other platforms
(offscreen, wayland) and when there is no X display to connect to anyway.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from typing import TextIO

from . import strings as S

# soname → Debian/Ubuntu package (the same names on Debian 12 and Ubuntu 22.04/24.04).
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",  # new in Qt 6.5, the usual culprit
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libGL.so.1": "libgl1",
    "libglib-2.0.so.0": "libglib2.0-0",
}

EXIT_MISSING_LIBRARIES = 3

Loader = Callable[[str], object]


def _try_load(soname: str) -> object:
    """Load a shared library by soname the way the dynamic linker would (raises OSError)."""
    return ctypes.CDLL(soname)


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Will Qt pick its xcb (X11) plugin here? Linux, an X display, and either no
    platform asked for (and no Wayland session that Qt would prefer) or xcb asked for."""
    if not platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "").strip()
    if asked:
        return asked.split(";")[0].split(":")[0].strip() == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def missing_xcb_libraries(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    load: Loader = _try_load,
    libraries: Mapping[str, str] = XCB_LIBRARIES,
) -> list[str]:
    """The sonames Qt's xcb plugin needs that cannot be loaded (empty: all fine or not xcb)."""
    env = os.environ if environ is None else environ
    if not uses_xcb(env, platform):
        return []
    missing: list[str] = []
    for soname in libraries:
        try:
            load(soname)
        except OSError:
            missing.append(soname)
    return missing


def install_hint(missing: list[str], libraries: Mapping[str, str] = XCB_LIBRARIES) -> str:
    """What to tell the user: the missing files and the apt command that brings them."""
    packages = sorted({libraries.get(soname, soname) for soname in missing})
    return S.XCB_MISSING.format(
        libraries=", ".join(missing), command="sudo apt install " + " ".join(packages)
    )


def exit_if_qt_cannot_start(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    load: Loader = _try_load,
    stream: TextIO | None = None,
) -> None:
    """Print what to install and end the process (exit code 3) instead of Qt's abort."""
    missing = missing_xcb_libraries(environ, platform=platform, load=load)
    if missing:
        print(install_hint(missing), file=stream or sys.stderr)
        raise SystemExit(EXIT_MISSING_LIBRARIES)
