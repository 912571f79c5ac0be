"""promotions.xlsx read and validated: exact row/column errors in English and Russian."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ottenok_desktop.engine.promotions import PromotionStatus
from ottenok_desktop.services.promotions.loader import PromotionsFile, load_promotions
from tests.services.promotions.xlsx import HEADERS, ROWS, RU_HEADERS, write_promotions


def test_good_file_english_and_russian_headers(tmp_path: Path) -> None:
    for headers in (HEADERS, RU_HEADERS):
        parsed = load_promotions(write_promotions(tmp_path / "promotions.xlsx", ROWS, headers))
        assert parsed.errors == []
        titles = [p.title for p in parsed.promotions]
        assert titles == [r[0] for r in ROWS]
        miu = parsed.promotions[0]
        assert (miu.start, miu.end, miu.applies_to, miu.percent) == (date(2026, 12, 1), date(2026, 12, 6),
                                                                     ("Miu Miu",), 15)
        assert parsed.promotions[1].start == date(2026, 12, 20)  # an Excel date cell
        assert parsed.promotions[3].fixed_price == 256500 and parsed.promotions[3].percent is None
        today = date(2026, 12, 3)
        assert [p.status(today) for p in parsed.promotions] == [
            PromotionStatus.ACTIVE, PromotionStatus.WAITING, PromotionStatus.FINISHED, PromotionStatus.ACTIVE]


def test_cell_errors_name_row_column_and_value(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][2] = "32.13.2026"  # row 2: not a date
    rows[1][5] = "скидочка"  # row 3: not a discount
    rows[2][3] = "01.11.2026"  # row 4: ends before it starts
    rows[3][4] = None  # row 5: applies to nothing
    rows.append(["Miu Miu −15%", "", "01.12.2026", "07.12.2026", "Miu Miu", "150%"])  # row 6
    parsed = load_promotions(write_promotions(tmp_path / "акции.xlsx", rows, RU_HEADERS))
    assert parsed.promotions == []
    en = [e.message_en for e in parsed.errors]
    ru = [e.message_ru for e in parsed.errors]
    assert "акции.xlsx, row 2, column 'Начало': '32.13.2026' is not a date (use DD.MM.YYYY)" in en
    assert "Файл «акции.xlsx», строка 3, столбец «Скидка»: «скидочка» — не процент (10%) и не цена (88 200)" in ru
    assert any(e.row == 4 and e.column == "Конец" and e.code == "end_before_start" for e in parsed.errors)
    assert any(e.row == 5 and e.column == "На что" and e.code == "empty" for e in parsed.errors)
    assert any(e.row == 6 and e.code == "bad_percent" for e in parsed.errors)


def test_duplicate_and_missing_column(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[0]]
    parsed = load_promotions(write_promotions(tmp_path / "p.xlsx", rows))
    assert [(e.row, e.code) for e in parsed.errors] == [(3, "duplicate")]
    parsed = load_promotions(write_promotions(tmp_path / "q.xlsx", [r[:5] for r in ROWS], HEADERS[:5]))
    assert [e.code for e in parsed.errors] == ["missing_column"]
    assert "нет обязательного столбца «Скидка»" in parsed.errors[0].message_ru


def test_missing_file_is_no_promotions_and_bad_file_keeps_the_old_ones(tmp_path: Path) -> None:
    path = tmp_path / "promotions.xlsx"
    assert load_promotions(path).promotions == [] and load_promotions(path).errors == []
    source = PromotionsFile(path)
    assert source.reload().ok and source.book().promotions == ()
    write_promotions(path, ROWS)
    assert source.changed()
    result = source.reload()
    assert result.ok and result.count == 4 and not source.changed()
    broken = [list(r) for r in ROWS]
    broken[0][5] = "много"
    write_promotions(path, broken)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    result = source.reload()
    assert not result.ok and result.count == 4 and source.errors[0].row == 2
    assert source.active_for("Балетки Miu Miu", "Miu Miu", "shoes", date(2026, 12, 2)) is not None
    path.write_bytes(b"not a workbook at all")
    assert source.reload().errors[0].code == "corrupt"
