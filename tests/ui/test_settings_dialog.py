"""The settings dialog: secrets masked, every invalid field explained in Russian, valid
values saved to the settings file in the data dir, secrets to the OS credential store
(and read back by load_settings)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QLineEdit

from ottenok_desktop.settings import load_settings
from ottenok_desktop.ui.settings_dialog import SettingsDialog, validate


def _edit(dialog: SettingsDialog, name: str) -> QLineEdit:
    edit = dialog.edits[name]
    assert isinstance(edit, QLineEdit)
    return edit


async def test_invalid_values_are_explained_and_nothing_is_saved(console_of) -> None:
    async with console_of() as console:
        dialog = SettingsDialog(console.ctx, console.window)
        dialog.show()
        assert _edit(dialog, "GREEN_API_TOKEN").echoMode() == QLineEdit.EchoMode.Password
        assert _edit(dialog, "OPENAI_API_KEY").echoMode() == QLineEdit.EchoMode.Password
        _edit(dialog, "GREEN_API_INSTANCE_ID").setText("abc")
        _edit(dialog, "OTTENOK_WORK_HOURS").setText("с девяти до семи")
        _edit(dialog, "MANAGER_NUMBERS").setText("+7 701 123 45 67, 12")
        dialog.save()
        assert dialog.isVisible()  # stays open
        assert dialog.errors["GREEN_API_INSTANCE_ID"].isVisible()
        assert "ID инстанса" in dialog.errors["GREEN_API_INSTANCE_ID"].text()
        assert "9-19" in dialog.errors["OTTENOK_WORK_HOURS"].text()
        assert dialog.errors["MANAGER_NUMBERS"].isVisible()
        assert not dialog.errors["OPENAI_MODEL"].isVisible()
        assert not console.ctx.engine.settings.settings_file.exists()
        dialog.close()


async def test_valid_values_are_saved_to_the_settings_file(console_of, memory_keyring) -> None:
    async with console_of() as console:
        settings = console.ctx.engine.settings
        dialog = SettingsDialog(console.ctx, console.window)
        _edit(dialog, "GREEN_API_INSTANCE_ID").setText("1101000001")
        _edit(dialog, "GREEN_API_TOKEN").setText("d75b3a66374942c5b3c019c698abc2067e151558acbd412345")
        _edit(dialog, "MANAGER_NUMBERS").setText("8 701 123 45 67, 77017654321")
        _edit(dialog, "OTTENOK_WORK_HOURS").setText("10-20")
        dialog.manager_name.setText("Асель")
        dialog.save()
        assert dialog.result() == SettingsDialog.DialogCode.Accepted
        saved = json.loads(settings.settings_file.read_text(encoding="utf-8"))
        assert saved["GREEN_API_INSTANCE_ID"] == "1101000001"
        assert "GREEN_API_TOKEN" not in saved and "d75b3a66" not in settings.settings_file.read_text(encoding="utf-8")
        assert memory_keyring.entries[(f"Ottenok Desktop ({settings.data_dir})", "GREEN_API_TOKEN")].startswith("d75b3a66")
        reloaded = load_settings(data_dir=settings.data_dir, environ={}, env_file=settings.data_dir / "none.env")
        assert reloaded.manager_numbers == ("77011234567", "77017654321")
        assert str(reloaded.work_hours) == "10-20"
        assert reloaded.green_api_token.reveal().startswith("d75b3a66")
        assert console.ctx.prefs.manager_name == "Асель"


def test_validate_reports_every_bad_field(tmp_path) -> None:
    errors = validate({"OTTENOK_TIMEZONE": "Almaty/Kazakhstan", "OPENAI_BASE_URL": "localhost:8000", "OPENAI_MODEL": "gpt-4o"}, tmp_path)
    assert set(errors) == {"OTTENOK_TIMEZONE", "OPENAI_BASE_URL"}
    assert "Asia/Almaty" in errors["OTTENOK_TIMEZONE"]


async def test_the_shared_database_is_masked_checked_and_saved(console_of, postgres_url: str,
                                                               memory_keyring) -> None:
    from ottenok_desktop.ui import settings_checks

    async with console_of() as console:
        dialog = SettingsDialog(console.ctx, console.window)
        dialog.show()
        assert _edit(dialog, "DATABASE_URL").echoMode() == QLineEdit.EchoMode.Password
        _edit(dialog, "DATABASE_URL").setText("mysql://root:Sup3r-secret@db/shop")
        dialog.save()
        assert dialog.isVisible() and "postgresql://" in dialog.errors["DATABASE_URL"].text()
        assert "Sup3r-secret" not in dialog.errors["DATABASE_URL"].text()
        ok, text = await settings_checks.check_database({"DATABASE_URL": postgres_url}, console.ctx.engine.executor)
        assert ok and "PostgreSQL 15" in text and "рабочих мест: 0" in text
        bad = postgres_url.replace("postgres@", "postgres:Zhan-S3cret@").rsplit("/", 1)[0] + "/no_such_db"
        ok, text = await settings_checks.check_database({"DATABASE_URL": bad}, console.ctx.engine.executor)
        assert not ok and "Zhan-S3cret" not in text
        _edit(dialog, "DATABASE_URL").setText(postgres_url)
        _edit(dialog, "OTTENOK_SEAT_ROLE").setText("console-only")
        dialog.save()
        saved = json.loads(console.ctx.engine.settings.settings_file.read_text(encoding="utf-8"))
        assert saved["OTTENOK_SEAT_ROLE"] == "console-only" and "DATABASE_URL" not in saved  # a secret: not in the file
        data_dir = console.ctx.engine.settings.data_dir
        assert memory_keyring.entries[(f"Ottenok Desktop ({data_dir})", "DATABASE_URL")] == postgres_url
        dialog.close()


async def test_report_settings_are_checked_saved_and_reach_the_running_scheduler(console_of, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QCheckBox, QDialogButtonBox

    from ottenok_desktop.services.reports.scheduler import ReportOptions, ReportScheduler

    from .conftest import wait_until

    def with_reports(engine) -> None:  # type: ignore[no-untyped-def]
        # as bootstrap builds it for the full program (the test console runs the channel only)
        engine.reports = ReportScheduler(engine.db, engine.clock, engine.settings, engine.executor)

    async with console_of(with_reports) as console:
        settings = console.ctx.engine.settings
        scheduler = console.ctx.engine.reports
        assert scheduler is not None and scheduler.options == ReportOptions(True, "", 10)
        await wait_until(lambda: scheduler.running, what="the runtime to start the reports")
        dialog = SettingsDialog(console.ctx, console.window)
        dialog.show()
        save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)

        def type_into(name: str, text: str) -> None:  # as the owner types: select all, delete, the keys
            edit = _edit(dialog, name)
            edit.selectAll()
            qtbot.keyClick(edit, Qt.Key.Key_Delete)
            for char in text:
                if char.isascii():
                    qtbot.keyClick(edit, char)
                else:  # QTest sends non-Latin-1 characters mangled: paste those
                    edit.insert(char)
            assert edit.text() == text

        enabled = dialog.edits["OTTENOK_REPORTS_ENABLED"]
        assert isinstance(enabled, QCheckBox) and enabled.isChecked()
        assert _edit(dialog, "OTTENOK_SLOW_FIRST_REPLY_MIN").text() == "10"
        type_into("OTTENOK_REPORT_TIME", "25:00")
        type_into("OTTENOK_SLOW_FIRST_REPLY_MIN", "десять")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and not settings.settings_file.exists()
        assert "Время ежедневного отчёта" in dialog.errors["OTTENOK_REPORT_TIME"].text()
        assert "09:00" in dialog.errors["OTTENOK_REPORT_TIME"].text()
        assert "от 1 до 1440" in dialog.errors["OTTENOK_SLOW_FIRST_REPLY_MIN"].text()
        type_into("OTTENOK_SLOW_FIRST_REPLY_MIN", "0")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        assert dialog.errors["OTTENOK_SLOW_FIRST_REPLY_MIN"].isVisible() and dialog.isVisible()

        type_into("OTTENOK_REPORT_TIME", "21:30")
        type_into("OTTENOK_SLOW_FIRST_REPLY_MIN", "3")
        qtbot.keyClick(enabled, Qt.Key.Key_Space)  # reports off (the box has no text: the keyboard toggles it)
        assert not enabled.isChecked()
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        assert dialog.result() == SettingsDialog.DialogCode.Accepted
        assert "Настройки отчётов уже действуют" in dialog.message.text()
        saved = json.loads(settings.settings_file.read_text(encoding="utf-8"))
        assert (saved["OTTENOK_REPORTS_ENABLED"], saved["OTTENOK_REPORT_TIME"], saved["OTTENOK_SLOW_FIRST_REPLY_MIN"]) == (
            "0", "21:30", "3")
        await wait_until(lambda: scheduler.options == ReportOptions(False, "21:30", 3), what="the scheduler to take them")
        assert not scheduler.running  # reports off: nothing scheduled, without a restart
        reloaded = load_settings(data_dir=settings.data_dir, environ={}, env_file=settings.data_dir / "none.env")
        assert (reloaded.reports_enabled, reloaded.report_time, reloaded.slow_first_reply_minutes) == (False, "21:30", 3)

        tab = console.window.reports_tab  # the console's own report uses the new threshold
        tab.reload()
        await wait_until(lambda: tab.report is not None and tab.report.slow_first_reply_sec == 180.0,
                         what="the report with the new threshold")
