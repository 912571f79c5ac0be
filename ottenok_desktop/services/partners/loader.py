"""partners.xlsx → a PartnerBook, with exact row/column errors like the stock file.

Header `code, phone, name, discount` (or `Код, Телефон, Имя, Скидка`); discount in percent.
A missing file is "no partners"; a file with errors is rejected whole and the previous
partners stay in use. Blocking: run in an executor (WatchedPromotions does).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ...engine.partners import Partner, PartnerBook, phone_key
from ..inventory.reader import RawTable, ReadError, read_workbook
from ..inventory.validation import parse_number
from ..staff_files import HeaderSpec, cell_error
from ..staff_files import StaffFileError as FileError
from ..staff_files import file_error as staff_file_error

log = logging.getLogger(__name__)

COLUMN_RU = {"code": "Код", "phone": "Телефон", "name": "Имя", "discount": "Скидка"}
REQUIRED = ("code", "name", "discount")
PARTNER_HEADERS = HeaderSpec({"code": ("code", "код", "код партнера"), "phone": ("phone", "телефон", "номер"),
                              "name": ("name", "имя", "партнер"), "discount": ("discount", "скидка")},
                             REQUIRED, COLUMN_RU, is_header=lambda found: {"code", "name"} <= found)


@dataclass
class ParsedPartners:
    partners: list[Partner] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if value is not None else ""


def _cell_error(path: Path, row: int, column: str, value: Any, en: str, ru: str, code: str) -> FileError:
    return cell_error(path, row, column, value, code, en, ru)


def file_error(path: Path, code: str, detail: str = "") -> FileError:
    return staff_file_error(path, code, detail, PARTNER_HEADERS)


def parse_table(path: Path, rows: Sequence[Sequence[Any]]) -> ParsedPartners:
    result = ParsedPartners()
    header_index = PARTNER_HEADERS.find(rows)
    if header_index is None:
        if any(any(c is not None for c in row) for row in rows):
            result.errors.append(file_error(path, "no_header"))
        return result
    columns = PARTNER_HEADERS.map_row(rows[header_index])
    col, header = columns.columns, columns.headers
    result.errors.extend(PARTNER_HEADERS.missing_columns(path, header_index, columns))
    if result.errors:
        return result
    seen: dict[str, int] = {}
    for row_no, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if all(c is None for c in row):
            continue

        def cell(key: str) -> Any:
            index = col.get(key)
            return row[index] if index is not None and index < len(row) else None

        before = len(result.errors)
        code = _text(cell("code")).upper()
        if not code:
            result.errors.append(_cell_error(path, row_no, header["code"], None, "the code is empty",
                                             "не указан код", "empty"))
        elif code in seen:
            result.errors.append(_cell_error(path, row_no, header["code"], code, f"'{code}' is also in row {seen[code]}",
                                             f"«{code}» уже есть в строке {seen[code]}", "duplicate"))
        raw_phone = cell("phone")
        phone = phone_key(_text(raw_phone))
        if raw_phone is not None and not 10 <= len(phone) <= 15:
            result.errors.append(_cell_error(path, row_no, header["phone"], raw_phone, f"'{raw_phone}' is not a phone number",
                                             f"«{raw_phone}» — не номер телефона", "bad_phone"))
        raw = cell("discount")
        percent = parse_number(str(raw).replace("%", "")) if raw is not None else None
        if isinstance(raw, float) and 0 < raw < 1:  # a cell formatted as percent
            percent = raw * 100
        if percent is None or not 1 <= percent <= 99 or not float(percent).is_integer():
            result.errors.append(_cell_error(path, row_no, header["discount"], raw,
                                             f"'{raw}': a discount in percent from 1 to 99 is needed",
                                             f"«{raw}»: нужна скидка в процентах от 1 до 99", "bad_percent"))
        if len(result.errors) > before:
            continue
        seen[code] = row_no
        result.partners.append(Partner(code, phone, _text(cell("name")), int(percent or 0), row_no))
    return result


def load_partners(path: Path) -> ParsedPartners:
    if not path.exists():
        return ParsedPartners()
    try:
        tables: list[RawTable] = read_workbook(path)
    except ReadError as exc:
        return ParsedPartners(errors=[file_error(path, exc.code, exc.detail)])
    return parse_table(path, tables[0].rows if tables else [])


class PartnersFile:
    """The partners in use; same reload/changed/book contract as PromotionsFile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._book = PartnerBook()
        self._mtime: float | None = None
        self._lock = threading.Lock()
        self.errors: tuple[FileError, ...] = ()

    def reload(self) -> bool:
        mtime = self.path.stat().st_mtime if self.path.exists() else None
        parsed = load_partners(self.path)
        with self._lock:
            self._mtime = mtime
            self.errors = tuple(parsed.errors)
            if parsed.errors:
                for error in parsed.errors[:5]:
                    log.warning("partners file rejected: %s", error.message_en)
                return False
            self._book = PartnerBook(tuple(parsed.partners))
        log.info("partners loaded: %d from %s", len(parsed.partners), self.path.name)
        return True

    def changed(self) -> bool:
        return (self.path.stat().st_mtime if self.path.exists() else None) != self._mtime

    def book(self) -> PartnerBook:
        return self._book
