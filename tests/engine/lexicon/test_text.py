"""Table tests for text normalisation, tokens and stems."""

from __future__ import annotations

import pytest

from ottenok_desktop.engine.lexicon.text import normalize, stem, stems, token_spans, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Чёрные  ЛОФЕРЫ", "черные лоферы"),
        ("«Шанель» — есть?", '"шанель" - есть?'),
        ("38\u00a0размер\u202fнужен", "38 размер нужен"),
        ("  Ёлка\tЁж\n", "елка еж"),
        ("Triple\u2013S", "triple-s"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Лоферы Chanel, 38,5 черн.", ["лоферы", "chanel", "38,5", "черн"]),
        ("Re-Edition 2005", ["re", "edition", "2005"]),
        ("есть 37р?", ["есть", "37", "р"]),
    ],
)
def test_tokens(raw: str, expected: list[str]) -> None:
    assert tokens(raw) == expected


def test_token_spans_point_into_the_normalised_text() -> None:
    text = normalize("Хочу ШАНЕЛЬ 38")
    for token in token_spans(text):
        assert text[token.start:token.end] == token.text


@pytest.mark.parametrize(
    ("word", "expected"),
    [("черные", "черн"), ("черную", "черн"), ("лоферы", "лофер"), ("Sneakers", "sneaker"), ("38", "38")],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_stems_make_case_forms_equal() -> None:
    assert stems("черные лоферы") == stems("чёрную лоферу")
