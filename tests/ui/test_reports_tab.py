"""The «Отчёты» tab on a real console: a week's figures, the responders, the charts, the
advice list opening the chat, and the Excel export."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import QDate

from ottenok_desktop.services.storage import Database
from tests.services.reports.shop_db import fill

from .conftest import open_console, wait_until

SILENT = "77011110003@c.us"


async def test_week_report_in_the_console(demo_settings, responder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = Database(demo_settings.database_path).open_sync()
    try:
        fill(db)
    finally:
        db.close_sync()
    async with open_console(demo_settings, responder) as console:
        window = console.window
        tab = window.reports_tab
        window.tabs.setCurrentWidget(tab)
        tab.period.setCurrentIndex(1)  # «Неделя»
        tab.date.setDate(QDate(2026, 11, 24))
        await wait_until(lambda: tab.report is not None and tab.report.period.label() == "2026-11-23..2026-11-29",
                         what="the week's report")
        assert tab.status.text().startswith("Период 2026-11-23..2026-11-29, рабочие часы 9-19")
        assert tab.tiles["chats"].text() == "4"
        assert tab.tiles["unanswered"].text() == "2"
        assert tab.tiles["first"].text() == "2 мин / 2 мин"
        assert tab.tiles["conversion"].text() == "25"
        names = [tab.responders.item(r, 0).text() for r in range(tab.responders.rowCount())]
        assert names == ["Бот", "Асель", "Менеджер"]
        assert tab.responders.item(1, 4).text() == "20 мин"  # Асель's reply median
        assert set(tab.charts) == {"volume", "day_time", "buckets", "responders", "spin"}
        assert len(tab.charts["buckets"].getPlotItem().items) == 1

        row = tab.advice_chats.index(SILENT)
        assert tab.advice.item(row, 1).text() == "Нет ответа\nНет следующего шага"
        assert "Нет ответа магазина: клиент написал" in tab.advice.item(row, 1).toolTip()
        tab.advice.cellClicked.emit(row, 1)  # the manager clicks the advice
        await wait_until(lambda: window.chat_panel.chat_id == SILENT, what="the chat to open")
        assert window.tabs.currentIndex() == 0

        out = await tab.export_to(tmp_path / "неделя")
        assert out.suffix == ".xlsx" and "Сохранено" in tab.status.text()
        book = openpyxl.load_workbook(out)
        assert book.sheetnames[0] == "Сводка"
        # the view loaded text facts only; the export reads the texts for the messages sheet
        assert any(row[4] for row in book["Сообщения"].iter_rows(min_row=2, values_only=True))


async def test_a_day_without_messages(demo_settings, responder) -> None:  # type: ignore[no-untyped-def]
    async with open_console(demo_settings, responder) as console:
        tab = console.window.reports_tab
        tab.date.setDate(QDate(2020, 1, 1))
        await wait_until(lambda: tab.report is not None and tab.report.period.label() == "2020-01-01",
                         what="the empty day's report")
        assert tab.status.text() == "За этот период сообщений нет."
        assert tab.tiles["chats"].text() == "0" and not tab.export_button.isEnabled()
        assert tab.advice.rowCount() == 0
