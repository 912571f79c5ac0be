"""The «Акции» tab's writer: promotions.xlsx round-trips with the loader; a bad edit is refused
with the loader's Russian row/column message and the file is left as it was."""

from __future__ import annotations

from pathlib import Path

from ottenok_desktop.services.promotions.loader import load_promotions
from ottenok_desktop.services.promotions.writer import PromotionRow, row_of, save_promotions

from .xlsx import ROWS, RU_HEADERS, write_promotions


def test_a_loaded_file_written_back_loads_the_same_promotions(tmp_path: Path) -> None:
    path = write_promotions(tmp_path / "promotions.xlsx", ROWS, RU_HEADERS)
    before = load_promotions(path)
    assert not before.errors and len(before.promotions) == 4
    saved = save_promotions(path, [row_of(p) for p in before.promotions])
    assert not saved.errors
    after = load_promotions(path)
    key = lambda p: (p.id, p.title, p.description, p.start, p.end, p.applies_to, p.percent, p.fixed_price)  # noqa: E731
    assert [key(p) for p in after.promotions] == [key(p) for p in before.promotions]
    assert (tmp_path / "promotions.xlsx.bak").exists()


def test_add_edit_delete_rows(tmp_path: Path) -> None:
    path = write_promotions(tmp_path / "promotions.xlsx", ROWS, RU_HEADERS)
    rows = [row_of(p) for p in load_promotions(path).promotions]
    rows[0] = PromotionRow(rows[0].title, "только в бутике на Абая", rows[0].start, "07.12.2026", rows[0].applies_to, "20%")
    del rows[1]
    rows.append(PromotionRow("Вторая пара −30%", "", "01.12.2026", "15.12.2026", "обувь", "30%"))
    assert not save_promotions(path, rows).errors
    loaded = {p.title: p for p in load_promotions(path).promotions}
    assert set(loaded) == {"Miu Miu −15%", "Чёрная пятница", "Лоферы Chanel по спеццене", "Вторая пара −30%"}
    assert (loaded["Miu Miu −15%"].percent, loaded["Miu Miu −15%"].end.isoformat()) == (20, "2026-12-07")
    assert loaded["Вторая пара −30%"].applies_to == ("обувь",)


def test_a_bad_edit_is_refused_with_the_row_and_column_and_the_file_is_kept(tmp_path: Path) -> None:
    path = write_promotions(tmp_path / "promotions.xlsx", ROWS, RU_HEADERS)
    original = path.read_bytes()
    rows = [row_of(p) for p in load_promotions(path).promotions]
    rows.append(PromotionRow("Новогодняя", "", "31.12.2026", "завтра", "всё", "10%"))
    parsed = save_promotions(path, rows)
    [error] = parsed.errors
    assert error.row == 6 and "promotions.xlsx" in error.message_ru and "Конец" in error.message_ru
    assert "завтра" in error.message_ru
    assert path.read_bytes() == original
    assert not list(tmp_path.glob(".promotions-edit-*"))
