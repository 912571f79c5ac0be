"""The staff files' one header reader: the stock, promotions and partners headers in English or
Russian (with units, under a title line) and the one missing-column error they all report."""

from __future__ import annotations

from pathlib import Path

from ottenok_desktop.services.inventory.schema import STOCK_HEADERS
from ottenok_desktop.services.partners.loader import PARTNER_HEADERS
from ottenok_desktop.services.promotions.validation import PROMOTION_HEADERS
from ottenok_desktop.services.staff_files import StaffFileError, file_error


def test_every_file_finds_its_header_under_a_title_line() -> None:
    rows: list[list[object]] = [["Остатки на 23.11", None, None], ["Наименование", "Размер", "Цвет", "Остаток, шт",
                                                                   "Цена (₸)"]]
    assert STOCK_HEADERS.find(rows) == 1
    assert STOCK_HEADERS.map_row(rows[1]).columns == {"product_name": 0, "size": 1, "color": 2, "quantity": 3,
                                                      "price": 4}
    promo = [["Акции декабря"], ["Название", "Описание", "Начало", "Конец", "На что", "Скидка, %"]]
    assert PROMOTION_HEADERS.find(promo) == 1
    assert PROMOTION_HEADERS.map_row(promo[1]).missing == []
    partners = [["Код партнёра", "Телефон", "Партнёр", "Скидка (%)"]]
    assert PARTNER_HEADERS.map_row(partners[0]).columns == {"code": 0, "phone": 1, "name": 2, "discount": 3}
    assert PARTNER_HEADERS.find([["code", "phone", "name", "discount"]]) == 0


def test_a_title_line_alone_is_not_a_header() -> None:
    assert STOCK_HEADERS.find([["Цена", "прайс"], ["Лоферы", 38]]) is None
    assert PROMOTION_HEADERS.find([["Скидка", "10%"]]) is None  # a title is needed too
    assert PARTNER_HEADERS.find([["Имя", "Скидка"]]) is None  # the code column is needed


def test_missing_columns_are_reported_the_same_way_for_every_file() -> None:
    path = Path("партнеры.xlsx")
    header = ["Код", "Имя", "Телефон"]
    (error,) = PARTNER_HEADERS.missing_columns(path, 2, PARTNER_HEADERS.map_row(header))
    assert isinstance(error, StaffFileError)
    assert (error.row, error.column, error.code) == (3, "discount", "missing_column")
    assert error.message_ru == ("Файл «партнеры.xlsx»: нет обязательного столбца «Скидка» (discount); "
                                "найдены столбцы: 'Код', 'Имя', 'Телефон'")
    promo_error = PROMOTION_HEADERS.missing_columns(path, 0, PROMOTION_HEADERS.map_row(["Название", "Начало"]))
    assert [e.column for e in promo_error] == ["end", "applies_to", "discount"]
    no_header = file_error(Path("promotions.xlsx"), "no_header", "", PROMOTION_HEADERS)
    assert "«Название», «Начало», «Конец», «На что», «Скидка»" in no_header.message_ru
