"""The Settings dialog: WhatsApp, LLM, Google Drive, shop, follow-ups, seats, the owner's
reports, the manager's name.

Secrets are masked (a «Показать» toggle reveals them while typing). Every value is
checked with the same rules the program uses at start-up (`settings.load_settings`), the
error shown in Russian under the field; valid values are written with
`settings.write_settings_file` into the data dir. Most settings take effect after a
restart; the report settings (on/off, daily report time, slow-first-reply threshold) are
also handed to the running report scheduler at once (`ReportScheduler.apply`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Awaitable, Callable, Mapping

from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from ..settings import SECRET_NAMES, Settings, SettingsError, load_settings, write_settings_file
from . import settings_checks
from . import strings as S
from .context import Context

log = logging.getLogger(__name__)

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("whatsapp", ("GREEN_API_INSTANCE_ID", "GREEN_API_TOKEN", "GREEN_API_URL")),
    ("llm", ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL")),
    ("drive", ("GOOGLE_DRIVE_PHOTOS_FOLDER_ID", "GOOGLE_CREDENTIALS_FILE")),
    ("telegram", ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "TELEGRAM_OPERATORS_CHAT_ID", "TELEGRAM_OPERATOR_IDS",
                  "TELEGRAM_OWNER_CHAT_ID")),
    ("shop", ("OTTENOK_PERSONA_NAME", "MANAGER_NUMBERS", "OTTENOK_WORK_HOURS", "OTTENOK_TIMEZONE")),
    ("nudges", ("NUDGE_ENABLED", "OTTENOK_NUDGE1_TEXT", "OTTENOK_NUDGE2_TEXT")),
    ("announcements", ("OTTENOK_ANNOUNCE_MIN_SEC", "OTTENOK_ANNOUNCE_MAX_SEC", "OTTENOK_ANNOUNCE_MAX_FAILURES")),
    ("seats", ("DATABASE_URL", "OTTENOK_SEAT_ID", "OTTENOK_SEAT_ROLE")),
    ("reports", ("OTTENOK_REPORTS_ENABLED", "OTTENOK_REPORT_TIME", "OTTENOK_SLOW_FIRST_REPLY_MIN")),
)
LONG_TEXT = {"OTTENOK_NUDGE1_TEXT", "OTTENOK_NUDGE2_TEXT"}
CHECKBOXES = {"NUDGE_ENABLED", "OTTENOK_REPORTS_ENABLED"}
REPORT_NAMES = ("OTTENOK_REPORTS_ENABLED", "OTTENOK_REPORT_TIME", "OTTENOK_SLOW_FIRST_REPLY_MIN")


def current_values(settings: Settings) -> dict[str, str]:
    """The settings as the dialog shows them (strings, by their contract names)."""
    return {
        "GREEN_API_INSTANCE_ID": settings.green_api_instance_id,
        "GREEN_API_TOKEN": settings.green_api_token.reveal(),
        "GREEN_API_URL": settings.green_api_url,
        "OPENAI_API_KEY": settings.openai_api_key.reveal(),
        "OPENAI_BASE_URL": settings.openai_base_url,
        "OPENAI_MODEL": settings.openai_model,
        "GOOGLE_DRIVE_PHOTOS_FOLDER_ID": settings.google_drive_photos_folder_id,
        "GOOGLE_CREDENTIALS_FILE": str(settings.google_credentials_file or ""),
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.reveal(),
        "TELEGRAM_API_URL": settings.telegram_api_url,
        "TELEGRAM_OPERATORS_CHAT_ID": "" if settings.telegram_operators_chat_id is None else str(settings.telegram_operators_chat_id),
        "TELEGRAM_OPERATOR_IDS": ", ".join(str(i) for i in settings.telegram_operator_ids),
        "TELEGRAM_OWNER_CHAT_ID": "" if settings.telegram_owner_chat_id is None else str(settings.telegram_owner_chat_id),
        "OTTENOK_PERSONA_NAME": settings.persona_name,
        "MANAGER_NUMBERS": ", ".join(settings.manager_numbers),
        "OTTENOK_WORK_HOURS": str(settings.work_hours),
        "OTTENOK_TIMEZONE": settings.timezone,
        "NUDGE_ENABLED": "1" if settings.nudge_enabled else "0",
        "OTTENOK_NUDGE1_TEXT": settings.nudge1_text,
        "OTTENOK_NUDGE2_TEXT": settings.nudge2_text,
        "OTTENOK_ANNOUNCE_MIN_SEC": f"{settings.announce_min_seconds:g}",
        "OTTENOK_ANNOUNCE_MAX_SEC": f"{settings.announce_max_seconds:g}",
        "OTTENOK_ANNOUNCE_MAX_FAILURES": str(settings.announce_max_failures),
        "DATABASE_URL": settings.database_url.reveal(),
        "OTTENOK_SEAT_ID": settings.seat_id,
        "OTTENOK_SEAT_ROLE": settings.seat_role,
        "OTTENOK_REPORTS_ENABLED": "1" if settings.reports_enabled else "0",
        "OTTENOK_REPORT_TIME": settings.report_time,
        "OTTENOK_SLOW_FIRST_REPLY_MIN": str(settings.slow_first_reply_minutes),
    }


def validate(values: Mapping[str, str], data_dir: Path) -> dict[str, str]:
    """Russian error per invalid field (empty when everything is valid).

    Each field is checked on its own so the manager sees every mistake at once.
    """
    errors: dict[str, str] = {}
    for name, value in values.items():
        try:
            load_settings(data_dir=data_dir, environ={}, env_file=data_dir / ".no-env", overrides={name: value})
        except SettingsError as exc:
            if exc.name == name:
                label = S.SETTINGS_LABELS.get(name, name)
                errors[name] = S.SETTINGS_INVALID.format(label=label, expected=S.SETTINGS_EXPECTED.get(name, exc.expected))
            else:  # another source (settings file) is broken; report it on the form as a whole
                errors.setdefault("", str(exc))
    return errors


class SettingsDialog(QDialog):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(S.SETTINGS_TITLE)
        self.setObjectName("settingsDialog")
        self.resize(640, 720)
        self.ctx = ctx
        self.settings: Settings = ctx.engine.settings
        self.edits: dict[str, QLineEdit | QPlainTextEdit | QCheckBox] = {}
        self.errors: dict[str, QLabel] = {}
        self.check_results: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget(scroll)
        layout = QVBoxLayout(inner)
        values = current_values(self.settings)
        for group, names in GROUPS:
            box = QGroupBox(S.SETTINGS_GROUPS[group], inner)
            form = QFormLayout(box)
            for name in names:
                form.addRow(S.SETTINGS_LABELS[name], self._field(name, values.get(name, ""), box))
                error = QLabel("", box)
                error.setObjectName("fieldError")
                error.setWordWrap(True)
                error.hide()
                self.errors[name] = error
                form.addRow("", error)
            check = self._check_for(group)
            if check is not None:
                row = QHBoxLayout()
                button = QPushButton(S.SETTINGS_CHECK, box)
                button.setObjectName(f"check_{group}")
                result = QLabel("", box)
                result.setWordWrap(True)
                self.check_results[group] = result
                button.clicked.connect(lambda _=False, g=group, c=check, b=button: self._run_check(g, c, b))
                row.addWidget(button)
                row.addWidget(result, 1)
                form.addRow("", row)
            layout.addWidget(box)
        console = QGroupBox(S.SETTINGS_GROUPS["console"], inner)
        cf = QFormLayout(console)
        self.manager_name = QLineEdit(ctx.prefs.manager_name, console)
        cf.addRow(S.SETTINGS_LABELS["MANAGER_NAME"], self.manager_name)
        layout.addWidget(console)
        layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setObjectName("formMessage")
        outer.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Сохранить")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(S.CANCEL)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.saved_path: Path | None = None

    def _field(self, name: str, value: str, parent: QWidget) -> QWidget:
        if name in CHECKBOXES:
            box = QCheckBox(parent)
            box.setObjectName(f"setting_{name}")
            box.setChecked(value == "1")
            self.edits[name] = box
            return box
        if name in LONG_TEXT:
            text = QPlainTextEdit(value, parent)
            text.setFixedHeight(70)
            self.edits[name] = text
            return text
        edit = QLineEdit(value, parent)
        edit.setObjectName(f"setting_{name}")
        self.edits[name] = edit
        if name in SECRET_NAMES:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            holder = QWidget(parent)
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(edit, 1)
            show = QCheckBox(S.SETTINGS_SHOW_SECRET, holder)
            show.toggled.connect(lambda on, e=edit: e.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
            row.addWidget(show)
            return holder
        if name == "GOOGLE_CREDENTIALS_FILE":
            holder = QWidget(parent)
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(edit, 1)
            browse = QPushButton(S.SETTINGS_BROWSE, holder)
            browse.clicked.connect(lambda: self._browse(edit))
            row.addWidget(browse)
            return holder
        return edit

    def _browse(self, edit: QLineEdit) -> None:
        name, _ = QFileDialog.getOpenFileName(self, S.SETTINGS_BROWSE, "", "JSON (*.json)")
        if name:
            edit.setText(name)

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, edit in self.edits.items():
            if isinstance(edit, QCheckBox):
                out[name] = "1" if edit.isChecked() else "0"
            elif isinstance(edit, QPlainTextEdit):
                out[name] = edit.toPlainText().strip()
            else:
                out[name] = edit.text().strip()
        return out

    def _check_for(self, group: str) -> Callable[[Mapping[str, str]], Awaitable[tuple[bool, str]]] | None:
        if group == "whatsapp":
            return settings_checks.check_whatsapp
        if group == "llm":
            return settings_checks.check_llm
        if group == "drive":
            return lambda values: settings_checks.check_drive(values, self.ctx.engine.executor)
        if group == "telegram":
            return settings_checks.check_telegram
        if group == "seats":
            return lambda values: settings_checks.check_database(values, self.ctx.engine.executor)
        return None

    def _run_check(self, group: str, check: Callable[[Mapping[str, str]], Awaitable[tuple[bool, str]]], button: QPushButton) -> None:
        button.setEnabled(False)
        self.check_results[group].setText(S.SETTINGS_CHECKING)

        async def run() -> None:
            try:
                ok, text = await check(self.values())
                label = self.check_results[group]
                label.setText((S.CHECK_OK if ok else S.CHECK_FAIL).format(detail=text))
                label.setProperty("ok", ok)
            finally:
                button.setEnabled(True)

        self.ctx.run(run(), name=f"check-{group}")

    def show_errors(self, errors: Mapping[str, str]) -> None:
        for name, label in self.errors.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
        self.message.setText(errors.get("", ""))

    def save(self) -> None:
        values = self.values()
        errors = validate(values, self.settings.data_dir)
        self.show_errors(errors)
        if errors:
            return
        self.saved_path = write_settings_file(self.settings.data_dir, values)
        applied = self._apply_report_settings(values)
        name = self.manager_name.text().strip() or S.DEFAULT_MANAGER_NAME
        if name != self.ctx.prefs.manager_name or not self.ctx.prefs.name_confirmed:
            self.ctx.prefs.manager_name = name
            self.ctx.prefs.name_confirmed = True
            self.ctx.prefs.save()
            self.ctx.manager_changed.emit(name)
        self.message.setText(S.SETTINGS_SAVED + (S.SETTINGS_REPORTS_APPLIED if applied else S.SETTINGS_REPORTS_AFTER_RESTART))
        self.accept()

    def _apply_report_settings(self, values: Mapping[str, str]) -> bool:
        """Hand the (already validated) report settings to the running scheduler; False when
        this program has none (they then take effect at the next start)."""
        scheduler = self.ctx.engine.reports
        if scheduler is None:
            return False
        from ..services.reports.scheduler import ReportOptions

        parsed = load_settings(data_dir=self.settings.data_dir, environ={}, env_file=self.settings.data_dir / ".no-env",
                               overrides={name: values[name] for name in REPORT_NAMES})
        self.ctx.run(scheduler.apply(ReportOptions.of(parsed)), name="report-settings")  # owned by the console
        return True
