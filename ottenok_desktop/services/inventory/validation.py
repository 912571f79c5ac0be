"""Checking a raw sheet and turning it into StockItems, with exact errors.

Every problem names the file, the row, the column and the value, in English (logs, CLI)
and Russian (the console). One error rejects the whole file: a half-loaded stock would
make the bot promise what is not there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ...engine.lexicon.colors import color_key
from ...engine.lexicon.product_types import normalize_product_type
from ...engine.lexicon.sizes import normalize_size
from ...engine.lexicon.text import normalize
from ..staff_files import StaffFileError, cell_error, show
from ..staff_files import file_error as staff_file_error
from .model import StockItem
from .reader import RawTable, ReadError
from .schema import STOCK_HEADERS

MAX_ERRORS = 200  # a totally wrong file must not produce a million-line message

# the one row/column error of every staff file (services/staff_files.py)
InventoryError = StaffFileError


@dataclass
class ParsedStock:
    items: list[StockItem] = field(default_factory=list)
    errors: list[InventoryError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""
    engine: str = ""


_FILE_EXTRA = {"no_rows": ("{name}: the sheet has no stock rows under the header",
                           "В файле «{name}» нет ни одной строки с товаром под заголовком")}


def file_error(path: Path, code: str, detail: str = "") -> InventoryError:
    extra = {k: (en.format(name=path.name), ru.format(name=path.name)) for k, (en, ru) in _FILE_EXTRA.items()}
    return staff_file_error(path, code, detail, STOCK_HEADERS, formats=".xlsx or .csv", extra=extra)


def from_read_error(path: Path, exc: ReadError) -> InventoryError:
    return file_error(path, exc.code, exc.detail)


def _cell_error(path: Path, row: int, column: str, value: Any, code: str, extra: str = "") -> InventoryError:
    shown = "" if value is None else show(value)
    messages = {
        "empty_product": ("product name is empty", "не указано наименование товара"),
        "empty_number": ("the cell is empty, a number is needed", "ячейка пустая, нужно число"),
        "not_number": (f"'{shown}' is not a number", f"«{shown}» — не число"),
        "not_integer": (f"'{shown}' is not a whole number", f"«{shown}» — не целое число"),
        "negative": (f"'{shown}' is negative", f"«{shown}» — отрицательное число"),
        "duplicate": (
            f"'{shown}': the same product, size and colour as row {extra} but a different price",
            f"«{shown}»: тот же товар, размер и цвет, что в строке {extra}, но другая цена",
        ),
    }
    en, ru = messages[code]
    return cell_error(path, row, column, value, code, en, ru)


_CURRENCY = re.compile(r"(₸|тенге|тг\.?|kzt|т\.|руб\.?|₽|\$|шт\.?|pcs)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_number(value: Any) -> float | None:
    """145000, 145000.0, '145 000 ₸', '145 000,00 тг' → a float; None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = _CURRENCY.sub("", str(value))
    text = _SPACES.sub("", text)
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    elif "," in text and "." in text:  # 145,000.00
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _cell(row: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    return row[index]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_table(path: Path, table: RawTable) -> ParsedStock:
    """Validate one sheet and build its items (or the list of errors)."""
    result = ParsedStock(sheet=table.sheet, engine=table.engine)
    header_index = STOCK_HEADERS.find(table.rows)
    if header_index is None:
        result.errors.append(file_error(path, "no_header"))
        return result
    columns = STOCK_HEADERS.map_row(table.rows[header_index])
    result.errors.extend(STOCK_HEADERS.missing_columns(path, header_index, columns))
    if result.errors:
        return result
    col = columns.columns
    header = columns.headers
    seen: dict[tuple[str, str, str], tuple[int, int]] = {}  # key -> (index in items, row)
    for offset, row in enumerate(table.rows[header_index + 1:], start=header_index + 2):
        if all(cell is None for cell in row):
            continue
        if len(result.errors) >= MAX_ERRORS:
            break
        product = _text(_cell(row, col["product_name"]))
        if not product:
            result.errors.append(_cell_error(path, offset, header["product_name"], None, "empty_product"))
            continue
        numbers: dict[str, int] = {}
        for name in ("quantity", "price"):
            raw = _cell(row, col[name])
            if raw is None:
                result.errors.append(_cell_error(path, offset, header[name], None, "empty_number"))
                continue
            number = parse_number(raw)
            if number is None or number != number or number in (float("inf"), float("-inf")):
                result.errors.append(_cell_error(path, offset, header[name], raw, "not_number"))
            elif number < 0:
                result.errors.append(_cell_error(path, offset, header[name], raw, "negative"))
            elif name == "quantity" and not float(number).is_integer():
                result.errors.append(_cell_error(path, offset, header[name], raw, "not_integer"))
            else:
                numbers[name] = int(round(number))
        if len(numbers) < 2:
            continue
        size = normalize_size(_cell(row, col["size"])) or ""
        color = _text(_cell(row, col["color"]))
        item = StockItem(
            product=" ".join(product.split()),
            size=size,
            color=" ".join(color.split()),
            quantity=numbers["quantity"],
            price=numbers["price"],
            sku=_text(_cell(row, col.get("sku"))),
            brand=_text(_cell(row, col.get("brand"))),
            product_type=normalize_product_type(_text(_cell(row, col.get("product_type")))),
            row=offset,
        )
        key = (normalize(item.product), item.size, color_key(item.color))
        if key in seen:
            index, first_row = seen[key]
            first = result.items[index]
            if first.price != item.price:
                result.errors.append(_cell_error(path, offset, header["price"], _cell(row, col["price"]),
                                                 "duplicate", str(first_row)))
                continue
            # Same line twice with the same price: staff split a delivery; add the quantities.
            from dataclasses import replace

            result.items[index] = replace(first, quantity=first.quantity + item.quantity)
            result.warnings.append(f"{path.name}, row {offset}: same item as row {first_row}; quantities added")
            continue
        seen[key] = (len(result.items), offset)
        result.items.append(item)
    if not result.items and not result.errors:
        result.errors.append(file_error(path, "no_rows"))
    return result


def parse_workbook(path: Path, tables: Sequence[RawTable]) -> ParsedStock:
    """The first sheet that has a header row is the stock; a workbook may carry notes sheets."""
    for table in tables:
        if STOCK_HEADERS.find(table.rows) is not None:
            return parse_table(path, table)
    if tables and not any(any(cell is not None for cell in row) for t in tables for row in t.rows):
        parsed = ParsedStock(sheet=tables[0].sheet, engine=tables[0].engine)
        parsed.errors.append(file_error(path, "no_rows"))
        return parsed
    parsed = ParsedStock(sheet=tables[0].sheet if tables else "", engine=tables[0].engine if tables else "")
    parsed.errors.append(file_error(path, "no_header"))
    return parsed
