"""The «Акции» tab (issue 16): the promotions of promotions.xlsx with their status today
(Активна / Ожидает / Закончена), adding, editing and deleting them (written back through
services/promotions/writer.py, validated exactly like a dropped file), and the announcements:
compose one for a promotion, see who gets it, watch the progress, pause / resume / cancel,
and the results (sent, delivered, read, replied within 24 h, orders within 7 days).

Announcements are application commands (engine/commands.py); the leading seat's pacer sends.
The tab hears `AnnouncementChanged` / `AnnouncementProgress` through the bridge (ui/wiring.py):
this seat's own, or — when another seat leads, on PostgreSQL — the leader's, through LiveSync.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGroupBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from ..engine.announcements import PAUSE_FAILURES, AnnouncementError, AnnouncementResults, draft_text
from ..engine.promotions import Promotion, sort_for_list
from ..engine.states import AnnouncementState
from ..services.promotions.loader import load_promotions
from ..services.promotions.validation import ParsedPromotions
from ..services.promotions.writer import PromotionRow, row_of, save_promotions
from ..services.storage import announcements as store
from ..services.storage.announcement_results import announcement_results
from ..services.storage.consent import announcement_recipients
from . import strings as S
from . import theme
from .context import Context
from .promotion_dialogs import AnnounceDialog, PromotionDialog, fit_columns

if TYPE_CHECKING:
    from ottenok_desktop.engine.commands import Commands

log = logging.getLogger(__name__)
_STATUS_COLOURS = {"active": theme.ORDER, "waiting": theme.WAIT, "finished": theme.MUTED}
_RUN_COLOURS = {AnnouncementState.SENDING: theme.ORDER, AnnouncementState.PAUSED: theme.ALERT,
                AnnouncementState.CANCELLED: theme.MUTED, AnnouncementState.DONE: theme.MUTED}


FALLBACK_POLL_MS_POSTGRES = 15_000
FALLBACK_POLL_MS_SQLITE = 3_000


def _announcements_with_results() -> list[tuple[store.AnnouncementRow, AnnouncementResults]]:
    """Every announcement and its results, in one trip to the DB thread."""
    return [(row, announcement_results(row.id)) for row in store.announcements()]


def _recipients_with_names() -> list[dict[str, Any]]:
    from ..services.storage.models import Chat

    rows = announcement_recipients()
    names = dict(Chat.select(Chat.chat_id, Chat.name).where(Chat.chat_id.in_([r["chat"] for r in rows])).tuples()) \
        if rows else {}
    return [{**r, "name": names.get(r["chat"], "")} for r in rows]


class PromotionsTab(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.promotions: list[Promotion] = []
        self.announcements: list[tuple[store.AnnouncementRow, AnnouncementResults]] = []
        self._refresh_queued = False
        self.dialog: Any = None
        layout = QVBoxLayout(self)

        # ---- promotions ---------------------------------------------------------------------------
        top = QHBoxLayout()
        self.file_label = QLabel(S.PROMO_FILE.format(path=self.path), self)
        self.file_label.setObjectName("formMessage")
        top.addWidget(self.file_label, 1)
        self.add_button = QPushButton(S.PROMO_ADD, self)
        self.edit_button = QPushButton(S.PROMO_EDIT, self)
        self.delete_button = QPushButton(S.PROMO_DELETE, self)
        self.announce_button = QPushButton(S.PROMO_ANNOUNCE, self)
        self.announce_button.setObjectName("primary")
        for button, slot in ((self.add_button, self.add_promotion), (self.edit_button, self.edit_selected),
                             (self.delete_button, self.delete_selected),
                             (self.announce_button, self.announce_selected)):
            button.clicked.connect(slot)
            top.addWidget(button)
        layout.addLayout(top)
        self.message = QLabel("", self)
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table = QTableWidget(0, len(S.PROMO_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(S.PROMO_COLUMNS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        fit_columns(self.table, 0)
        layout.addWidget(self.table, 2)

        # ---- announcements ------------------------------------------------------------------------
        box = QGroupBox(S.ANNOUNCEMENTS_TITLE, self)
        bl = QVBoxLayout(box)
        buttons = QHBoxLayout()
        self.pause_button = QPushButton(S.ANNOUNCEMENT_PAUSE, box)
        self.resume_button = QPushButton(S.ANNOUNCEMENT_RESUME, box)
        self.cancel_button = QPushButton(S.ANNOUNCEMENT_CANCEL, box)
        for button, slot in ((self.pause_button, self.pause_selected), (self.resume_button, self.resume_selected),
                             (self.cancel_button, self.cancel_selected)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        bl.addLayout(buttons)
        self.announcement_message = QLabel("", box)
        self.announcement_message.setObjectName("fieldError")
        self.announcement_message.setWordWrap(True)
        bl.addWidget(self.announcement_message)
        self.runs = QTableWidget(0, len(S.ANNOUNCEMENT_COLUMNS), box)
        self.runs.setHorizontalHeaderLabels(list(S.ANNOUNCEMENT_COLUMNS))
        for n, tip in enumerate(S.ANNOUNCEMENT_TIPS):
            item = self.runs.horizontalHeaderItem(n)
            if item is not None and tip:
                item.setToolTip(tip)
        self.runs.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.runs.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.runs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.runs.itemSelectionChanged.connect(self._update_buttons)
        fit_columns(self.runs, 1)
        bl.addWidget(self.runs, 1)
        layout.addWidget(box, 3)
        self._update_buttons()
        # Another seat may lead and send. On PostgreSQL its progress arrives as events at once
        # (services/live_sync.py: LISTEN/NOTIFY, catch-up by update time); a slow look while an
        # announcement runs and the tab is shown is only the fallback for a lost wake-up. On SQLite
        # the engine is this process (its own events refresh the tab); the quicker look there is
        # for a CLI `promotions announce` on the same data.
        self.timer = QTimer(self)
        self.timer.setInterval(FALLBACK_POLL_MS_POSTGRES if ctx.engine.db.is_postgres else FALLBACK_POLL_MS_SQLITE)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        running = any(r.state == AnnouncementState.SENDING for r, _ in self.announcements)
        if running and self.isVisible():
            self.on_announcement_changed()

    # ---- data -------------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return Path(self.ctx.engine.settings.promotions_path)

    @property
    def desk(self) -> "Commands":
        return self.ctx.engine.commands

    async def refresh(self) -> None:
        parsed: ParsedPromotions = await self.ctx.in_executor(load_promotions, self.path)
        runs = await self.ctx.db(_announcements_with_results)
        self.show_promotions(parsed)
        self.show_announcements(runs)

    def on_announcement_changed(self, _event: Any = None) -> None:
        """An announcement moved (or queued one more chat): one refresh for a burst of events."""
        if self._refresh_queued:
            return
        self._refresh_queued = True

        async def again() -> None:
            try:
                await self.refresh()
            finally:
                self._refresh_queued = False

        self.ctx.run(again(), name="promotions-refresh")

    def show_promotions(self, parsed: ParsedPromotions) -> None:
        today = self.ctx.engine.clock.local().date()
        selected = self.selected_promotion()
        self.promotions = sort_for_list(parsed.promotions, today)
        if parsed.errors:
            self.message.setText("\n".join([S.PROMO_FILE_ERRORS, *[e.message_ru for e in parsed.errors[:5]]]))
        elif not self.promotions:
            self.message.setText(S.PROMO_EMPTY)
        elif not self.message.text().startswith(S.PROMO_SAVED.split("{")[0]):
            self.message.setText("")
        self.table.setRowCount(len(self.promotions))
        for r, promo in enumerate(self.promotions):
            status = str(promo.status(today))
            cells = (promo.title, S.PROMO_DATES.format(start=promo.start.strftime("%d.%m.%Y"),
                                                       end=promo.end.strftime("%d.%m.%Y")),
                     ", ".join(promo.applies_to),
                     promo.discount_text() if promo.fixed_price is None
                     else S.PROMO_FIXED_PRICE.format(price=promo.discount_text()), S.PROMO_STATUS[status])
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 4:
                    item.setForeground(QColor(_STATUS_COLOURS[status]))
                if c == 0 and promo.description:
                    item.setToolTip(promo.description)
                self.table.setItem(r, c, item)
            if selected is not None and promo.id == selected.id:
                self.table.selectRow(r)
        self._update_buttons()

    def show_announcements(self, runs: list[tuple[store.AnnouncementRow, AnnouncementResults]]) -> None:
        selected = self.selected_announcement()
        self.announcements = runs
        self.runs.setRowCount(len(runs))
        for r, (row, res) in enumerate(runs):
            cells = (str(row.id), row.title, S.ANNOUNCEMENT_STATE.get(row.state, row.state), "", str(res.sent),
                     str(res.delivered), str(res.read), str(res.replied_24h), str(res.orders_7d), row.created_by)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 4 and c <= 8:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == 2 and row.state in _RUN_COLOURS:
                    item.setForeground(QColor(_RUN_COLOURS[row.state]))
                self.runs.setItem(r, c, item)
            bar = QProgressBar(self.runs)
            bar.setRange(0, max(1, row.recipients))
            bar.setValue(row.progress)
            bar.setFormat(f"{row.progress} / {row.recipients}")
            bar.setMinimumWidth(140)
            self.runs.setCellWidget(r, 3, bar)
            if selected is not None and row.id == selected.id:
                self.runs.selectRow(r)
        if not runs:
            self.announcement_message.setText("")
        self._update_buttons()

    # ---- selection and buttons ------------------------------------------------------------------
    def selected_promotion(self) -> Promotion | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.promotions[rows[0].row()] if rows and rows[0].row() < len(self.promotions) else None

    def selected_announcement(self) -> store.AnnouncementRow | None:
        rows = self.runs.selectionModel().selectedRows() if self.runs.selectionModel() else []
        return self.announcements[rows[0].row()][0] if rows and rows[0].row() < len(self.announcements) else None

    def _update_buttons(self) -> None:
        promo = self.selected_promotion()
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(promo is not None)
        # a finished promotion is not announced (the bot would not cite it either)
        today = self.ctx.engine.clock.local().date()
        self.announce_button.setEnabled(promo is not None and str(promo.status(today)) != "finished")
        run = self.selected_announcement()
        state = run.state if run is not None else None
        self.pause_button.setEnabled(state == AnnouncementState.SENDING)
        self.resume_button.setEnabled(state == AnnouncementState.PAUSED)
        self.cancel_button.setEnabled(state in (AnnouncementState.SENDING, AnnouncementState.PAUSED,
                                                AnnouncementState.DRAFT))
        self.announcement_message.setText(self._pause_text(run) if run is not None else "")

    @staticmethod
    def _pause_text(run: store.AnnouncementRow) -> str:
        if run.state != AnnouncementState.PAUSED:
            return ""
        if run.pause_reason == PAUSE_FAILURES:
            return S.ANNOUNCEMENT_PAUSED_FAILURES.format(id=run.id, error=run.pause_detail or "—")
        return S.ANNOUNCEMENT_PAUSED_BY.format(id=run.id, who=run.pause_detail or "менеджер")

    # ---- editing promotions -----------------------------------------------------------------------
    def add_promotion(self) -> PromotionDialog:
        return self._open_editor(None)

    def edit_selected(self) -> PromotionDialog | None:
        promo = self.selected_promotion()
        return self._open_editor(promo) if promo is not None else None

    def _open_editor(self, promo: Promotion | None) -> PromotionDialog:
        others = [row_of(p) for p in self.promotions if promo is None or p.id != promo.id]
        position = next((i for i, p in enumerate(self.promotions) if promo is not None and p.id == promo.id),
                        len(self.promotions))

        async def save(row: PromotionRow) -> list[str]:
            rows = others[:position] + [row] + others[position:]
            return await self._write(rows)

        self.dialog = PromotionDialog(self.ctx, row_of(promo) if promo else None, save, self)
        self.dialog.open()
        return self.dialog

    def delete_selected(self) -> None:
        promo = self.selected_promotion()
        if promo is None:
            return
        answer = QMessageBox.question(self, S.PROMO_DELETE, S.PROMO_DELETE_CONFIRM.format(title=promo.title))
        if answer == QMessageBox.StandardButton.Yes:
            self.ctx.run(self.delete(promo.id), name="promotion-delete")

    async def delete(self, promotion_id: str) -> list[str]:
        return await self._write([row_of(p) for p in self.promotions if p.id != promotion_id])

    async def _write(self, rows: list[PromotionRow]) -> list[str]:
        """Write the whole file; the Russian errors when it is refused (nothing changed then)."""
        parsed: ParsedPromotions = await self.ctx.in_executor(save_promotions, self.path, rows)
        if parsed.errors:
            return [e.message_ru for e in parsed.errors[:5]]
        self.message.setText(S.PROMO_SAVED.format(name=self.path.name, count=len(parsed.promotions)))
        self.show_promotions(parsed)
        return []

    # ---- announcements ------------------------------------------------------------------------------
    def announce_selected(self) -> None:
        promo = self.selected_promotion()
        if promo is not None:
            self.ctx.run(self.compose(promo), name="announcement-compose")

    async def compose(self, promo: Promotion) -> AnnounceDialog:
        """The composer with the exact list the announcement would be fixed with now."""
        recipients = await self.ctx.db(_recipients_with_names)

        async def start(text: str, photos: list[Path]) -> str:
            try:
                _id, count = await self.desk.start_announcement(promo.id, promo.title, text, photos, self.ctx.manager)
            except AnnouncementError as exc:
                return S.ANNOUNCE_ERRORS.get(exc.code, str(exc))
            self.message.setText(S.ANNOUNCE_STARTED.format(count=count))
            await self.refresh()
            return ""

        self.dialog = AnnounceDialog(self.ctx, promo.title, draft_text(promo), recipients, start, self)
        self.dialog.open()
        return self.dialog

    def pause_selected(self) -> None:
        self._act("pause")

    def resume_selected(self) -> None:
        self._act("resume")

    def cancel_selected(self) -> None:
        run = self.selected_announcement()
        if run is None:
            return
        left = run.recipients - run.progress
        answer = QMessageBox.question(self, S.ANNOUNCEMENT_CANCEL,
                                      S.ANNOUNCEMENT_CANCEL_CONFIRM.format(id=run.id, left=left))
        if answer == QMessageBox.StandardButton.Yes:
            self._act("cancel")

    def _act(self, action: str) -> None:
        run = self.selected_announcement()
        if run is not None:
            self.ctx.run(self.act(run.id, action), name=f"announcement-{action}")

    async def act(self, announcement_id: int, action: str) -> bool:
        command = {"pause": self.desk.pause_announcement, "resume": self.desk.resume_announcement,
                   "cancel": self.desk.cancel_announcement}[action]
        done = await command(announcement_id, self.ctx.manager)
        await self.refresh()
        if not done:
            row = next((r for r, _ in self.announcements if r.id == announcement_id), None)
            state = S.ANNOUNCEMENT_STATE.get(row.state, row.state).lower() if row else "—"
            self.announcement_message.setText(S.ANNOUNCEMENT_REFUSED.format(id=announcement_id, state=state))
        return bool(done)
