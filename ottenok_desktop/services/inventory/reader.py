"""Reading a stock workbook into raw rows: python-calamine, openpyxl as fallback; .csv
files through csv_reader.py (encoding and delimiter detected).

python-calamine is used directly rather than through `pandas.read_excel(engine="calamine")`:
the rows are needed as Python lists anyway, and skipping the DataFrame (and pandas'
per-cell conversion) roughly halves the load time of a 20,000-row file (bench/inventory.py).

Only I/O and format problems are handled here (missing, empty, corrupt, no sheet); what
the cells mean is `validation.py`'s job. Runs in an executor thread, never on the loop.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (.xlsx/.ods), OLE2 (.xls)


class ReadError(Exception):
    """The file cannot be read as a workbook; `code` selects the message."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code  # missing | empty | unsupported | corrupt | corrupt_csv | no_sheet
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class RawTable:
    sheet: str
    rows: list[list[Any]]  # every row of the sheet, cells as Python values (None for empty)
    engine: str  # calamine | openpyxl | csv (utf-8/cp1251, ";")


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _source(path: Path, data: bytes | None) -> Any:
    if data is None:
        return path
    import io

    return io.BytesIO(data)


def _read_calamine(path: Path, data: bytes | None = None) -> list[tuple[str, list[list[Any]]]]:
    import python_calamine

    workbook = python_calamine.load_workbook(_source(path, data) if data is not None else str(path))
    out: list[tuple[str, list[list[Any]]]] = []
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        # calamine gives "" for an empty cell; the rest of the loader expects None
        out.append((str(name), [[None if v == "" else v for v in row] for row in rows]))
    return out


def _read_openpyxl(path: Path, data: bytes | None = None) -> list[tuple[str, list[list[Any]]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(_source(path, data), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, [[_clean(v) for v in row] for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def read_workbook(path: Path, engine: str = "auto", data: bytes | None = None) -> list[RawTable]:
    """All sheets of the workbook. engine: auto (calamine, then openpyxl) | calamine | openpyxl.

    With `data`, those bytes are parsed (the path gives the name and the format), so the
    bytes that were validated are exactly the bytes later copied into the data dir.
    """
    if data is None:
        if not path.exists():
            raise ReadError("missing", str(path))
        if path.is_dir():
            raise ReadError("unsupported", "a folder, not a file")
        if path.stat().st_size == 0:
            raise ReadError("empty")
    elif not data:
        raise ReadError("empty")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ReadError("unsupported", path.suffix or "no extension")
    if path.suffix.lower() == ".csv":
        if data is None:
            data = path.read_bytes()
        if not data.startswith(_WORKBOOK_MAGIC):
            return [_read_csv_table(path, data)]
        # a workbook that was only renamed to .csv: read it as the workbook it is
    errors: list[str] = []
    engines = ["calamine", "openpyxl"] if engine == "auto" else [engine]
    for name in engines:
        if name == "openpyxl" and path.suffix.lower() in (".xls", ".ods", ".csv"):
            continue
        try:
            sheets = _read_calamine(path, data) if name == "calamine" else _read_openpyxl(path, data)
        except ImportError as exc:
            errors.append(f"{name}: not installed ({exc})")
            continue
        except Exception as exc:  # any parser failure means "cannot read"; the next engine may cope
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
            log.debug("stock reader %s failed on %s", name, path, exc_info=True)
            continue
        if not sheets:
            raise ReadError("no_sheet")
        return [RawTable(sheet, rows, name) for sheet, rows in sheets]
    raise ReadError("corrupt", "; ".join(errors)[:500])


def _read_csv_table(path: Path, data: bytes | None) -> RawTable:
    from .csv_reader import CsvDecodeError, read_csv

    try:
        rows, encoding, delimiter = read_csv(path.read_bytes() if data is None else data)
    except CsvDecodeError as exc:
        raise ReadError("corrupt_csv", str(exc)) from exc
    except OSError as exc:
        raise ReadError("missing", str(exc)) from exc
    log.debug("stock csv %s: encoding %s, delimiter %r", path.name, encoding, delimiter)
    return RawTable(path.stem, rows, f"csv ({encoding}, {delimiter!r})")
