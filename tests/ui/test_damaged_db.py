"""The console on a damaged database: a Russian message box names the newest backup;
«Восстановить из копии» moves the damaged file aside and copies the backup in, «Выйти»
touches nothing. The real QMessageBox is run and its buttons clicked."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.integrity import inspect_database
from ottenok_desktop.ui import strings as S
from ottenok_desktop.ui.damaged_db import database_ready


def damaged_with_backup(tmp_path: Path, backup: bool = True) -> tuple[Path, bytes]:
    path = tmp_path / "ottenok.sqlite3"
    Database(path).open_sync().close_sync()
    if backup:
        shutil.copy2(path, tmp_path / "ottenok.sqlite3.bak-v1")
    damaged = b"SQLite format 3\x00" + b"\xff" * 50  # cut off inside the header
    path.write_bytes(damaged)
    return path, damaged


def click_when_shown(qtbot, label: str, seen: list[str]) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == label]
        button.click()

    QTimer.singleShot(0, click)


def test_restore_from_backup_button(qtbot, tmp_path: Path) -> None:
    path, damaged = damaged_with_backup(tmp_path)
    seen: list[str] = []
    click_when_shown(qtbot, S.DB_RESTORE, seen)
    assert database_ready(path) is True
    [text] = seen
    assert "файл обрезан" in text and "ottenok.sqlite3.bak-v1" in text and "не удаляется" in text
    [aside] = tmp_path.glob("ottenok.sqlite3.damaged-*")
    assert aside.read_bytes() == damaged
    assert inspect_database(path) is None
    Database(path).open_sync().close_sync()  # the engine can open it now


def test_quit_leaves_everything_as_it_was(qtbot, tmp_path: Path) -> None:
    path, damaged = damaged_with_backup(tmp_path)
    click_when_shown(qtbot, S.DB_QUIT, [])
    assert database_ready(path) is False
    assert path.read_bytes() == damaged and not list(tmp_path.glob("*.damaged-*"))


def test_without_a_backup_only_quit_is_offered(qtbot, tmp_path: Path) -> None:
    path, damaged = damaged_with_backup(tmp_path, backup=False)
    labels: list[list[str]] = []

    def run(box: QMessageBox) -> None:
        labels.append([b.text() for b in box.buttons()])
        assert "Резервной копии рядом нет" in box.text()

    assert database_ready(path, run_box=run) is False
    assert labels == [[S.DB_QUIT]] and path.read_bytes() == damaged


def test_sound_database_asks_nothing(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "ottenok.sqlite3"
    Database(path).open_sync().close_sync()
    assert database_ready(path, run_box=lambda box: (_ for _ in ()).throw(AssertionError("asked"))) is True
