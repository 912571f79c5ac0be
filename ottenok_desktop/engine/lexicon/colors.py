"""Colour words in every case, gender and number → one canonical colour.

"черные", "черную", "чёрный", "черн." → "черный"; "нюд", "телесный", "беж" → "бежевый";
"хаки" → "зеленый"; "бордо", "марсала" → "бордовый". Finishes and prints customers name
like colours ("лак", "леопард") are canonical words of their own. Kazakh colour words
("қара", "ақ", "қызыл", "көк", "сары", and their spellings without Kazakh letters:
"кара", "кызыл") map to the same canonical Russian colours. A stock colour such as
"черный лак" gives both.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import tokens

# Kazakh forms after a colour stem: "қара", "қарасы", "қара түсті" (one token: "қаратүсті").
_KK = r"(?:сы|сі|ы|і|ны|ні|түсті|тусти|түс|тус|лы|лі)?"
_ADJ = r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ую|юю|ом|ем|ых|их|ым|им|ыми|ими|ому|ему|енький|енькая|енькие|еньких|енькую|оватый|оватые|оватая)?"

# (canonical, pattern over one normalised token); first match wins, so more specific first.
COLOR_PATTERNS: tuple[tuple[str, str], ...] = (
    ("черный", rf"черн\w*|чорн\w*|black|блэк|chern\w*|қара{_KK}|кара{_KK}"),
    ("белый", rf"бел{_ADJ}|бело|белоснежн\w*|white|вайт|ақ(?:шыл|түсті|тусти|түс|тус)?|ак(?:тус\w*|түс\w*|шыл)?|аппақ|аппак"),
    ("бежевый", r"беж\w*|бэж\w*|нюд\w*|nude|телесн\w*|песочн\w*|кремов\w*|beige|карамельн\w*|камел\w*|camel"),
    ("красный", rf"қызыл{_KK}|кызыл{_KK}|красн\w*|ал{_ADJ}|red|алые|алую|коралл\w*|коралов\w*|кирпичн\w*"),
    ("синий", rf"көк{_KK}|кок(?:тус\w*|түс\w*)?|син(?:ий|яя|ее|ие|его|юю|ей|ем|их|им|ими|ему)|синеньк\w*|navy|blue|темно-син\w*|индиго|джинсов\w*"),
    ("голубой", r"голуб\w*|небесн\w*|бирюзов\w*|мятн\w*"),
    ("зеленый", rf"жасыл{_KK}|зелен\w*|зел|хаки|khaki|оливк\w*|оливков\w*|изумрудн\w*|green"),
    ("розовый", rf"қызғылт{_KK}|кызгылт{_KK}|розов\w*|пудров\w*|пудр[аыу]|pink|фукси\w*|малинов\w*"),
    ("серый", rf"сұр{_KK}|сур{_KK}|сер{_ADJ}|серо|серень\w*|grey|gray|графит\w*|мокрый асфальт"),
    ("коричневый", rf"қоңыр{_KK}|коныр{_KK}|коричн\w*|корич|шоколад\w*|brown|коньячн\w*|кофейн\w*|мокко|табачн\w*"),
    ("бордовый", rf"бордо\w*|марсал[аыу]?|винн{_ADJ}|burgundy|бургунди|вишнев\w*"),
    ("золотой", rf"алтын{_KK}|золот\w*|gold|голд"),
    ("серебряный", rf"күміс{_KK}|кумис{_KK}|серебр\w*|silver|сильвер"),
    ("мультиколор", rf"мульти\w*|multi\w*|разноцветн\w*|цветн{_ADJ}"),
    ("желтый", rf"сары{_KK}|желт\w*|yellow|горчичн\w*|лимонн\w*"),
    ("оранжевый", r"оранж\w*|orange|терракот\w*|рыж\w*"),
    ("фиолетовый", r"фиолет\w*|сиренев\w*|лилов\w*|лаванд\w*|purple|лилак"),
    ("молочный", r"молочн\w*|айвори|ivory|экрю|ecru|слонов\w*"),
    ("лак", r"лак|лаков\w*|лакирован\w*|patent"),
    ("леопард", r"леопард\w*|leopard|лео"),
)

_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern)) for name, pattern in COLOR_PATTERNS
)


@lru_cache(maxsize=8192)
def _token_color(token: str) -> str | None:
    for name, pattern in _COMPILED:
        if pattern.fullmatch(token):
            return name
    return None


def canonical_color(word: str) -> str | None:
    """The canonical colour of one word ("чёрные" → "черный"), or None."""
    found = detect_colors(word)
    return found[0] if found else None


def detect_colors(text: str) -> list[str]:
    """Canonical colours mentioned in `text`, in order, without repeats.

    Compound colours split: "черно-белые" → ["черный", "белый"]; "темно-синий" → ["синий"].
    """
    seen: list[str] = []
    for token in tokens(text):
        parts = [token, *token.split("-")] if "-" in token else [token]
        for part in parts:
            name = _token_color(part)
            if name and name not in seen:
                seen.append(name)
    return seen


@lru_cache(maxsize=8192)
def color_key(text: str) -> str:
    """A stable key for a stock colour: its canonical colours, or the normalised text."""
    found = detect_colors(text)
    return " ".join(found) if found else " ".join(tokens(text))
