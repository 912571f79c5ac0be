"""Product type from words: "лоферы" → shoes, "клатч" → bag, "ремень" → accessory.

`detect_product_type` answers "shoes" | "bag" | "accessory" | "other" (clothes and the
like) or None; `product_kind_word` gives the canonical noun ("лоферы", "сумка") so the
engine can say what the customer asked about in the shop's words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import tokens

# (canonical noun, product type, pattern over one normalised token). Order matters only
# where patterns overlap: "поясная сумка" is a bag, so bags are tried before "пояс".
KINDS: tuple[tuple[str, str, str], ...] = (
    ("лоферы", "shoes", r"лофер\w*|лоуфер\w*|loafers?"),
    ("кроссовки", "shoes", r"кр[оа]с+овк\w*|кр[оа]с+ы|кр[оа]совочк\w*|sneakers?|сникер\w*|snickers"),
    ("кеды", "shoes", r"кед|кеды|кедов|кедах|кедами|кедики|кедах"),
    ("туфли", "shoes", r"туфл\w*|туфел\w*|туфельк\w*|лодочк\w*|pumps"),
    ("босоножки", "shoes", r"босонож\w*|басонож\w*|sandals?"),
    ("сапоги", "shoes", r"сапог\w*|сапож\w*|ботфорт\w*|казак|казаки|boots"),
    ("ботинки", "shoes", r"ботин\w*|ботиноч\w*|челси|берц\w*|мартинс\w*"),
    ("ботильоны", "shoes", r"ботиль[ео]н\w*|ботильон\w*"),
    ("мюли", "shoes", r"мюли|мюль|мюлей|мюлях|mules?"),
    ("балетки", "shoes", r"балетк\w*|балеток|ballerinas?|flats"),
    ("сабо", "shoes", r"сабо|clogs?"),
    ("слипоны", "shoes", r"слипон\w*|slip-?ons?"),
    ("шлепанцы", "shoes", r"шлеп\w*|шлёп\w*|сланц\w*|slides?"),
    ("угги", "shoes", r"угги|угг|уггов|уггах"),
    ("мокасины", "shoes", r"мокасин\w*"),
    ("сандалии", "shoes", r"сандал\w*"),
    ("эспадрильи", "shoes", r"эспадрил\w*"),
    ("обувь", "shoes", r"обув\w*|обувк\w*|shoes"),
    ("сумка", "bag", r"сумк\w*|сумочк\w*|сумоч\w*|сумок|bag|bags|бэг|тоут|tote"),
    ("клатч", "bag", r"клатч\w*|clutch"),
    ("рюкзак", "bag", r"рюкзак\w*|backpack"),
    ("шоппер", "bag", r"шоп+ер\w*|shopper"),
    ("кошелек", "bag", r"кошел[её]?к\w*|кошельк\w*|портмоне|кардхолдер\w*|wallet"),
    ("ремень", "accessory", r"рем[её]?н\w*|ремешок|ремешк\w*|belt"),
    ("пояс", "accessory", r"пояс|пояса|поясок|пояском|поясом"),
    ("шарф", "accessory", r"шарф\w*|палантин\w*|scarf"),
    ("платок", "accessory", r"плат[оо]к|платк\w*|платоч\w*|твилли"),
    ("очки", "accessory", r"очк[иоа]в?|очками|очках|sunglasses"),
    ("бижутерия", "accessory", r"бижутер\w*|серьг\w*|сережк\w*|браслет\w*|колье|кольц[оа]|подвеск\w*"),
    ("ободок", "accessory", r"обод[оа]?к\w*|заколк\w*"),
    ("брелок", "accessory", r"брел[оа]к\w*"),
    ("перчатки", "accessory", r"перчат\w*"),
    ("одежда", "other", r"плать\w*|платье|куртк\w*|пальто|футболк\w*|джинс\w*|юбк\w*|брюк\w*|свитер\w*|одежд\w*"),
)

_COMPILED: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (word, kind, re.compile(pattern)) for word, kind, pattern in KINDS
)
PRODUCT_TYPES: tuple[str, ...] = ("shoes", "bag", "accessory", "other")


@lru_cache(maxsize=8192)
def _token_kind(token: str) -> tuple[str, str] | None:
    for word, kind, pattern in _COMPILED:
        if pattern.fullmatch(token):
            return word, kind
    return None


def kind_of_word(word: str) -> tuple[str, str] | None:
    """(canonical noun, product type) when one normalised word is a product noun."""
    return _token_kind(word)


def _first_kind(text: str) -> tuple[str, str] | None:
    found = [hit for hit in map(_token_kind, tokens(text)) if hit]
    if not found:
        return None
    # "поясная сумка" / "сумка на пояс": a bag word wins over the accessory "пояс".
    for hit in found:
        if hit[1] == "bag":
            return hit
    return found[0]


def detect_product_type(text: str) -> str | None:
    """'shoes' | 'bag' | 'accessory' | 'other', or None when no product word is present."""
    hit = _first_kind(text)
    return hit[1] if hit else None


def product_kind_word(text: str) -> str | None:
    """The canonical noun of the product the text mentions ("лоферы", "сумка"), or None."""
    hit = _first_kind(text)
    return hit[0] if hit else None


def normalize_product_type(value: str) -> str:
    """A stock file's type/category cell ("Обувь", "сумки", "bag") → a product type, or ""."""
    low = " ".join(tokens(value))
    if not low:
        return ""
    if low in PRODUCT_TYPES:
        return low
    aliases = {"обувь": "shoes", "shoe": "shoes", "сумки": "bag", "сумка": "bag", "bags": "bag",
               "аксессуары": "accessory", "аксессуар": "accessory", "accessories": "accessory",
               "другое": "other", "прочее": "other", "одежда": "other"}
    if low in aliases:
        return aliases[low]
    return detect_product_type(low) or "other"
