"""Stock files saved as .csv (1C / accounting exports, Excel "Save as CSV"): real files in
cp1251 and UTF-8, `;` and `,` delimiters, through the same loader, validation and messages."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from ottenok_desktop.engine.events import EventBus, EventRecorder, StockLoaded
from ottenok_desktop.services.inventory.csv_reader import decode, detect_delimiter
from ottenok_desktop.services.inventory.loader import load_stock
from ottenok_desktop.services.inventory.service import InventoryService

# What a 1C "Остатки товаров" export looks like after "Сохранить как CSV" in a Russian Excel:
# a title line, `;` between cells, decimal commas, prices with spaces and "тг" (cp1251 has no ₸).
ONE_C = (
    "Остатки товаров на 23.11.2025;;;;;\r\n"
    ";;;;;\r\n"
    "Наименование;Артикул;Размер;Цвет;Кол-во;Цена, тг\r\n"
    "Лоферы Chanel;CH-LF-37;37;черный;1;285 000 тг\r\n"
    "Лоферы Chanel;CH-LF-38;38;черный;2;285 000 тенге\r\n"
    "Кроссовки Balenciaga Triple S;BL-TS-385;38,5;черный;1;420000,00\r\n"
    "\"Сумка Prada Re-Edition 2005; нейлон\";PR-RE-1;-;черный;2;380 000\r\n"
    "Мюли Dior Dway;DR-DW-38;38;бежевый;0;295000\r\n"
    ";;;;;\r\n"
)


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def items_of(path: Path) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    loaded = load_stock(path)
    assert loaded.result.ok, loaded.result.errors_en
    return {(i.product, i.size, i.color): (i.quantity, i.price, i.row) for i in loaded.index.items}


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8", "utf-8-sig"])
def test_one_c_export_semicolons_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "остатки.csv", ONE_C, encoding)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert items_of(path) == {
        ("Лоферы Chanel", "37", "черный"): (1, 285000, 4),
        ("Лоферы Chanel", "38", "черный"): (2, 285000, 5),
        ("Кроссовки Balenciaga Triple S", "38.5", "черный"): (1, 420000, 6),
        ("Сумка Prada Re-Edition 2005; нейлон", "", "черный"): (2, 380000, 7),
        ("Мюли Dior Dway", "38", "бежевый"): (0, 295000, 8),
    }
    loaded = load_stock(path)
    assert loaded.result.engine == f"csv ({encoding}, ';')"
    assert loaded.index.items[0].sku == "CH-LF-37"


def test_comma_delimited_utf8_with_quoted_decimal_commas(tmp_path: Path) -> None:
    text = (
        "product_name,size,color,quantity,price\n"
        "Кроссовки NB 530,\"37,5\",белый,3,\"89 000 ₸\"\n"
        "Угги UGG Tasman,38,коричневый,1,\"65000,00\"\n"
    )
    path = write(tmp_path / "stock.csv", text, "utf-8")
    assert items_of(path) == {
        ("Кроссовки NB 530", "37.5", "белый"): (3, 89000, 2),
        ("Угги UGG Tasman", "38", "коричневый"): (1, 65000, 3),
    }
    assert load_stock(path).result.engine == "csv (utf-8, ',')"


def test_bad_cells_give_the_same_errors_as_a_workbook(tmp_path: Path) -> None:
    text = ONE_C.replace("Лоферы Chanel;CH-LF-38;38;черный;2;", "Лоферы Chanel;CH-LF-38;38;черный;два;")
    text = text.replace("Мюли Dior Dway;DR-DW-38;38;бежевый;0;295000", "Мюли Dior Dway;DR-DW-38;38;бежевый;0;-5")
    loaded = load_stock(write(tmp_path / "остатки.csv", text, "cp1251"))
    assert not loaded.result.ok and loaded.index is None
    assert loaded.result.errors_en == (
        "остатки.csv, row 5, column 'Кол-во': 'два' is not a number",
        "остатки.csv, row 8, column 'Цена, тг': '-5' is negative",
    )
    assert loaded.result.errors_ru[0] == "Файл «остатки.csv», строка 5, столбец «Кол-во»: «два» — не число"


def test_missing_column_and_no_header(tmp_path: Path) -> None:
    no_price = write(tmp_path / "a.csv", "Наименование;Размер;Цвет;Остаток\nЛоферы Chanel;37;черный;1\n", "cp1251")
    [error] = load_stock(no_price).result.errors
    assert error.code == "missing_column" and error.column == "price"
    junk = write(tmp_path / "b.csv", "дата;сумма\n01.11;5000\n", "utf-8")
    assert load_stock(junk).result.errors[0].code == "no_header"


def test_binary_file_named_csv_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "остатки.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a photo renamed to .csv")
    [error] = load_stock(path).result.errors
    assert error.code == "corrupt_csv"
    assert "UTF-8 или Windows-1251" in error.message_ru and "остатки.csv" in error.message_en


def test_workbook_renamed_to_csv_is_read_as_the_workbook(tmp_path: Path) -> None:
    from .xlsx import ROWS, RU_HEADERS, write_xlsx

    workbook = write_xlsx(tmp_path / "остатки.xlsx", ROWS, RU_HEADERS)
    renamed = tmp_path / "остатки.csv"
    renamed.write_bytes(workbook.read_bytes())
    loaded = load_stock(renamed)
    assert loaded.result.ok and loaded.result.engine == "calamine" and loaded.result.rows == len(ROWS)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert load_stock(broken).result.errors[0].code == "corrupt"


def test_empty_csv(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert load_stock(empty).result.errors[0].code == "empty"
    header_only = write(tmp_path / "h.csv", "Наименование;Размер;Цвет;Остаток;Цена\n", "cp1251")
    assert load_stock(header_only).result.errors[0].code == "no_rows"


def test_excel_unicode_text_tab_separated(tmp_path: Path) -> None:
    text = "Наименование\tРазмер\tЦвет\tОстаток\tЦена\r\nПлаток Hermès Carré\t-\tсиний\t4\t210 000\r\n"
    path = write(tmp_path / "остатки.csv", text, "utf-16")
    assert items_of(path) == {("Платок Hermès Carré", "", "синий"): (4, 210000, 2)}


def test_detection_units() -> None:
    assert decode("Цена;Кол-во".encode("cp1251")) == ("Цена;Кол-во", "cp1251")
    assert decode("Цена;Кол-во".encode("utf-8")) == ("Цена;Кол-во", "utf-8")
    # a comma-decimal price must not make "," win over ";"
    assert detect_delimiter("Товар;Размер;Цвет;Остаток;Цена\nЛоферы;38,5;черный;1;1,5\n") == ";"
    assert detect_delimiter("Товар,Размер,Цвет,Остаток,Цена\nЛоферы,38,черный,1,1500\n") == ","


async def test_watcher_reloads_a_csv_stock_file(tmp_path: Path, executor) -> None:
    bus = EventBus()
    recorder = EventRecorder(bus)
    (tmp_path / "shop").mkdir()
    stock = write(tmp_path / "shop" / "inventory.csv", ONE_C, "cp1251")
    service = InventoryService(stock, tmp_path / "data", bus, executor, poll_interval=0.05)
    await service.start()
    try:
        assert len(service.index) == 5
        assert (tmp_path / "data" / "stock" / "current.csv").read_bytes() == stock.read_bytes()
        before = stock.stat().st_mtime_ns
        write(stock, ONE_C.replace("Мюли Dior Dway;DR-DW-38;38;бежевый;0;", "Мюли Dior Dway;DR-DW-38;38;бежевый;3;"), "cp1251")
        os.utime(stock, ns=(before + 1_000_000_000, before + 1_000_000_000))
        deadline = asyncio.get_running_loop().time() + 10
        while len(recorder.of_type(StockLoaded)) < 2:
            assert asyncio.get_running_loop().time() < deadline, "the changed csv was not reloaded"
            await asyncio.sleep(0.02)
        assert (await service.query("мюли диор 38 бежевые")).available == 3
    finally:
        await service.stop()
