"""partners.xlsx read and validated: exact row/column errors; phones normalised."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ottenok_desktop.services.partners.loader import PartnersFile, load_partners

HEADERS = ["code", "phone", "name", "discount"]
RU_HEADERS = ["Код", "Телефон", "Имя", "Скидка"]
ROWS: list[list[Any]] = [
    [7741, "+7 701 555 01 02", "Динара (стилист)", "15%"],
    ["AB-12", "8 (702) 111-22-33", "Бутик «Мода»", 10],
    ["X9", None, "Асель", 0.2],
]


def write_partners(path: Path, rows: Sequence[Sequence[Any]], headers: Sequence[str] = HEADERS) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_good_file_both_headers(tmp_path: Path) -> None:
    for headers in (HEADERS, RU_HEADERS):
        parsed = load_partners(write_partners(tmp_path / "partners.xlsx", ROWS, headers))
        assert parsed.errors == []
        assert [(p.code, p.phone, p.percent) for p in parsed.partners] == [
            ("7741", "77015550102", 15), ("AB-12", "77021112233", 10), ("X9", "", 20)]


def test_errors_name_row_and_column(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS] + [[7741, "77019990000", "Дубль", "5%"], ["", "123", "Без кода", "много"]]
    parsed = load_partners(write_partners(tmp_path / "партнёры.xlsx", rows, RU_HEADERS))
    en = [e.message_en for e in parsed.errors]
    assert "партнёры.xlsx, row 5, column 'Код': '7741' is also in row 2" in en
    assert any(e.row == 6 and e.column == "Код" and e.code == "empty" for e in parsed.errors)
    assert any(e.row == 6 and e.column == "Телефон" and e.code == "bad_phone" for e in parsed.errors)
    ru = [e.message_ru for e in parsed.errors]
    assert "Файл «партнёры.xlsx», строка 6, столбец «Скидка»: «много»: нужна скидка в процентах от 1 до 99" in ru


def test_bad_file_keeps_the_previous_partners(tmp_path: Path) -> None:
    path = write_partners(tmp_path / "partners.xlsx", ROWS)
    source = PartnersFile(path)
    assert source.reload() and source.book().by_phone("+7 (701) 555-01-02") is not None
    write_partners(path, [[7741, "77015550102", "Динара", "150%"]])
    assert not source.reload() and source.errors[0].row == 2
    assert source.book().by_code("ab-12") is not None
