"""The sample knowledge base agrees with the sample stock file (`data/inventory.xlsx`, the price
authority), and its generator really takes names, colours, sizes and prices from the stock file."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_kb", DATA / "make_sample_kb.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def index() -> Any:
    from ottenok_desktop.services.inventory.loader import load_stock

    loaded = load_stock(DATA / "inventory.xlsx")
    assert loaded.index is not None, loaded.result.errors_en
    return loaded.index


def _prices(index: Any, product: str) -> set[int]:
    return {i.price for i in index.items if i.product == product}


def _amounts(text: str) -> list[int]:
    from ottenok_desktop.engine.dialogue.guards import money_amounts

    return money_amounts(text)


def _cards() -> list[Path]:
    return sorted((DATA / "knowledge_base" / "catalog").glob("*.docx"))


def test_every_catalog_card_is_a_stock_product_with_its_stock_prices_and_colours(index: Any) -> None:
    from ottenok_desktop.services.knowledge.docx_reader import read_docx

    assert _cards()
    products = {i.product for i in index.items}
    for card in _cards():
        blocks = read_docx(card)
        title = blocks[0].section.split(" / ")[0]
        assert title in products, f"{card.name}: {title!r} is not in the stock file"
        colours = set(index.colors_of(title))
        for block in blocks:
            for amount in _amounts(block.text):
                assert amount in _prices(index, title), f"{card.name}: {amount} ≠ stock {_prices(index, title)}"
            if block.table:
                colour = re.search(r"Цвет: ([^;]+)", block.text)
                assert colour and colour.group(1) in colours, f"{card.name}: {block.text!r}"


def test_chat_examples_quote_stock_prices(index: Any) -> None:
    """Hand-written chat exports are examples of tone; their prices must still be the stock's."""
    checked = 0
    for export in (DATA / "knowledge_base" / "chats").glob("*.txt"):
        for line in export.read_text(encoding="utf-8").splitlines():
            amounts = [a for a in _amounts(line) if a >= 10_000]  # fees and instalments are not product prices
            if not amounts:
                continue
            found = index.match_products(line, limit=1)
            if not found or found[0][1] < 45:
                continue
            product = found[0][0]
            for amount in amounts:
                assert amount in _prices(index, product) or amount * 3 in _prices(index, product), \
                    f"{export.name}: {amount} for {product} ≠ stock {_prices(index, product)}"
                checked += 1
    assert checked >= 2


def test_generator_reads_the_stock_file(tmp_path: Path, index: Any) -> None:
    """Change a price and a colour in a copy of the stock file: the regenerated card follows it."""
    import openpyxl

    from ottenok_desktop.services.knowledge.docx_reader import read_docx

    stock = tmp_path / "inventory.xlsx"
    book = openpyxl.load_workbook(DATA / "inventory.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    product_col, color_col, price_col = header.index("Товар"), header.index("Цвет"), header.index("Цена")
    for row in sheet.iter_rows(min_row=2):
        if row[product_col].value == "Лоферы Chanel":
            row[price_col].value = 301_000
            if row[color_col].value == "бежевый":
                row[color_col].value = "пудровый"
    book.save(stock)

    _generator().main(root=tmp_path / "kb", stock_file=stock)
    blocks = read_docx(tmp_path / "kb" / "catalog" / "loafers_chanel.docx")
    rows = [b.text for b in blocks if b.table]
    assert sorted(rows) == ["Цвет: пудровый; Размеры: 35–41; Цена: 301 000 ₸", "Цвет: черный; Размеры: 35–41; Цена: 301 000 ₸"]
    assert not (tmp_path / "kb" / "catalog" / "sandals_valentino.docx").exists()


def test_generator_refuses_a_card_for_a_product_the_stock_file_lacks(index: Any) -> None:
    with pytest.raises(SystemExit, match="not in the stock file"):
        _generator().product_table(index, "Босоножки Valentino Garavani Rockstud")
