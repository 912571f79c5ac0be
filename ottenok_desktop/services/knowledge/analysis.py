"""Text analysis shared by the indexes: normalisation, words, Snowball stems, char n-grams.

Index and query go through the same `Analyzer`, so "Шанель", "шанель" and "Chanel" meet:
lowercase, ё→е, brand spellings → catalog names (the engine's lexicon, `normalize_brands`).
Stems and n-grams are cached per word: a shop's vocabulary is small, texts are many.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Callable

log = logging.getLogger(__name__)

_WORD_RE = re.compile(r"[^\W_]+")
_NGRAM_SIZES = (3, 4, 5)

# Words that carry no meaning for search; BM25 would down-weight them anyway, dropping
# them keeps posting lists short (the stemmed index only; n-grams keep everything).
STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть
    был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо
    ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот
    того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда
    зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас
    про всего них какая много разве три эту моя впрочем свою этой перед иногда чуть
    том нельзя такой им более всегда конечно всю между это мне пожалуйста здравствуйте добрый
    подскажите скажите""".split()
)


def _load_brand_normalizer() -> Callable[[str], str]:
    try:
        from ottenok_desktop.engine.lexicon.brands import normalize_brands
    except ImportError:
        log.warning("engine.lexicon.brands is not available; brand spellings are not normalised")
        return lambda text: text
    return normalize_brands


_brand_lock = threading.Lock()
_brand_normalizer: Callable[[str], str] | None = None


def normalize_brands(text: str) -> str:
    global _brand_normalizer
    if _brand_normalizer is None:
        with _brand_lock:
            if _brand_normalizer is None:
                _brand_normalizer = _load_brand_normalizer()
    return _brand_normalizer(text)


def normalize(text: str, *, brands: bool = True) -> str:
    """A query: lowercase, ё→е, odd spaces to plain ones, brand spellings (fuzzy) to catalog names."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if brands:
        text = normalize_brands(text)
    return text.lower().replace("ё", "е")


class _ExactBrands:
    """Exact alias → catalog name for documents, from the lexicon's own alias table.

    The lexicon's fuzzy matcher costs ~3 ms per paragraph (every word n-gram is scored),
    i.e. minutes for 10,000 chunks; shop documents spell brands properly, so an exact
    whole-word pass is enough there. Queries (short, typo-ridden) get the fuzzy matcher.
    """

    def __init__(self) -> None:
        try:
            from ottenok_desktop.engine.lexicon.brands import BRAND_ALIASES, STOPWORDS
        except ImportError:
            self.pattern: re.Pattern[str] | None = None
            self.names: dict[str, str] = {}
            return
        names: dict[str, str] = {}
        for canonical, aliases in BRAND_ALIASES.items():
            for alias in (canonical, *aliases):
                key = " ".join(alias.lower().replace("ё", "е").split())
                if key and key not in STOPWORDS:
                    names.setdefault(key, canonical)
        self.names = names
        alternatives = sorted(names, key=len, reverse=True)  # longest first: "коко шанель" before "шанель"
        self.pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![^\W_])")

    def replace(self, lowered: str) -> str:
        if self.pattern is None:
            return lowered
        return self.pattern.sub(lambda m: self.names[m.group(0)].lower(), lowered)

    def find(self, lowered: str) -> list[str]:
        if self.pattern is None:
            return []
        seen: list[str] = []
        for match in self.pattern.finditer(lowered):
            name = self.names[match.group(0)]
            if name not in seen:
                seen.append(name)
        return seen


@lru_cache(maxsize=1)
def _exact_brands() -> _ExactBrands:
    return _ExactBrands()


def normalize_document(text: str) -> str:
    """A document: like `normalize`, with the exact (fast) brand pass."""
    lowered = text.replace("\u00a0", " ").replace("\u202f", " ").lower().replace("ё", "е")
    return _exact_brands().replace(lowered)


def document_brands(text: str) -> list[str]:
    """Catalog brand names spelled in a document (exact aliases)."""
    return _exact_brands().find(text.replace("\u00a0", " ").lower().replace("ё", "е"))


def words(normalized: str) -> list[str]:
    return _WORD_RE.findall(normalized)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # PyStemmer: C Snowball, Windows wheels

    return Stemmer.Stemmer("russian")


_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    cached = _stem_cache.get(word)
    if cached is None:
        cached = _stemmer().stemWord(word) if not word.isdigit() else word
        if len(_stem_cache) < 500_000:
            _stem_cache[word] = cached
    return cached


def stems(normalized: str) -> list[str]:
    return [stem(w) for w in words(normalized) if w not in STOP_WORDS]


_gram_cache: dict[str, tuple[str, ...]] = {}


def word_grams(word: str) -> tuple[str, ...]:
    """Character 3–5-grams of one word with boundary marks ("_38_" keeps sizes searchable)."""
    cached = _gram_cache.get(word)
    if cached is None:
        padded = f"_{word}_"
        grams = [padded[i : i + n] for n in _NGRAM_SIZES for i in range(len(padded) - n + 1)]
        cached = tuple(grams)
        if len(_gram_cache) < 500_000:
            _gram_cache[word] = cached
    return cached


def char_grams(normalized: str) -> list[str]:
    grams: list[str] = []
    for word in words(normalized):
        grams.extend(word_grams(word))
    return grams
