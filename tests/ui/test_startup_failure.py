"""A console that cannot start says why in a message box (the windowed .exe has no
console) and stops cleanly; a settings error at the command line does the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from ottenok_desktop.settings import load_settings
from ottenok_desktop.ui import app as ui_app


async def test_engine_failure_at_start_is_shown_and_the_program_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ui_app, "show_fatal", shown.append)

    async def broken_start(console, **_options) -> None:
        raise OSError("disk is full")

    monkeypatch.setattr(ui_app, "start_console", broken_start)
    settings = load_settings(data_dir=tmp_path / "data", environ={}, env_file=tmp_path / "none.env", demo=True)
    assert await ui_app._main(settings) == 1
    assert len(shown) == 1 and "disk is full" in shown[0] and "ottenok.log" in shown[0]


def test_settings_error_at_start_is_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop import __main__ as entry

    shown: list[str] = []
    monkeypatch.setattr(ui_app, "show_fatal", shown.append)
    monkeypatch.setenv("OTTENOK_WORK_HOURS", "с девяти до семи")
    assert entry.main(["--data-dir", str(tmp_path / "data")]) == 2
    assert len(shown) == 1 and "OTTENOK_WORK_HOURS" in shown[0] and "9-19" in shown[0]
