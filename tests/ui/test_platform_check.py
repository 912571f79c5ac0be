"""Before Qt starts on Linux: missing X11 (xcb) libraries are named with the apt command
that brings them, instead of Qt's "could not load the Qt platform plugin" abort."""

from __future__ import annotations

import io
import sys

import pytest

from ottenok_desktop.ui import platform_check as pc


def loader_without(*absent: str):
    loaded: list[str] = []

    def load(soname: str) -> object:
        if soname in absent:
            raise OSError(f"{soname}: cannot open shared object file: No such file or directory")
        loaded.append(soname)
        return object()

    load.loaded = loaded  # type: ignore[attr-defined]
    return load


X11 = {"DISPLAY": ":0"}


def test_missing_cursor_library_names_the_debian_package() -> None:
    load = loader_without("libxcb-cursor.so.0")
    stream = io.StringIO()
    with pytest.raises(SystemExit) as ended:
        pc.exit_if_qt_cannot_start(X11, platform="linux", load=load, stream=stream)
    assert ended.value.code == pc.EXIT_MISSING_LIBRARIES
    text = stream.getvalue()
    assert "sudo apt install libxcb-cursor0\n" in text
    assert "libxcb-cursor.so.0" in text and "Оттенок не может открыть окно" in text
    assert len(load.loaded) == len(pc.XCB_LIBRARIES) - 1  # every other library was tried


def test_several_missing_libraries_give_one_sorted_command() -> None:
    load = loader_without("libxkbcommon-x11.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-render-util.so.0")
    missing = pc.missing_xcb_libraries(X11, platform="linux", load=load)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-render-util.so.0", "libxkbcommon-x11.so.0"]
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1 libxcb-render-util0 libxkbcommon-x11-0\n" in pc.install_hint(missing)


def test_all_libraries_present_starts_normally() -> None:
    stream = io.StringIO()
    pc.exit_if_qt_cannot_start({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, platform="linux", load=loader_without(), stream=stream)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"DISPLAY": ":0"}, "win32"),  # Windows: no xcb at all
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),  # tests, self-test
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "linux"),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),  # Qt prefers Wayland there
        ({}, "linux"),  # no X display: Qt's own message about the display applies
    ],
)
def test_not_checked_where_qt_does_not_use_xcb(environ: dict[str, str], platform: str) -> None:
    load = loader_without(*pc.XCB_LIBRARIES)
    assert pc.missing_xcb_libraries(environ, platform=platform, load=load) == []
    assert load.loaded == []


def test_xcb_asked_explicitly_is_checked_even_in_a_wayland_session() -> None:
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}
    assert pc.missing_xcb_libraries(environ, platform="linux", load=loader_without("libxcb-cursor.so.0")) == ["libxcb-cursor.so.0"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the dynamic linker check is Linux only")
def test_real_loader_finds_present_libraries_and_reports_absent_ones() -> None:
    libraries = {"libc.so.6": "libc6", "libottenok-no-such-xcb.so.0": "libottenok-no-such-xcb0"}
    missing = pc.missing_xcb_libraries({"DISPLAY": ":0"}, platform="linux", libraries=libraries)
    assert missing == ["libottenok-no-such-xcb.so.0"]

