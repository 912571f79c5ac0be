"""Table tests for stock size cells and size mentions in customer text."""

from __future__ import annotations

import pytest

from ottenok_desktop.engine.lexicon.sizes import detect_sizes, normalize_size


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (38, "38"), (38.0, "38"), (38.5, "38.5"), ("38", "38"), ("38,5", "38.5"), ("38.50", "38.5"),
        (" 39 ", "39"), ("р. 37", "37"), ("-", None), ("", None), ("—", None), ("б/р", None),
        ("One Size", None), (None, None), (float("nan"), None), ("m", "M"), ("XL", "XL"),
    ],
)
def test_normalize_size(value: object, expected: str | None) -> None:
    assert normalize_size(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("38", ["38"]),
        ("38-й", ["38"]),
        ("есть в 38ом?", ["38"]),
        ("38 размер", ["38"]),
        ("38 размера нет?", ["38"]),
        ("38,5", ["38.5"]),
        ("р. 37", ["37"]),
        ("есть 37р?", ["37"]),
        ("размер 39", ["39"]),
        ("на 40", ["40"]),
        ("а 41 есть?", ["41"]),
        ("хочу лоферы шанель 38 черные", ["38"]),
        ("38 или 39", ["38", "39"]),
        ("нужны 36.5 и 37", ["36.5", "37"]),
        ("2 пары: 38 и 39", ["38", "39"]),
        ("размер M", ["M"]),
        # not sizes
        ("45000", []),
        ("цена 45 000 тг", []),
        ("за 40 тыс", []),
        ("40к", []),
        ("+7 701 123 45 67", []),
        ("87011234567", []),
        ("2 пары", []),
        ("в 18:00", []),
        ("приеду 12.05", []),
        ("2024 год", []),
        ("40 лет", []),
        ("доставка через 40 минут", []),
        ("скидка 40%", []),
    ],
)
def test_detect_sizes(text: str, expected: list[str]) -> None:
    assert detect_sizes(text) == expected
