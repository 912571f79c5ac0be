"""Kazakh and mixed messages: language detection and the Kazakh forms of cities, colours, sizes."""

from __future__ import annotations

import pytest

from ottenok_desktop.engine.dialogue.extraction import extract_rules
from ottenok_desktop.engine.lexicon.cities import detect_city
from ottenok_desktop.engine.lexicon.colors import detect_colors
from ottenok_desktop.engine.lexicon.kazakh import Language, detect_language, is_kazakh
from ottenok_desktop.engine.lexicon.sizes import detect_sizes


@pytest.mark.parametrize("text, expected", [
    ("Сәлеметсіз бе! Лоферлер бар ма?", Language.KK),
    ("багасы канша", Language.KK),  # no Kazakh letters at all
    ("Алматыға жеткізу қанша тұрады?", Language.KK),
    ("Сәлеметсіз бе, есть лоферы 38?", Language.MIXED),
    ("Шымкентке отправите?", Language.MIXED),
    ("Кроссовкалар есть в 40?", Language.MIXED),
    ("Здравствуйте! Лоферы шанель есть в 38?", Language.RU),
    ("Спасибо, рахмет!", Language.RU),  # a courtesy word Russian speakers use
    ("Хорошо, спасибо, рахмет жаным", Language.RU),
    ("В Караганду отправляете?", Language.RU),
    ("", Language.RU),
])
def test_language_of_customer_messages(text: str, expected: Language) -> None:
    assert detect_language(text) == expected


def test_is_kazakh_marks_kazakh_and_mixed_chats() -> None:
    assert is_kazakh(Language.KK) and is_kazakh("mixed")
    assert not is_kazakh(Language.RU)


@pytest.mark.parametrize("text, city", [
    ("Алматыға жеткізу бар ма", "Алматы"), ("Астанаға жібересіз бе", "Астана"),
    ("Шымкентке канша кун", "Шымкент"), ("Қарағандыға жіберетін бе", "Караганда"),
    ("Ақтөбеге", "Актобе"), ("Түркістанға", "Туркестан"), ("Орал қаласына", "Уральск"),
])
def test_kazakh_city_forms(text: str, city: str) -> None:
    assert detect_city(text) == city


@pytest.mark.parametrize("text, colors", [
    ("қара түсі бар ма", ["черный"]), ("ак тусти кроссовка", ["белый"]), ("қызыл", ["красный"]),
    ("көк немесе сары", ["синий", "желтый"]), ("қоңыр сумка", ["коричневый"]),
    ("жеткізу ақысы қанша", []), ("Караганда", []),
])
def test_kazakh_colours(text: str, colors: list[str]) -> None:
    assert detect_colors(text) == colors


@pytest.mark.parametrize("text, sizes", [
    ("38 өлшем бар ма", ["38"]), ("өлшемі 37", ["37"]), ("маған отыз сегіз керек", ["38"]),
    ("отыз жеті жарым", ["37.5"]), ("қырық бір бар ма", ["41"]), ("38-ші размер", ["38"]),
    ("қырық мың теңге ме", []), ("бағасы 45 000", []),
])
def test_kazakh_sizes(text: str, sizes: list[str]) -> None:
    assert detect_sizes(text) == sizes


def test_extraction_reads_a_kazakh_order_message() -> None:
    found = extract_rules("Сәлем! Қара лоферлер 38 өлшем бар ма? Алматыға жеткізу керек")
    assert (found.size, found.color, found.city) == ("38", "черный", "Алматы")
