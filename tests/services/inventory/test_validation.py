"""Real .xlsx files through the loader: accepted files and exact errors for bad ones."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ottenok_desktop.services.inventory.loader import load_stock

from .xlsx import HEADERS, ROWS, RU_HEADERS, big_rows, write_xlsx


def test_good_file(tmp_path: Path) -> None:
    loaded = load_stock(write_xlsx(tmp_path / "inventory.xlsx", ROWS))
    assert loaded.result.ok, loaded.result.errors
    assert loaded.result.rows == len(ROWS)
    assert loaded.result.products == 4
    items = {(i.product, i.size, i.color): i for i in loaded.index.items}
    assert items[("Кроссовки Balenciaga Triple S", "38", "белый")].price == 420000  # "420 000 ₸"
    assert items[("Кроссовки Balenciaga Triple S", "38.5", "черный")].quantity == 1  # "38,5"
    assert items[("Сумка Prada Re-Edition 2005", "", "черный")].row == 9  # "-" = no size; Excel row number
    assert len(loaded.result.version) == 16


def test_russian_headers_and_a_title_line(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "остатки.xlsx", ROWS, RU_HEADERS, title="Остатки на 23.11")
    loaded = load_stock(path)
    assert loaded.result.ok, loaded.result.errors
    assert loaded.result.rows == len(ROWS)
    assert loaded.index.items[0].row == 4


@pytest.mark.parametrize(
    "headers",
    [
        [" PRODUCT_NAME ", "Size", "COLOR", "Qty", "Price"],
        ["Товар", "размер", "Цвет", "Количество", "Стоимость"],
        ["Наименование товара", "Р-р", "цвет", "Кол-во", "Цена, тг"],
    ],
)
def test_tolerant_headers(tmp_path: Path, headers: list[str]) -> None:
    assert load_stock(write_xlsx(tmp_path / "s.xlsx", ROWS, headers)).result.ok


def test_optional_columns(tmp_path: Path) -> None:
    rows = [["Ремень Hermès H", "-", "черный", 2, 160000, "HR-H-1", "Гермес", "Аксессуары"]]
    headers = HEADERS + ["Артикул", "Бренд", "Категория"]
    loaded = load_stock(write_xlsx(tmp_path / "s.xlsx", rows, headers))
    item = loaded.index.items[0]
    assert (item.sku, item.brand, item.product_type) == ("HR-H-1", "Гермес", "accessory")
    assert loaded.index.product_info("Ремень Hermès H")["brand"] == "Hermès"


def test_missing_column_is_named(tmp_path: Path) -> None:
    loaded = load_stock(write_xlsx(tmp_path / "s.xlsx", [r[:4] for r in ROWS], RU_HEADERS[:4]))
    assert not loaded.result.ok
    [error] = loaded.result.errors
    assert error.code == "missing_column" and error.column == "price"
    assert "price" in error.message_en and "s.xlsx" in error.message_en
    assert "«Цена»" in error.message_ru


def test_text_in_a_number_column_names_the_row(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][3] = "много"
    rows[5][4] = "дорого"
    loaded = load_stock(write_xlsx(tmp_path / "stock.xlsx", rows))
    assert not loaded.result.ok and loaded.index is None
    errors = {(e.row, e.column, e.value) for e in loaded.result.errors}
    assert errors == {(4, "quantity", "много"), (7, "price", "дорого")}
    first = loaded.result.errors[0]
    assert first.message_en == "stock.xlsx, row 4, column 'quantity': 'много' is not a number"
    assert first.message_ru == "Файл «stock.xlsx», строка 4, столбец «quantity»: «много» — не число"


@pytest.mark.parametrize(
    ("cell", "column", "code"),
    [((0, None), "product_name", "empty_product"), ((3, -2), "quantity", "negative"),
     ((3, 1.5), "quantity", "not_integer"), ((4, None), "price", "empty_number"), ((4, -5), "price", "negative")],
)
def test_bad_cells(tmp_path: Path, cell: tuple[int, object], column: str, code: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][cell[0]] = cell[1]
    loaded = load_stock(write_xlsx(tmp_path / "s.xlsx", rows))
    [error] = loaded.result.errors
    assert (error.row, error.column, error.code) == (3, column, code)


def test_duplicate_lines(tmp_path: Path) -> None:
    same = ROWS + [["лоферы chanel", "38", "Чёрный", 3, 285000]]
    loaded = load_stock(write_xlsx(tmp_path / "s.xlsx", same))
    assert loaded.result.ok
    assert loaded.index.find_item("Лоферы Chanel", "38", "черный").quantity == 5
    assert loaded.result.warnings
    conflicting = ROWS + [["Лоферы Chanel", 38, "черный", 1, 199000]]
    [error] = load_stock(write_xlsx(tmp_path / "d.xlsx", conflicting)).result.errors
    assert error.code == "duplicate" and error.row == len(ROWS) + 2 and "row 3" in error.message_en


def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a real workbook")
    [error] = load_stock(path).result.errors
    assert error.code == "corrupt" and "broken.xlsx" in error.message_en
    zipped = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not excel")
    assert load_stock(zipped).result.errors[0].code == "corrupt"


def test_empty_file_and_empty_sheet(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert load_stock(empty).result.errors[0].code == "empty"
    assert load_stock(write_xlsx(tmp_path / "blank.xlsx", [], None)).result.errors[0].code == "no_rows"
    assert load_stock(write_xlsx(tmp_path / "header.xlsx", [])).result.errors[0].code == "no_rows"
    assert load_stock(write_xlsx(tmp_path / "junk.xlsx", [["a", "b"]], ["x", "y"])).result.errors[0].code == "no_header"


def test_missing_and_unsupported(tmp_path: Path) -> None:
    assert load_stock(tmp_path / "nope.xlsx").result.errors[0].code == "missing"
    numbers = tmp_path / "stock.numbers"
    numbers.write_bytes(b"PK\x03\x04 Apple Numbers")
    [error] = load_stock(numbers).result.errors
    assert error.code == "unsupported" and ".xlsx или .csv" in error.message_ru


def test_openpyxl_reads_the_same(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", ROWS, RU_HEADERS)
    fast, slow = load_stock(path, "calamine"), load_stock(path, "openpyxl")
    assert fast.result.engine == "calamine" and slow.result.engine == "openpyxl"
    assert fast.index.items == slow.index.items


def test_twenty_thousand_rows(tmp_path: Path) -> None:
    loaded = load_stock(write_xlsx(tmp_path / "big.xlsx", big_rows(20_000)))
    assert loaded.result.ok and loaded.result.rows == 20_000
    answer = loaded.index.query(loaded.index.products[-1], size="38")
    assert answer.product == loaded.index.products[-1]
