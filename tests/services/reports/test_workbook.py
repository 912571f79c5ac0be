"""The Excel workbook: the sheets, Russian headers, widths, frozen headers, native charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from ottenok_desktop.engine.analytics.compute import build_report
from ottenok_desktop.engine.analytics.model import period_for
from ottenok_desktop.services.reports.loader import load_period
from ottenok_desktop.services.reports.workbook import write_workbook
from ottenok_desktop.services.storage import Database
from ottenok_desktop.settings import WorkHours

from .shop_db import ALMATY, fill


def test_workbook_sheets_and_rows(database: Database, tmp_path: Path) -> None:
    fill(database)
    report_input = database.call_sync(load_period, period_for("week", date(2026, 11, 24), ALMATY), True)
    report = build_report(report_input, WorkHours(9, 19))
    path = write_workbook(report, tmp_path / "out" / "report.xlsx", report_input)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Сводка", "По дням", "Менеджеры и бот", "Каналы", "Чаты", "Советы по чатам",
                             "SPIN по менеджерам", "SPIN по чатам", "Планы улучшения", "Сообщения"]
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.column_dimensions["A"].width > 8, name
    days = wb["По дням"]
    assert days["A1"].value == "День" and days.max_row == 8  # header + Monday..Sunday
    assert [days.cell(row=3, column=c).value for c in (3, 4)] == [4, 2]  # Tuesday the 24th: 4 in, 2 out
    responders = wb["Менеджеры и бот"]
    assert [responders.cell(row=r, column=1).value for r in (2, 3, 4)] == ["Бот", "Асель", "Менеджер"]
    assert responders["F3"].value is None and responders["J3"].value == 20.0  # Асель: no first reply; replies 20 min
    advice = wb["Советы по чатам"]
    texts = {advice.cell(row=r, column=3).value: advice.cell(row=r, column=4).value for r in range(2, advice.max_row + 1)}
    assert set(texts) >= {"no_reply", "no_next_step", "no_questions"}
    assert texts["no_reply"].startswith("Нет ответа магазина")
    messages = wb["Сообщения"]
    assert messages.max_row == 1 + 8  # the week's messages, system line excluded
    assert len(wb["По дням"]._charts) == 2 and len(wb["Менеджеры и бот"]._charts) == 1
    assert len(wb["Сводка"]._charts) == 1 and len(wb["SPIN по менеджерам"]._charts) == 1
