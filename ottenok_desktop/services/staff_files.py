"""The staff's spreadsheets (stock, promotions, partners): one header reader, one error shape.

Every staff file is a table under a header row the staff type themselves, in English or
Russian, with or without units ("Цена (₸)", "Скидка, %"), sometimes under a title line. A
`HeaderSpec` names a file's columns (field → aliases), which are required and their Russian
names; it finds the header row in the first rows, maps every column to a field and reports a
missing required column. `StaffFileError` is the one row/column error every file reports —
file, 1-based Excel row, the column as written, the value, a code, and the message in English
(logs, CLI) and Russian (the console's one error dialog) — and `file_error` / `cell_error`
build it with the same words for every file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..engine.lexicon.text import normalize

HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class StaffFileError:
    file: str  # file name as the user knows it
    row: int | None  # 1-based Excel row
    column: str | None  # the header as written in the file (or the expected name)
    value: str | None
    code: str
    message_en: str
    message_ru: str

    def __str__(self) -> str:
        return self.message_en


_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")
_NON_WORD = re.compile(r"[^a-zа-я0-9]+")


def header_key(cell: object) -> str:
    """'Цена (₸)' → 'цена'; 'Product_Name ' → 'product name'; 'Скидка, %' → 'скидка'."""
    text = normalize("" if cell is None else str(cell))
    text = _BRACKETS.sub(" ", text)
    return _NON_WORD.sub(" ", text).strip()


@dataclass(frozen=True)
class ColumnMap:
    """Field name → 0-based column index, plus the original header text."""

    columns: dict[str, int]
    headers: dict[str, str]
    required: tuple[str, ...] = ()

    @property
    def missing(self) -> list[str]:
        return [name for name in self.required if name not in self.columns]


class HeaderSpec:
    """One staff file's columns. `first_word`: fields also recognised by a header's first word
    when it is unambiguous ("цена, тг за пару", "остаток на складе"); `is_header`: which set of
    recognised fields makes a row the header (default: at least three)."""

    def __init__(self, aliases: Mapping[str, Iterable[str]], required: Sequence[str], column_ru: Mapping[str, str],
                 *, first_word: Iterable[str] = (),
                 is_header: Callable[[set[str]], bool] | None = None) -> None:
        self.required = tuple(required)
        self.column_ru = dict(column_ru)
        self._first_word = frozenset(first_word)
        self._is_header = is_header or (lambda found: len(found) >= 3)
        self._lookup: dict[str, str] = {}
        for field, names in aliases.items():
            for name in names:
                self._lookup.setdefault(header_key(name), field)
        for field in aliases:
            self._lookup.setdefault(header_key(field), field)

    def field_for(self, cell: object) -> str | None:
        key = header_key(cell)
        if not key:
            return None
        if key in self._lookup:
            return self._lookup[key]
        hit = self._lookup.get(key.split(" ", 1)[0])
        return hit if hit in self._first_word else None

    def map_row(self, row: Sequence[object]) -> ColumnMap:
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for index, cell in enumerate(row):
            field = self.field_for(cell)
            if field and field not in columns:  # the first of two same-meaning columns wins
                columns[field] = index
                headers[field] = str(cell).strip()
        return ColumnMap(columns, headers, self.required)

    def looks_like_header(self, row: Sequence[object]) -> bool:
        return self._is_header(set(self.map_row(row).columns))

    def find(self, rows: Sequence[Sequence[object]]) -> int | None:
        """The index of the header row within the first HEADER_SEARCH_ROWS rows (a title line above
        the table is skipped), or None."""
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if self.looks_like_header(row):
                return index
        return None

    def missing_columns(self, path: Path, header_index: int, columns: ColumnMap) -> list[StaffFileError]:
        """One error per required column the header row lacks, naming the columns it has."""
        found = ", ".join(f"'{h}'" for h in columns.headers.values()) or "none"
        return [StaffFileError(
            path.name, header_index + 1, missing, None, "missing_column",
            f"{path.name}: required column '{missing}' ({self.column_ru[missing]}) is missing; found columns: {found}",
            f"Файл «{path.name}»: нет обязательного столбца «{self.column_ru[missing]}» ({missing}); "
            f"найдены столбцы: {found}",
        ) for missing in columns.missing]

    def expected_en(self) -> str:
        return ", ".join(self.required)

    def expected_ru(self) -> str:
        return ", ".join(f"«{self.column_ru[c]}»" for c in self.required)


def show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def cell_error(path: Path, row: int, column: str, value: Any, code: str, en: str, ru: str) -> StaffFileError:
    """An error in one cell: "<file>, row N, column 'X': <en>" / "Файл «…», строка N, столбец «X»: <ru>"."""
    name = path.name
    return StaffFileError(name, row, column, None if value is None else str(value), code,
                          f"{name}, row {row}, column '{column}': {en}",
                          f"Файл «{name}», строка {row}, столбец «{column}»: {ru}")


def file_error(path: Path, code: str, detail: str, spec: HeaderSpec, *, formats: str = ".xlsx",
               extra: Mapping[str, tuple[str, str]] | None = None) -> StaffFileError:
    """An error about the whole file (missing, empty, unreadable, no header…), the same words
    for every staff file; `extra`: a file's own codes (code → (English, Russian))."""
    name = path.name
    formats_ru = formats.replace(" or ", " или ")
    messages = {
        "missing": (f"{name}: file not found ({path})", f"Файл «{name}» не найден ({path})"),
        "empty": (f"{name}: the file is empty (0 bytes)", f"Файл «{name}» пустой (0 байт)"),
        "unsupported": (f"{name}: unsupported file type ({detail}); save it as {formats}",
                        f"Файл «{name}»: такой формат не поддерживается ({detail}), сохраните его как {formats_ru}"),
        "corrupt_csv": (f"{name}: cannot be read as a CSV table ({detail})",
                        f"Файл «{name}» не читается как таблица CSV: это не текст в кодировке UTF-8 или Windows-1251"),
        "corrupt": (f"{name}: cannot be read as an Excel workbook (damaged or not an .xlsx file)",
                    f"Файл «{name}» не читается как таблица Excel: он повреждён или это не .xlsx"),
        "no_sheet": (f"{name}: the workbook has no sheets", f"В файле «{name}» нет ни одного листа"),
        "no_header": (
            f"{name}: no header row found in the first {HEADER_SEARCH_ROWS} rows; expected the columns "
            f"{spec.expected_en()}",
            f"В файле «{name}» не найдена строка заголовков (первые {HEADER_SEARCH_ROWS} строк); нужны столбцы "
            + spec.expected_ru(),
        ),
        **(extra or {}),
    }
    en, ru = messages.get(code, (f"{name}: cannot be opened ({detail})", f"Файл «{name}» не удалось открыть ({detail})"))
    return StaffFileError(name, None, None, None, code, en, ru)
