"""Brand names as customers write them → the catalog's Latin brand name.

Customers write "шанель", "баленсияга", "ив сен лоран", "лубутены", "ysl". A small alias
table (Cyrillic spellings, slang, common typos, Latin forms) is matched on word n-grams:
exactly on words or Snowball stems first, then fuzzily (rapidfuzz on the stems, and on a
Latin transliteration against the Latin names). Short words are guarded: a key of four
letters or fewer must match exactly, so "дорого" is never Dior and "правда" never Prada.

`BrandLexicon` holds one table; brands found in the current stock file can be added at
run time (`add`). The module-level `DEFAULT_BRANDS` is the built-in table; use `copy()`
before adding, so one stock file's brands do not leak into another index.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

from .text import Token, normalize, stem, token_spans

# canonical Latin name -> aliases (any case; ё/е, dashes and spaces are normalised)
BRAND_ALIASES: dict[str, tuple[str, ...]] = {
    "Chanel": ("шанель", "шанэль", "шанел", "шаннель", "шанелька", "шанельки", "коко шанель", "chanel", "шанеле"),
    "Balenciaga": ("баленсиага", "баленсияга", "баленсиаго", "баленсиа", "баленс", "баленciaga", "баленсияги",
                   "баленциага", "balenciaga", "balenciagas"),
    "Gucci": ("гуччи", "гучи", "гуччы", "гучии", "gucci", "guccі"),
    "Dior": ("диор", "диоры", "кристиан диор", "dior", "christian dior"),
    "Prada": ("прада", "праду", "прады", "prada"),
    "Saint Laurent": ("ив сен лоран", "ив сенлоран", "исл", "сен лоран", "сенлоран", "лоран", "ив сен-лоран",
                      "ysl", "saint laurent", "yves saint laurent", "сен лоранн", "сен-лоран", "ив роше лоран"),
    "Louis Vuitton": ("луи виттон", "луи витон", "луивиттон", "луивитон", "луи вуитон", "луи вуиттон", "виттон",
                      "вуиттон", "lv", "louis vuitton", "луи ветон"),
    "Hermès": ("гермес", "эрмес", "эрме", "hermes", "hermès", "гермэс"),
    "Valentino": ("валентино", "валентина гаравани", "валентинo", "valentino", "garavani"),
    "Bottega Veneta": ("боттега", "ботега", "боттега венета", "ботега венета", "bottega", "bottega veneta", "ботеги"),
    "Miu Miu": ("миу миу", "миумиу", "мию мию", "miu miu", "miumiu"),
    "Versace": ("версаче", "версачи", "versace"),
    "Fendi": ("фенди", "fendi"),
    "Celine": ("селин", "селина", "селине", "celine", "céline"),
    "Loro Piana": ("лоро пиана", "лоропиана", "лоро пиано", "loro piana"),
    "Jimmy Choo": ("джимми чу", "джими чу", "джимми чо", "jimmy choo"),
    "Christian Louboutin": ("кристиан лубутен", "лубутен", "лубутены", "лабутены", "лабутен", "лубутэн",
                            "louboutin", "christian louboutin"),
    "Manolo Blahnik": ("маноло", "маноло бланик", "маноло бланики", "manolo", "manolo blahnik"),
    "Nike": ("найк", "найки", "найке", "nike"),
    "Adidas": ("адидас", "адидасы", "адик", "адики", "adidas"),
    "New Balance": ("нью бэланс", "нью беланс", "нью баланс", "ньюбеланс", "нью бэлэнс", "new balance", "nb"),
    "Givenchy": ("живанши", "живанши", "givenchy"),
    "Burberry": ("барберри", "барбери", "берберри", "burberry"),
    "Dolce & Gabbana": ("дольче габбана", "дольче", "дольче и габбана", "дольче габана", "d&g",
                        "dolce & gabbana", "dolce gabbana"),
    "Alexander McQueen": ("маккуин", "макквин", "маквин", "александр маккуин", "alexander mcqueen", "mcqueen"),
    "Golden Goose": ("голден гус", "голдан гус", "голден гусь", "голден гусы", "голден гусов", "голден гуси",
                     "golden goose", "ggdb"),
    "Jacquemus": ("жакмюс", "жакмус", "jacquemus"),
    "Loewe": ("лоеве", "лоэве", "loewe"),
    "Tod's": ("тодс", "tods", "tod's"),
    "Ferragamo": ("феррагамо", "ферагамо", "ferragamo", "salvatore ferragamo"),
    "Stuart Weitzman": ("стюарт вайцман", "стюарт вейцман", "вайцман", "stuart weitzman"),
    "Michael Kors": ("майкл корс", "корс", "michael kors", "mk"),
    "Marc Jacobs": ("марк джейкобс", "марк якобс", "marc jacobs"),
    "Tory Burch": ("тори берч", "tory burch"),
    "Converse": ("конверс", "конверсы", "converse"),
    "Vans": ("ванс", "вансы", "vans"),
    "UGG": ("угг", "uggs", "ugg"),
    "Dr. Martens": ("мартинсы", "мартенсы", "доктор мартинс", "dr martens", "dr. martens"),
    "Max Mara": ("макс мара", "максмара", "max mara"),
    "Furla": ("фурла", "furla"),
    "Casadei": ("касадеи", "казадеи", "casadei"),
    "Le Silla": ("ле силла", "ле сила", "le silla"),
    "Aquazzura": ("аквацура", "аквазура", "aquazzura"),
    "Amina Muaddi": ("амина муадди", "амина", "amina muaddi"),
}

# Common chat words that look like brand aliases to a fuzzy matcher; never brands.
STOPWORDS: frozenset[str] = frozenset(
    {"правда", "правду", "прям", "прямо", "дорого", "дорогой", "где", "сейчас", "гуси", "гусь", "корсет",
     "мама", "размер", "салон", "лоранд", "парад", "ванна", "амина", "аминь", "селить", "ниже", "найти",
     "найду", "найдете", "валентина", "валентин", "марина", "мартин", "марка", "марки", "модель", "модели",
     "карина", "сабина", "диана", "дина", "корзина", "версия", "гульнара", "лаура"}
)

_STOP_STEMS: frozenset[str] = frozenset(stem(w) for w in STOPWORDS)

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}

_MISSING = object()
EXACT_ONLY_LEN = 4  # keys of this many letters or fewer never match fuzzily
MAX_NGRAM = 4


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text)


def _cutoff(length: int) -> float:
    """Fuzzy cutoff by key length: short keys need a closer match."""
    if length <= EXACT_ONLY_LEN:
        return 101.0
    if length <= 6:
        return 80.0
    return 75.0


def _close_length(candidate: str, key: str) -> bool:
    """A typo changes a word's length a little; "туфли saint laurent" is not "saint laurent"."""
    return abs(len(candidate) - len(key)) <= max(2, len(key) // 4)


@dataclass(frozen=True)
class BrandMatch:
    canonical: str
    start: int  # span in normalize(text)
    end: int
    score: float


class BrandLexicon:
    """An alias table with exact + fuzzy detection of brand mentions."""

    def __init__(self, table: Mapping[str, Iterable[str]] | None = None) -> None:
        self._table: dict[str, list[str]] = {}
        self._exact_words: dict[tuple[str, ...], str] = {}
        self._exact_stems: dict[tuple[str, ...], str] = {}
        self._fuzzy_stem_keys: dict[str, str] = {}  # compact stem key (len > 4) -> canonical
        self._latin_keys: dict[str, str] = {}  # compact latin key (len > 4) -> canonical
        self._max_n = 1
        self._version = 0
        self._score_cache: dict[tuple[str, ...], tuple[str, float] | None] = {}
        for canonical, aliases in (table if table is not None else BRAND_ALIASES).items():
            self.add(canonical, *aliases)

    # ---- building ----------------------------------------------------------------
    def add(self, canonical: str, *aliases: str) -> None:
        """Register a brand (its own name is always an alias) and more spellings."""
        canonical = canonical.strip()
        if not canonical:
            return
        known = self._table.setdefault(canonical, [])
        for alias in (canonical, *aliases):
            words = tuple(t.text for t in token_spans(normalize(alias)))
            if not words or alias in known and alias != canonical:
                continue
            known.append(alias)
            stem_words = tuple(stem(w) for w in words)
            # First registration wins, so a stock brand cannot hijack a built-in alias.
            self._exact_words.setdefault(words, canonical)
            self._exact_stems.setdefault(stem_words, canonical)
            self._max_n = min(MAX_NGRAM, max(self._max_n, len(words)))
            compact = "".join(stem_words)
            if len(compact) > EXACT_ONLY_LEN:
                self._fuzzy_stem_keys.setdefault(compact, canonical)
            latin = "".join(words)
            if latin.isascii() and len(latin) > EXACT_ONLY_LEN:
                self._latin_keys.setdefault(latin, canonical)
        self._version += 1
        self._score_cache.clear()
        self._cached_find.cache_clear()

    def copy(self) -> "BrandLexicon":
        return BrandLexicon({k: list(v) for k, v in self._table.items()})


    def __contains__(self, canonical: object) -> bool:
        return canonical in self._table

    # ---- matching ------------------------------------------------------------------
    def _score(self, words: tuple[str, ...]) -> tuple[str, float] | None:
        # product names and chat messages repeat the same words; fuzzy matching is the cost
        # .get, not `in` + [...]: the default lexicon is shared by threads and may be cleared
        cached = self._score_cache.get(words, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        result = self._score_uncached(words)
        if len(self._score_cache) > 50_000:
            self._score_cache.clear()
        self._score_cache[words] = result
        return result

    def _score_uncached(self, words: tuple[str, ...]) -> tuple[str, float] | None:
        hit = self._exact_words.get(words)
        if hit:
            return hit, 100.0
        stem_words = tuple(stem(w) for w in words)
        if any(w in STOPWORDS or s in _STOP_STEMS or not w.isalpha() for w, s in zip(words, stem_words)):
            return None
        hit = self._exact_stems.get(stem_words)
        if hit:
            return hit, 99.0
        from rapidfuzz import fuzz, process  # lazy: keeps `import lexicon` light

        best: tuple[str, float] | None = None
        compact = "".join(stem_words)
        if len(compact) > EXACT_ONLY_LEN:
            keys = [k for k in self._fuzzy_stem_keys if k[0] == compact[0] and _close_length(compact, k)]
            found = process.extractOne(compact, keys, scorer=fuzz.ratio,
                                       score_cutoff=_cutoff(len(compact))) if keys else None
            # Typos rarely touch the first letter; requiring it cuts false positives a lot.
            if (found and found[0][0] == compact[0] and found[1] >= _cutoff(len(found[0]))
                    and _close_length(compact, found[0])):
                best = (self._fuzzy_stem_keys[found[0]], float(found[1]))
        joined = "".join(words)
        latin = joined if joined.isascii() else transliterate(joined)
        if len(latin) > EXACT_ONLY_LEN:
            cutoff = max(80.0, _cutoff(len(latin)))
            keys = [k for k in self._latin_keys if _close_length(latin, k)]
            found = process.extractOne(latin, keys, scorer=fuzz.ratio, score_cutoff=cutoff) if keys else None
            if (found and found[1] >= _cutoff(len(found[0])) and _close_length(latin, found[0])
                    and (best is None or found[1] > best[1])):
                best = (self._latin_keys[found[0]], float(found[1]))
        return best

    @lru_cache(maxsize=4096)
    def _cached_find(self, normalized: str) -> tuple[BrandMatch, ...]:
        spans: list[Token] = token_spans(normalized)
        found: list[BrandMatch] = []
        i = 0
        while i < len(spans):
            choice: tuple[int, str, float] | None = None
            for n in range(1, min(self._max_n, len(spans) - i) + 1):
                scored = self._score(tuple(t.text for t in spans[i:i + n]))
                # the best score wins; on a tie the longer n-gram ("ив сен лоран" over "ив")
                if scored and (choice is None or scored[1] >= choice[2]):
                    choice = (n, scored[0], scored[1])
            if choice is None:
                i += 1
                continue
            n, canonical, score = choice
            found.append(BrandMatch(canonical, spans[i].start, spans[i + n - 1].end, score))
            i += n
        return tuple(found)

    def find(self, text: str) -> list[BrandMatch]:
        return list(self._cached_find(normalize(text)))

    def detect(self, text: str) -> list[str]:
        """Canonical brand names mentioned in `text`, in order of appearance, no repeats."""
        seen: list[str] = []
        for match in self.find(text):
            if match.canonical not in seen:
                seen.append(match.canonical)
        return seen

    def normalize(self, text: str) -> str:
        """normalize(text) with each brand mention replaced by the lowercased canonical name."""
        normalized = normalize(text)
        out: list[str] = []
        pos = 0
        for match in self._cached_find(normalized):
            out.append(normalized[pos:match.start])
            out.append(match.canonical.lower())
            pos = match.end
        out.append(normalized[pos:])
        return "".join(out)

    def __hash__(self) -> int:  # lru_cache on a method keys on self
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


DEFAULT_BRANDS = BrandLexicon()


def detect_brands(text: str, lexicon: BrandLexicon | None = None) -> list[str]:
    return (lexicon or DEFAULT_BRANDS).detect(text)


def normalize_brands(text: str, lexicon: BrandLexicon | None = None) -> str:
    return (lexicon or DEFAULT_BRANDS).normalize(text)
