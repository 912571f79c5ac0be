"""Reading a stock file saved as .csv (accounting exports, "Save as CSV" in Excel).

The encoding and the delimiter are not written anywhere, so they are detected:
- encoding: a UTF-16 BOM (Excel's "Unicode text"), then UTF-8 with or without BOM, then
  cp1251 (Russian Windows/Excel and 1C exports);
- delimiter: `;` (Excel in Russian locales, where `,` is the decimal mark), `,`, or tab;
  the one under which a header row with the stock columns is found wins, then the one
  that splits the first rows into the most consistent number of columns.

Cells come back as text (None for empty), the same raw rows `reader.py` gives for a
workbook, so the same validation (and the same error messages) applies: decimal commas
and `145 000 ₸` prices are handled there by `parse_number`.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from .schema import STOCK_HEADERS

DELIMITERS = (";", ",", "\t")
_SAMPLE_ROWS = 20


class CsvDecodeError(ValueError):
    """The bytes are not text in any encoding a stock CSV comes in."""


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a CSV file's bytes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise CsvDecodeError("binary data, not a text file")
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as exc:
        raise CsvDecodeError(f"not UTF-8 or cp1251 text ({exc.reason} at byte {exc.start})") from exc


def _rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    for row in reader:
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    return rows


def _consistency(rows: list[list[str]]) -> tuple[int, int]:
    """(rows sharing the most common width ≥ 2, that width) — higher is a better split."""
    widths = Counter(len(row) for row in rows if any(cell.strip() for cell in row))
    best = [(count, width) for width, count in widths.items() if width >= 2]
    return max(best) if best else (0, 0)


def detect_delimiter(text: str) -> str:
    scores: list[tuple[int, tuple[int, int], int, str]] = []
    for rank, delimiter in enumerate(DELIMITERS):
        sample = _rows(text, delimiter, _SAMPLE_ROWS)
        header = any(STOCK_HEADERS.looks_like_header(_clean_row(row)) for row in sample)
        scores.append((int(header), _consistency(sample), -rank, delimiter))
    return max(scores)[3]


def _clean_row(row: list[str]) -> list[Any]:
    return [cell.strip() or None for cell in row]


def read_csv(data: bytes) -> tuple[list[list[Any]], str, str]:
    """(rows, encoding, delimiter). Raises CsvDecodeError for bytes that are not text."""
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text)
    return [_clean_row(row) for row in _rows(text, delimiter)], encoding, delimiter
