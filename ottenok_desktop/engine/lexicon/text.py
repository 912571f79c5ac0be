"""Text normalisation for Russian shop chat: lowercase, ё→е, one kind of dash and quote,
single spaces; word tokens with their positions; Snowball stems (Russian for Cyrillic
words, English for Latin ones).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"), "-")
_QUOTES = dict.fromkeys(map(ord, "«»„“”‟″"), '"') | dict.fromkeys(map(ord, "‘’‚‛′`´"), "'")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u200b\u200e\u200f\ufeff\t\r\n\v\f"), " ")
_TRANSLATE = {**_DASHES, **_QUOTES, **_SPACES, ord("ё"): "е", ord("Ё"): "е"}
_MULTI_SPACE = re.compile(r" {2,}")

# A token is a run of letters, or a number with an optional decimal part ("38,5" stays whole
# because a shoe size must not fall apart into "38" and "5").
TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")
_CYRILLIC = re.compile(r"[а-я]")


class Token(NamedTuple):
    text: str
    start: int
    end: int


def normalize(text: str) -> str:
    """Lowercase, ё→е, unify dashes/quotes/odd spaces, collapse runs of spaces."""
    if not text:
        return ""
    if len(text) <= 200:
        return _normalize_cached(text)
    return _normalize(text)


@lru_cache(maxsize=65536)
def _normalize_cached(text: str) -> str:
    # stock loads and matching normalise the same short strings over and over
    return _normalize(text)


def _normalize(text: str) -> str:
    cleaned = str(text).translate(_TRANSLATE).lower()
    # lower() can produce "ё" from "Ё" only through translate above; repeat for safety on
    # combined forms ("е" + U+0308).
    cleaned = cleaned.replace("е\u0308", "е")
    return _MULTI_SPACE.sub(" ", cleaned).strip()


def tokens(text: str) -> list[str]:
    """Word and number tokens of the normalised text."""
    return TOKEN_RE.findall(normalize(text))


def token_spans(normalized: str) -> list[Token]:
    """Tokens with positions in an already normalised string."""
    return [Token(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(normalized)]


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, Any]:
    import Stemmer  # PyStemmer; imported lazily so importing the lexicon stays cheap

    return Stemmer.Stemmer("russian"), Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of one (normalised) word; numbers are returned unchanged."""
    word = normalize(word)
    if not word or word[0].isdigit():
        return word
    russian, english = _stemmers()
    return russian.stemWord(word) if _CYRILLIC.search(word) else english.stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(t) for t in tokens(text)]
