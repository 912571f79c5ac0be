"""The Windows application manifest turns on the UTF-8 ANSI code page (native libraries
get UTF-8 paths: C:\\Users\\Әйгерім\\...) and keeps what PyInstaller's default has."""

from __future__ import annotations

import xml.dom.minidom

import pytest

from tests.build._loader import ROOT

MANIFEST = ROOT / "build" / "windows" / "ottenok.manifest"


def _elements(data: bytes, tag: str) -> list[xml.dom.minidom.Element]:
    return list(xml.dom.minidom.parseString(data).getElementsByTagName(tag))


def test_active_code_page_utf8_long_paths_and_as_invoker() -> None:
    data = MANIFEST.read_bytes()
    page = _elements(data, "activeCodePage")
    assert len(page) == 1 and page[0].firstChild.data == "UTF-8"
    assert page[0].getAttribute("xmlns") == "http://schemas.microsoft.com/SMI/2019/WindowsSettings"
    assert _elements(data, "longPathAware")[0].firstChild.data == "true"
    assert _elements(data, "requestedExecutionLevel")[0].getAttribute("level") == "asInvoker"
    assert any(e.getAttribute("name") == "Microsoft.Windows.Common-Controls" for e in _elements(data, "assemblyIdentity"))


def test_pyinstaller_keeps_the_code_page_when_it_finishes_the_manifest() -> None:
    winmanifest = pytest.importorskip("PyInstaller.utils.win32.winmanifest")
    final = winmanifest.create_application_manifest(MANIFEST.read_bytes(), False, False)
    assert _elements(final, "activeCodePage")[0].firstChild.data == "UTF-8"
    assert _elements(final, "requestedExecutionLevel")[0].getAttribute("level") == "asInvoker"
