"""Checking a promotions sheet and turning it into Promotions, with exact errors.

Same style as the stock file (services/inventory/validation.py): every problem names the
file, the row, the column and the value, in English (logs, CLI) and Russian (the console),
and one error rejects the whole file — a half-loaded promotions list could cite the wrong
price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Sequence

from ...engine.lexicon.text import normalize
from ...engine.promotions import Promotion, promotion_id
from ..inventory.reader import RawTable
from ..inventory.validation import parse_number
from ..staff_files import HeaderSpec, StaffFileError, cell_error, show
from ..staff_files import file_error as staff_file_error

MAX_ERRORS = 200
REQUIRED = ("title", "start", "end", "applies_to", "discount")
COLUMN_RU = {"title": "Название", "description": "Описание", "start": "Начало", "end": "Конец",
             "applies_to": "На что", "discount": "Скидка"}
PROMOTION_HEADERS = HeaderSpec({
    "title": ("title", "название", "акция", "name"),
    "description": ("description", "описание"),
    "start": ("start", "начало", "с", "дата начала", "start date"),
    "end": ("end", "конец", "по", "дата окончания", "окончание", "end date"),
    "applies_to": ("applies_to", "applies to", "на что", "товары", "распространяется на"),
    "discount": ("discount", "скидка", "цена по акции"),
}, REQUIRED, COLUMN_RU, is_header=lambda found: {"title", "start"} <= found or {"title", "discount"} <= found)
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*(?:г\.?)?\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_PERCENT_RE = re.compile(r"^\s*(\d{1,2}(?:[.,]\d+)?)\s*%\s*$")


# one row/column error shape for every staff file (stock, promotions, partners): the same
# messages, the same dialog in the console
PromotionError = StaffFileError


@dataclass
class ParsedPromotions:
    promotions: list[Promotion] = field(default_factory=list)
    errors: list[PromotionError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def file_error(path: Path, code: str, detail: str = "") -> PromotionError:
    return staff_file_error(path, code, detail, PROMOTION_HEADERS)


def _cell_error(path: Path, row: int, column: str, value: Any, code: str, extra: str = "") -> PromotionError:
    shown = "" if value is None else show(value)
    messages = {
        "empty": ("the cell is empty", "ячейка пустая"),
        "not_date": (f"'{shown}' is not a date (use DD.MM.YYYY)", f"«{shown}» — не дата (нужно ДД.ММ.ГГГГ)"),
        "end_before_start": (f"'{shown}' is before the start date {extra}",
                             f"«{shown}» раньше даты начала {extra}"),
        "bad_discount": (f"'{shown}' is neither a percent (10%) nor a price (88 200)",
                         f"«{shown}» — не процент (10%) и не цена (88 200)"),
        "bad_percent": (f"'{shown}': a percent must be from 1 to 99", f"«{shown}»: процент должен быть от 1 до 99"),
        "duplicate": (f"'{shown}': the same title and start date as row {extra}",
                      f"«{shown}»: то же название и дата начала, что в строке {extra}"),
    }
    en, ru = messages[code]
    return cell_error(path, row, column, value, code, en, ru)


def parse_date(value: Any) -> date | None:
    """An Excel date (datetime/date or a serial number), 'ДД.ММ.ГГГГ' or 'ГГГГ-ММ-ДД' → a date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        if 20000 <= value <= 80000:  # Excel serial days (1954..2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = str(value)
    match = _DATE_RE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _ISO_RE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def parse_discount(value: Any) -> tuple[int | None, int | None, str]:
    """(percent, fixed price, error code or "")."""
    if isinstance(value, float) and 0 < value < 1:  # an Excel cell formatted as percent: 0.15
        return int(round(value * 100)), None, ""
    if isinstance(value, str):
        match = _PERCENT_RE.match(value)
        if match:
            percent = float(match.group(1).replace(",", "."))
            if not 1 <= percent <= 99 or not percent.is_integer():
                return None, None, "bad_percent"
            return int(percent), None, ""
        if "%" in value:
            return None, None, "bad_percent"
    number = parse_number(value)
    if number is None or number != number or number < 100 or not float(number).is_integer():
        return None, None, "bad_discount"
    return None, int(number), ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_table(path: Path, table: RawTable, catalog: frozenset[str] = frozenset()) -> ParsedPromotions:
    """Validate one sheet. `catalog`: normalised brand/product/type names of the stock file;
    a target not among them is a warning (the stock may be loaded later or changed)."""
    result = ParsedPromotions()
    header_index = PROMOTION_HEADERS.find(table.rows)
    if header_index is None:
        result.errors.append(file_error(path, "no_header"))
        return result
    columns = PROMOTION_HEADERS.map_row(table.rows[header_index])
    col, header = columns.columns, columns.headers
    result.errors.extend(PROMOTION_HEADERS.missing_columns(path, header_index, columns))
    if result.errors:
        return result
    seen: dict[str, int] = {}
    for row_no, row in enumerate(table.rows[header_index + 1:], start=header_index + 2):
        if all(cell is None for cell in row):
            continue
        if len(result.errors) >= MAX_ERRORS:
            break

        def cell(key: str) -> Any:
            index = col.get(key)
            return row[index] if index is not None and index < len(row) else None

        before = len(result.errors)
        title = _text(cell("title"))
        if not title:
            result.errors.append(_cell_error(path, row_no, header["title"], None, "empty"))
        dates: dict[str, date] = {}
        for key in ("start", "end"):
            raw = cell(key)
            if raw is None:
                result.errors.append(_cell_error(path, row_no, header[key], None, "empty"))
                continue
            parsed = parse_date(raw)
            if parsed is None:
                result.errors.append(_cell_error(path, row_no, header[key], raw, "not_date"))
            else:
                dates[key] = parsed
        if len(dates) == 2 and dates["end"] < dates["start"]:
            result.errors.append(_cell_error(path, row_no, header["end"], dates["end"].strftime("%d.%m.%Y"),
                                             "end_before_start", dates["start"].strftime("%d.%m.%Y")))
        targets = tuple(t for t in (" ".join(p.split()) for p in _text(cell("applies_to")).split(",")) if t)
        if not targets:
            result.errors.append(_cell_error(path, row_no, header["applies_to"], None, "empty"))
        raw_discount = cell("discount")
        percent = fixed = None
        if raw_discount is None:
            result.errors.append(_cell_error(path, row_no, header["discount"], None, "empty"))
        else:
            percent, fixed, problem = parse_discount(raw_discount)
            if problem:
                result.errors.append(_cell_error(path, row_no, header["discount"], raw_discount, problem))
        if len(result.errors) > before:
            continue
        promo = Promotion(id=promotion_id(title, dates["start"]), title=title,
                          description=_text(cell("description")), start=dates["start"], end=dates["end"],
                          applies_to=targets, percent=percent, fixed_price=fixed, row=row_no)
        if promo.id in seen:
            result.errors.append(_cell_error(path, row_no, header["title"], title, "duplicate", str(seen[promo.id])))
            continue
        seen[promo.id] = row_no
        if catalog and not promo.everything:
            for target in targets:
                if normalize(target) not in catalog:
                    result.warnings.append(f"{path.name}, row {row_no}, column '{header['applies_to']}': "
                                           f"'{target}' is not a brand, product or type in the stock file")
        result.promotions.append(promo)
    return result


def parse_workbook(path: Path, tables: Sequence[RawTable], catalog: frozenset[str] = frozenset()) -> ParsedPromotions:
    """The first sheet with a header row holds the promotions; an empty sheet is no promotions."""
    for table in tables:
        if PROMOTION_HEADERS.find(table.rows) is not None:
            return parse_table(path, table, catalog)
    parsed = ParsedPromotions()
    if any(any(cell is not None for cell in row) for t in tables for row in t.rows):
        parsed.errors.append(file_error(path, "no_header"))
    return parsed
