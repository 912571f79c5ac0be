"""Sizes: one normal form for stock cells, and size mentions in customer text.

Stock cells: 38, 38.0, "38", "38,5", "38.50" → "38" / "38.5"; "-", "", "б/р", "one size"
→ None (the item has no size); letter sizes → "S", "M", "XL".

Customer text: "38", "38-й", "38 размер", "38,5", "р. 37", "размер 39", "на 40", "37р"
are sizes; prices ("45000", "45 000", "за 40 тыс"), phone numbers, counts ("2 пары"),
years, dates and times ("в 18:00") are not. Shoe sizes are 33–46 (halves allowed);
with an explicit size word ("размер", "р.") 30–48 is accepted.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from .text import normalize

NO_SIZE: frozenset[str] = frozenset(
    {"", "-", "--", "---", "—", "–", "нет", "б/р", "бр", "без размера", "one size", "onesize", "os", "o/s",
     "универсальный", "единый", "n/a", "na", "x"}
)
LETTER_SIZES: tuple[str, ...] = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
SHOE_RANGE = (33.0, 46.0)
CONTEXT_RANGE = (30.0, 48.0)

_STOCK_NUMBER = re.compile(r"^(?:р\.?|р-р|размер)?\s*(\d{1,3})(?:[.,](\d+))?\s*(?:р\.?|размер|eu)?$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD_AFTER = re.compile(r"\s*-?\s*([^\W\d_]+)")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?\s*-?\s*$")
_LETTER_SIZE = re.compile(r"(?:размер\w*|р\.|р-р|size)\s*:?\s*(xxxl|xxl|xxs|xs|xl|s|m|l)\b")

# Words that make a number a size, before or after it.
_SIZE_WORDS_BEFORE = frozenset({"размер", "размера", "размеру", "размером", "размере", "р", "рр", "разм", "size",
                                "на", "нужен", "нужна", "нужны", "есть", "ношу", "ножка", "нога"})
# Kazakh size words: "38 өлшем", "өлшемі 38", "38 размерлі", "38-ші" (also without Kazakh letters).
_KAZAKH_SIZE_WORDS = frozenset({"өлшем", "өлшемі", "өлшемді", "өлшемім", "өлшемдегі", "олшем", "олшеми", "олшемди",
                                "олшемим", "размерлі", "размерли", "размері", "размери", "размерім", "размерим",
                                "размерді", "размерди", "ші", "шы", "ши"})
_SIZE_SUFFIXES = frozenset({"й", "ой", "ый", "ий", "го", "ого", "ом", "р", "рр", "размер", "размера", "размеру",
                            "размере", "размером", "разм", "eu", "ru"}) | _KAZAKH_SIZE_WORDS
_STRONG_BEFORE = frozenset({"размер", "размера", "размеру", "размером", "размере", "р", "рр", "разм",
                            "size"}) | _KAZAKH_SIZE_WORDS
# Words after a number that make it a price, a count, a time or a date.
_NOT_SIZE_AFTER_PREFIX = (
    "пар", "тыс", "тенге", "руб", "мин", "сек", "час", "недел", "месяц", "процент", "штук", "числ", "заказ",
    "модел", "фото", "цвет", "человек", "январ", "феврал", "март", "апрел", "мая", "июн", "июл", "август",
    "сентябр", "октябр", "ноябр", "декабр", "этаж", "квартир", "лет", "год", "градус",
)
_NOT_SIZE_AFTER_WORD = frozenset({"шт", "т", "к", "тг", "ч", "дн", "день", "дня", "мес", "см", "мм", "кг", "мл",
                                  "раз", "чел", "кв", "дом", "k", "kzt", "usd", "г", "гр", "м", "ml"})
_NOT_SIZE_BEFORE = frozenset({"за", "цена", "стоит", "стоимость", "скидка", "скидку", "по", "заказ", "номер",
                              "дом", "кв", "квартира", "через", "в", "до", "к", "от", "около", "№", "руб"})


def _format_number(whole: int, fraction: str) -> str | None:
    fraction = fraction.rstrip("0")
    if not fraction:
        return str(whole)
    return f"{whole}.{fraction}"


def normalize_size(value: object) -> str | None:
    """A stock cell → "38" / "38.5" / "M" / other text, or None when there is no size."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        number = float(value)
        if number.is_integer():
            return str(int(number))
        return f"{number:.2f}".rstrip("0").rstrip(".")
    return _normalize_size_text(str(value))


@lru_cache(maxsize=8192)
def _normalize_size_text(value: str) -> str | None:
    text = normalize(value)
    if text in NO_SIZE:
        return None
    match = _STOCK_NUMBER.match(text)
    if match:
        return _format_number(int(match.group(1)), match.group(2) or "")
    if text.upper() in LETTER_SIZES:
        return text.upper()
    return text.replace(" ", "")


def _is_phone_or_amount(text: str, start: int, end: int) -> bool:
    """Digits grouped around the number ("45 000", "+7 701 123 45 67") → not a size.

    A model number next to a size ("530 40", "38 39") is fine: phones have 7+ digits and
    amounts are followed by a group of three digits.
    """
    left = start
    while left > 0 and text[left - 1] in "0123456789 -()+":
        left -= 1
    right = end
    while right < len(text) and text[right] in "0123456789 -()":
        right += 1
    run = text[left:right]
    if "+" in run:
        return True
    if sum(ch.isdigit() for ch in run) >= 7:
        return True
    return bool(re.match(r"[ \u00a0]\d{3}(?!\d)", text[end:end + 4]))


