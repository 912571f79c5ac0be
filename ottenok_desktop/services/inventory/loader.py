"""One stock file → a validated StockIndex or the list of errors (blocking; run in an executor).

Shared by the InventoryService (watcher and drag-and-drop), the CLI and the benchmark.
The file is read once into memory; the version is the SHA-256 of those bytes, so the same
content always has the same version (and reservations survive re-dropping an unchanged file).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .index import StockIndex
from .reader import ReadError, read_workbook
from .validation import InventoryError, file_error, from_read_error, parse_workbook

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    ok: bool
    rows: int
    errors: list[InventoryError]
    seconds: float
    path: str = ""
    version: str = ""
    products: int = 0
    warnings: list[str] = field(default_factory=list)
    engine: str = ""

    @property
    def errors_en(self) -> tuple[str, ...]:
        return tuple(e.message_en for e in self.errors)

    @property
    def errors_ru(self) -> tuple[str, ...]:
        return tuple(e.message_ru for e in self.errors)


@dataclass
class LoadedStock:
    result: LoadResult
    index: StockIndex | None
    data: bytes | None  # the bytes read (copied into the data dir when the file is accepted)


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def load_stock(path: Path, engine: str = "auto") -> LoadedStock:
    started = time.perf_counter()

    def failed(error: InventoryError) -> LoadedStock:
        return LoadedStock(LoadResult(False, 0, [error], time.perf_counter() - started, str(path)), None, None)

    path = Path(path)
    try:
        if not path.exists():
            return failed(file_error(path, "missing"))
        if path.is_dir():
            return failed(file_error(path, "unsupported", "a folder"))
        data = path.read_bytes()
    except OSError as exc:  # locked by Excel on Windows, permissions, network drive gone
        return failed(file_error(path, "unreadable", exc.strerror or type(exc).__name__))
    try:
        tables = read_workbook(path, engine, data=data)
    except ReadError as exc:
        return failed(from_read_error(path, exc))
    parsed = parse_workbook(path, tables)
    if parsed.errors:
        result = LoadResult(False, len(parsed.items), parsed.errors, time.perf_counter() - started, str(path),
                            engine=parsed.engine)
        return LoadedStock(result, None, data)  # data lets the watcher remember this content
    version = version_of(data)
    index = StockIndex.build(parsed.items, version)
    result = LoadResult(True, len(parsed.items), [], time.perf_counter() - started, str(path), version,
                        len(index.products), parsed.warnings, parsed.engine)
    return LoadedStock(result, index, data)
