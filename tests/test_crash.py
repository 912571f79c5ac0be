"""The entry point's catch-all: a crash becomes crash.log + exit code 70, never a dialog in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ottenok_desktop import crash
from ottenok_desktop.__main__ import main

REPO = Path(__file__).resolve().parents[1]


def test_a_crash_in_headless_mode_writes_the_log_and_exits_70(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import ottenok_desktop.headless as headless

    def broken(_settings: object) -> int:
        raise PermissionError(13, "[WinError 32] Процесс не может получить доступ к файлу", "chroma.sqlite3")

    boxes: list[str] = []
    monkeypatch.setattr(headless, "run_headless", broken)
    monkeypatch.setattr("ottenok_desktop.__main__._show_crash_box", lambda reason, path: boxes.append(reason))
    data = tmp_path / "data"
    assert main(["--headless", "--data-dir", str(data)]) == crash.CRASH_EXIT_CODE
    log = (data / "logs" / crash.CRASH_LOG_NAME).read_text(encoding="utf-8")
    assert "PermissionError" in log and "WinError 32" in log and "Traceback" in log
    assert "crashed: PermissionError" in capsys.readouterr().err
    assert boxes == []  # --headless never shows a dialog


def test_the_windowed_console_shows_its_box_to_a_person_but_not_in_ci(tmp_path: Path) -> None:
    shown: list[tuple[str, Path | None]] = []
    error = RuntimeError("Qt platform plugin failed")
    code = crash.report_crash(error, logs_dir=tmp_path, interactive=True, show_box=lambda r, p: shown.append((r, p)))
    assert code == 70 and shown == [("RuntimeError: Qt platform plugin failed", tmp_path / "crash.log")]
    shown.clear()
    crash.report_crash(error, logs_dir=tmp_path, interactive=False, show_box=lambda r, p: shown.append((r, p)))
    assert shown == []


def test_a_broken_message_box_does_not_turn_the_crash_into_another_crash(tmp_path: Path) -> None:
    def no_display(_reason: str, _path: Path | None) -> None:
        raise RuntimeError("could not connect to display")

    assert crash.report_crash(ValueError("x"), logs_dir=tmp_path, interactive=True, show_box=no_display) == 70


def test_secrets_are_masked_in_the_crash_log(tmp_path: Path) -> None:
    crash.report_crash(RuntimeError("token 0123456789abcdef rejected"), logs_dir=tmp_path, interactive=False,
                       redact=lambda text: text.replace("0123456789abcdef", "***"))
    assert "0123456789abcdef" not in (tmp_path / "crash.log").read_text(encoding="utf-8")


def test_an_unwritable_logs_dir_falls_back_to_the_temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crash.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    path = crash.write_crash_log(OSError("disk"), blocker / "logs")
    assert path == tmp_path / "tmp" / "Ottenok" / "crash.log" and path.is_file()


@pytest.mark.parametrize(("gui", "env", "expected"), [
    (True, {}, True),
    (True, {"CI": "true"}, False),
    (True, {"OTTENOK_NONINTERACTIVE": "1"}, False),
    (True, {"QT_QPA_PLATFORM": "offscreen"}, False),
    (True, {"CI": "0"}, True),
    (False, {}, False),
])
def test_who_gets_a_dialog(gui: bool, env: dict[str, str], expected: bool) -> None:
    assert crash.is_interactive(gui, env) is expected


def test_the_real_process_exits_70_quickly_when_the_data_dir_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "Оттенок"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    env = {"PATH": "", "PYTHONPATH": str(REPO), "CI": "1", "QT_QPA_PLATFORM": "offscreen",
           "TMPDIR": str(tmp_path), "TEMP": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "ottenok_desktop", "--headless", "--data-dir", str(blocker)],
                          env=env, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert proc.returncode == 70, proc.stderr.decode("utf-8", "replace")
    assert "Ottenok Desktop crashed: NotADirectoryError" in proc.stderr.decode("utf-8")