# Voice messages arrive as words: "тридцать восьмой", "размер тридцать семь с половиной".
_UNITS = (("перв", 1), ("один", 1), ("втор", 2), ("два", 2), ("трет", 3), ("три", 3), ("четв", 4), ("четыр", 4),
          ("пят", 5), ("шест", 6), ("седьм", 7), ("сем", 7), ("восьм", 8), ("восем", 8), ("девят", 9))
_WORD_NUMBER = re.compile(r"(?<![а-я])(тридцат\w*|сорок\w*)(?:\s+(" + "|".join(u for u, _ in _UNITS) + r")([а-я]*))?")
_ORDINAL_END = re.compile(r"(ой|ый|ий|ого|ому|ом|ая|ую)$")
_HALF = re.compile(r"(?<![\d.,])(\d{2})\s*(?:-?\s*(?:ой|ый|й|го))?\s+с\s+половин\w*")


# ... and in Kazakh: "отыз сегіз" (38), "отыз жеті жарым" (37.5), "қырық бір" (41).
_KK_UNITS = {"бір": 1, "бир": 1, "екі": 2, "еки": 2, "үш": 3, "уш": 3, "төрт": 4, "торт": 4, "бес": 5, "алты": 6,
             "жеті": 7, "жети": 7, "сегіз": 8, "сегиз": 8, "тоғыз": 9, "тогыз": 9}
_KK_NUMBER = re.compile(r"(?<![а-яәғқңөұүһі])(отыз|қырық|кырык)(?:\s+(" + "|".join(_KK_UNITS) + r"))?"
                        r"(?:\s+(жарым))?(?![а-яәғқңөұүһі])(?!\s+(?:мың|мын)|\s+\S+\s+(?:мың|мын))")


def _kazakh_numbers(norm: str) -> str:
    def number(match: re.Match[str]) -> str:
        value = (30 if match.group(1) == "отыз" else 40) + _KK_UNITS.get(match.group(2) or "", 0)
        return f"{value}.5" if match.group(3) else str(value)

    return _KK_NUMBER.sub(number, norm)


def _spelled_numbers(norm: str) -> str:
    """Shoe sizes said in words → digits; an ordinal ("тридцать восьмой") keeps a size suffix."""
    def number(match: re.Match[str]) -> str:
        tens_word, unit, unit_end = match.group(1), match.group(2), match.group(3) or ""
        tens = 30 if tens_word.startswith("тридцат") else 40
        if unit is None:
            if tens_word in ("тридцать", "сорок"):
                return str(tens)
            # "сороковой", "тридцатого": an ordinal of the tens alone
            return f"{tens}-й" if _ORDINAL_END.search(tens_word) else match.group(0)
        value = tens + dict(_UNITS)[unit]
        return f"{value}-й" if _ORDINAL_END.search(unit + unit_end) else str(value)

    if "тридцат" in norm or "сорок" in norm:
        norm = _WORD_NUMBER.sub(number, norm)
    if "половин" in norm:
        norm = _HALF.sub(lambda m: f"{m.group(1)}.5", norm)
    if "отыз" in norm or "ырык" in norm or "ырық" in norm:
        norm = _kazakh_numbers(norm)
    return norm


def detect_sizes(text: str) -> list[str]:
    """Sizes mentioned in customer text, normalised ("38", "38.5", "M"), in order, no repeats."""
    norm = _spelled_numbers(normalize(text))
    found: list[str] = []
    for match in _NUMBER.finditer(norm):
        start, end = match.span()
        raw = match.group(0)
        whole_text, _, fraction = raw.replace(",", ".").partition(".")
        if fraction and fraction.rstrip("0") not in {"", "5"}:
            continue  # 18.30, 12.05: times and dates
        before_char = norm[start - 1] if start else ""
        after_char = norm[end] if end < len(norm) else ""
        if (before_char and before_char in "+#№$:/") or (after_char and after_char in "%₸$:/"):
            continue
        if _is_phone_or_amount(norm, start, end):
            continue
        after = _WORD_AFTER.match(norm, end)
        after_word = after.group(1) if after and (after.start(1) - end) <= 2 else ""
        before = _WORD_BEFORE.search(norm, 0, start)
        before_word = before.group(1) if before else ""
        if after_word and after_word not in _SIZE_SUFFIXES and (
            after_word in _NOT_SIZE_AFTER_WORD or after_word.startswith(_NOT_SIZE_AFTER_PREFIX)
        ):
            continue
        if after_word and after_char.isalpha() and after_word not in _SIZE_SUFFIXES:
            continue  # "45к", "38см": glued units
        strong = before_word in _STRONG_BEFORE or after_word in _SIZE_SUFFIXES
        if before_word in _NOT_SIZE_BEFORE and not strong:
            continue
        number = float(f"{whole_text}.{fraction or 0}")
        low, high = CONTEXT_RANGE if strong else SHOE_RANGE
        if not (low <= number <= high):
            continue
        size = _format_number(int(whole_text), fraction)
        if size and size not in found:
            found.append(size)
    for match in _LETTER_SIZE.finditer(norm):
        size = match.group(1).upper()
        if size not in found:
            found.append(size)
    return found
