"""Helpers that write real promotions.xlsx files for the tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

HEADERS = ["title", "description", "start", "end", "applies_to", "discount"]
RU_HEADERS = ["Название", "Описание", "Начало", "Конец", "На что", "Скидка"]

ROWS: list[list[Any]] = [
    ["Miu Miu −15%", "до воскресенья", "01.12.2026", "06.12.2026", "Miu Miu", "15%"],
    ["Сумки к Новому году", "", datetime(2026, 12, 20), datetime(2026, 12, 31), "сумки", "10%"],
    ["Чёрная пятница", "", "20.11.2026", "29.11.2026", "всё", "30%"],
    ["Лоферы Chanel по спеццене", "", "25.11.2026", "10.12.2026", "Лоферы Chanel", "256 500"],
]


def write_promotions(path: Path, rows: Sequence[Sequence[Any]], headers: Sequence[Any] = HEADERS) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
