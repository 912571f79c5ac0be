"""StockIndex: the current stock in memory, with Russian-tolerant product matching.

Built once per accepted stock file (immutable afterwards, so readers never see a half
swap). A query "лоферы шанель 38 черные" is split into features (brands via the brand
lexicon, the product noun, colours, sizes, remaining model words), products are scored
on those features, and the best product's items are filtered by size and colour.

Scoring of a product (then scaled to 0..100):
  +45 the brand asked is the product's brand (a different brand excludes the product);
  +30 the same product noun ("лоферы"); +20 a generic noun of its type ("обувь", "сумка");
      another noun of the same type ("мюли" when "лоферы" were asked) excludes it;
  +40 × (0.6 × the share of the product's model words found in the query + 0.4 × the share
      of the query's model words found in the product); words match by stem, by the same
      Latin transliteration, or fuzzily (≥ 80 for 4 letters, ≥ 75 for 5+: "трипл" ~ "triple");
  −8  per query model word that matches nothing in the product (at most two).
A product needs at least one positive signal. An exact name match scores 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Literal, Mapping, Sequence

from ...engine.lexicon.brands import DEFAULT_BRANDS, BrandLexicon, transliterate
from ...engine.lexicon.colors import color_key, detect_colors
from ...engine.lexicon.product_types import detect_product_type, kind_of_word, product_kind_word
from ...engine.lexicon.sizes import LETTER_SIZES, detect_sizes, normalize_size
from ...engine.lexicon.text import normalize, stem, tokens
from .model import StockItem

__all__ = ["StockAnswer", "StockIndex", "StockItem", "QueryFeatures"]

Status = Literal["in_stock", "out_of_stock", "not_found"]

GENERIC_KINDS = {"обувь": "shoes", "сумка": "bag"}
MAX_ALTERNATIVES = 8
MAX_SAME_MODEL = 5
MAX_SIMILAR_PRODUCTS = 4
QUERY_STOPWORDS = frozenset(
    "а и в во на с со у к ко по за из от до для о об же ли ль бы то это эти этот эта такие такой такая "
    "есть нет есть-ли ещё еще вас вам нас мне меня мы я вы ты она они можно нужно надо нужен нужна нужны хочу "
    "хотела хотел бы подскажите пожалуйста пжл плз здравствуйте здрасте добрый день вечер утро привет салам "
    "размер размера размеры размере р рр цвет цвета цвете цветов какой какие какая сколько стоит стоят цена "
    "наличии наличие наличи в-наличии модель модели модельку фото фотку покажите скиньте скинете пришлите "
    "интересует интересуют интересно еще-есть какие-есть там тут вот как что чем где когда или либо "
    "пару пара пары шт штук новые новый новая оригинал копия реплика хорошо ок спасибо".split()
)


@dataclass(frozen=True)
class StockAnswer:
    status: Status
    items: tuple[StockItem, ...]  # quantities are what is available (file minus reservations)
    alternatives: tuple[StockItem, ...]  # in stock: same model other size/colour, then similar models
    product: str | None  # the best matched product name, as in the stock file
    available: int  # total available over `items`
    size: str | None = None  # the size looked for (normalised), if any
    color: str | None = None  # the colour looked for (canonical), if any
    candidates: tuple[str, ...] = ()  # other products that matched the text, best first


@dataclass(frozen=True)
class QueryFeatures:
    text: str  # normalised, brands replaced
    brands: tuple[str, ...]
    kind: str  # canonical noun or ""
    product_type: str  # shoes | bag | accessory | other | ""
    words: tuple[tuple[str, str], ...]  # model words: (stem, latin form)
    colors: tuple[str, ...]
    sizes: tuple[str, ...]


@dataclass
class _Product:
    name: str
    key: str
    brand: str
    product_type: str
    kind: str
    words: tuple[tuple[str, str], ...]  # model words (stem, latin)
    order: int
    items: list[StockItem] = field(default_factory=list)
    color_sets: list[frozenset[str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # item_key of each item, precomputed
    by_size: dict[str, list[int]] = field(default_factory=dict)  # size -> positions in items


_SOUNDS = (("tion", "shn"), ("dzh", "j"), ("zh", "j"), ("sch", "sh"), ("ph", "f"), ("qu", "kv"), ("ck", "k"),
           ("x", "ks"), ("w", "v"), ("ce", "se"), ("ci", "si"), ("c", "k"), ("y", "i"), ("ee", "i"), ("oo", "u"),
           ("ou", "u"))
_DOUBLE = re.compile(r"(.)\1+")


def _latin(word: str) -> str:
    """A rough Latin sound skeleton, so "эдишн" ~ "edition", "нейлон" ~ "nylon", "трипл" ~ "triple"."""
    latin = word if word.isascii() else transliterate(word)
    if latin.isdigit():
        return latin
    for old, new in _SOUNDS:
        latin = latin.replace(old, new)
    latin = _DOUBLE.sub(r"\1", latin)
    if len(latin) > 4 and latin.endswith("e"):
        latin = latin[:-1]
    return latin


def _size_sort_key(size: str) -> tuple[int, float, str]:
    try:
        return (0, float(size), size)
    except ValueError:
        if size in LETTER_SIZES:
            return (1, float(LETTER_SIZES.index(size)), size)
        return (2, 0.0, size)


def _word_match(query_word: tuple[str, str], model_word: tuple[str, str]) -> float:
    q_stem, q_latin = query_word
    m_stem, m_latin = model_word
    if q_stem == m_stem or q_latin == m_latin:
        return 1.0
    if len(q_latin) >= 4 and len(m_latin) >= 4 and not (q_latin.isdigit() or m_latin.isdigit()):
        from rapidfuzz import fuzz

        # 5+ letters tolerate one more slip ("эдишн" ~ "edition"); 4 letters need to be closer
        cutoff = 75 if min(len(q_latin), len(m_latin)) >= 5 else 80
        if fuzz.ratio(q_latin, m_latin) >= cutoff:
            return 0.9
    return 0.0


class StockIndex:
    """Immutable index over one version of the stock file."""

    def __init__(self, items: tuple[StockItem, ...], version: str, lexicon: BrandLexicon,
                 products: dict[str, _Product]) -> None:
        self.items = items
        self.version = version
        self._lexicon = lexicon
        self._products = products  # key (normalised name) -> entry
        self._by_name = {entry.name: entry for entry in products.values()}
        self._ordered = sorted(products.values(), key=lambda p: p.order)
        self.products: list[str] = [p.name for p in self._ordered]
        self._by_brand: dict[str, list[_Product]] = {}
        self._by_kind: dict[str, list[_Product]] = {}
        self._by_type: dict[str, list[_Product]] = {}
        self._by_word: dict[str, list[_Product]] = {}
        for entry in self._ordered:
            if entry.brand:
                self._by_brand.setdefault(entry.brand, []).append(entry)
            if entry.kind:
                self._by_kind.setdefault(entry.kind, []).append(entry)
            if entry.product_type:
                self._by_type.setdefault(entry.product_type, []).append(entry)
            for stem_form, latin in entry.words:
                self._by_word.setdefault(stem_form, []).append(entry)
                self._by_word.setdefault(latin, []).append(entry)
        self._latin_vocab = sorted({latin for entry in self._ordered for _, latin in entry.words if len(latin) >= 4})
        self._match_cache: dict[str, list[tuple[str, float]]] = {}

    # ---- building -------------------------------------------------------------------
    @classmethod
    def build(cls, items: Sequence[StockItem], version: str, lexicon: BrandLexicon | None = None) -> "StockIndex":
        lex = (lexicon or DEFAULT_BRANDS).copy()
        for brand in sorted({item.brand for item in items if item.brand}):
            if not lex.detect(brand):
                lex.add(brand)  # a brand the built-in table does not know: exact name only
        products: dict[str, _Product] = {}
        for item in items:
            key = normalize(item.product)
            entry = products.get(key)
            if entry is None:
                entry = cls._new_product(item, key, lex, len(products))
                products[key] = entry
            entry.items.append(item)
        for entry in products.values():
            entry.items.sort(key=lambda i: (_size_sort_key(i.size), color_key(i.color)))
            entry.color_sets = [frozenset(color_key(i.color).split()) for i in entry.items]
            entry.keys = [cls.item_key(i.product, i.size, i.color) for i in entry.items]
            for position, item in enumerate(entry.items):
                entry.by_size.setdefault(item.size, []).append(position)
        return cls(tuple(items), version, lex, products)

    @staticmethod
    def _new_product(item: StockItem, key: str, lex: BrandLexicon, order: int) -> _Product:
        brands = lex.detect(item.brand) if item.brand else []
        if not brands:
            brands = lex.detect(item.product)
        brand = brands[0] if brands else item.brand
        kind = product_kind_word(item.product) or ""
        product_type = item.product_type or detect_product_type(item.product) or ""
        brand_words = set(tokens(brand.lower())) if brand else set()
        words: list[tuple[str, str]] = []
        for word in tokens(lex.normalize(item.product)):
            if word in brand_words or word in QUERY_STOPWORDS or kind_of_word(word) or detect_colors(word):
                continue
            words.append((stem(word), _latin(word)))
        return _Product(item.product, key, brand, product_type, kind, tuple(dict.fromkeys(words)), order)

    # ---- features ----------------------------------------------------------------------
    def features(self, text: str) -> QueryFeatures:
        return _features(self._lexicon, text)

    # ---- matching ------------------------------------------------------------------------
    def _candidates(self, q: QueryFeatures) -> list[_Product]:
        if q.brands:
            pool: list[_Product] = []
            for brand in q.brands:
                pool.extend(self._by_brand.get(brand, []))
            return pool
        if q.kind:
            generic = GENERIC_KINDS.get(q.kind)
            return list(self._by_type.get(generic, [])) if generic else list(self._by_kind.get(q.kind, []))
        found: dict[str, _Product] = {}
        for stem_form, latin in q.words:
            for key in (stem_form, latin):
                for entry in self._by_word.get(key, []):
                    found.setdefault(entry.key, entry)
            if len(latin) >= 4 and self._latin_vocab:
                from rapidfuzz import fuzz, process

                for hit, _score, _ in process.extract(latin, self._latin_vocab, scorer=fuzz.ratio,
                                                      score_cutoff=75, limit=5):
                    for entry in self._by_word.get(hit, []):
                        found.setdefault(entry.key, entry)
        return sorted(found.values(), key=lambda p: p.order)

    @staticmethod
    def _score(entry: _Product, q: QueryFeatures) -> float | None:
        score = 0.0
        signal = False
        if q.brands:
            if entry.brand not in q.brands:
                return None
            score += 45
            signal = True
        if q.kind:
            generic = GENERIC_KINDS.get(q.kind)
            if entry.kind == q.kind:
                score += 30
                signal = True
            elif generic and entry.product_type == generic:
                score += 20
                signal = True
            elif entry.kind or (entry.product_type and entry.product_type != q.product_type):
                return None
        unmatched = 0
        query_hits = 0.0
        for word in q.words:
            best = max((_word_match(word, m) for m in entry.words), default=0.0)
            query_hits += best
            if best == 0.0:
                unmatched += 1
        if entry.words and query_hits > 0:
            product_hits = sum(max((_word_match(q_word, m) for q_word in q.words), default=0.0) for m in entry.words)
            signal = True
            # both sides count: the share of the product's model words the customer named, and
            # the share of the customer's model words this product explains
            score += 40 * (0.6 * product_hits / len(entry.words) + 0.4 * query_hits / len(q.words))
        score -= 8 * min(unmatched, 2)
        if not signal or score <= 0:
            return None
        return min(100.0, score * 100 / 115)

    def match_products(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Product names by relevance to the text, with scores 0..100."""
        key = normalize(text)
        cached = self._match_cache.get(key)
        if cached is None:
            cached = self._match(key)
            if len(self._match_cache) > 4096:
                self._match_cache.clear()
            self._match_cache[key] = cached
        return cached[:limit]

    def _match(self, key: str) -> list[tuple[str, float]]:
        exact = self._products.get(key)
        if exact is not None:
            return [(exact.name, 100.0)]
        q = self.features(key)
        branded = self._lexicon.normalize(key)
        for entry in self._ordered:  # "сумка прада ре эдишн" spelled like the file after brand folding
            if self._lexicon.normalize(entry.key) == branded:
                return [(entry.name, 100.0)]
        scored = []
        for entry in self._candidates(q):
            score = self._score(entry, q)
            if score is not None:
                scored.append((score, -entry.order, entry.name))
        scored.sort(reverse=True)
        return [(name, round(score, 1)) for score, _, name in scored]

    # ---- answering ---------------------------------------------------------------------
    def query(self, text: str, size: str | None = None, color: str | None = None,
              reserved: Mapping[str, int] | None = None) -> StockAnswer:
        """Is it in stock? Size and colour come from the arguments, else from the text."""
        matches = self.match_products(text, limit=MAX_SIMILAR_PRODUCTS + 1)
        exact = bool(matches) and matches[0][1] >= 100.0 and matches[0][0] in self._by_name
        # an exact product name needs no feature extraction (the hot path for the engine)
        q = None if exact and size and color else self.features(text)
        want_size = normalize_size(size) if size else (q.sizes[0] if q and q.sizes else None)
        want_colors = frozenset(color_key(color).split()) if color else frozenset(q.colors[:1] if q else ())
        want_color = " ".join(sorted(want_colors)) or None
        reserved = reserved or {}
        if not matches:
            assert q is not None
            alternatives = self._similar(None, q, want_size, want_colors, reserved)
            return StockAnswer("not_found", (), tuple(alternatives), None, 0, want_size, want_color)
        entry = self._by_name[matches[0][0]]
        selected: list[tuple[str, StockItem]] = []
        for item, colors, key in zip(entry.items, entry.color_sets, entry.keys):
            if want_size and item.size != want_size:
                continue
            if want_colors and not want_colors <= colors:
                continue
            selected.append((key, self._available_item(item, key, reserved)))
        in_stock = [pair for pair in selected if pair[1].quantity > 0]
        status: Status = "in_stock" if in_stock else "out_of_stock"
        chosen = in_stock if in_stock else selected
        answer_items = tuple(item for _, item in chosen)
        taken = {key for key, _ in chosen}
        # same model first, but leave room for similar models; when the item is in stock only
        # the same model's other colours/sizes are offered (cheap: the hot path stays fast)
        if status == "in_stock":
            alternatives = self._other_colors(entry, want_size, reserved, taken)[:MAX_SAME_MODEL]
        else:
            alternatives = self._same_model(entry, want_size, want_colors, reserved, taken)[:MAX_SAME_MODEL]
            alternatives += self._similar(entry, q, want_size, want_colors, reserved)
        return StockAnswer(
            status, answer_items, tuple(alternatives[:MAX_ALTERNATIVES]), entry.name,
            sum(i.quantity for _, i in in_stock), want_size, want_color,
            tuple(name for name, _ in matches[1:]),
        )

    @staticmethod
    def _available_item(item: StockItem, key: str, reserved: Mapping[str, int]) -> StockItem:
        held = reserved.get(key, 0) if reserved else 0
        return replace(item, quantity=max(0, item.quantity - held)) if held else item

    def _other_colors(self, entry: _Product, want_size: str | None, reserved: Mapping[str, int],
                      taken: set[str]) -> list[StockItem]:
        """In stock already: just the same model's other colours in the asked size."""
        if not want_size:
            return []
        out = []
        for position in entry.by_size.get(want_size, []):
            key = entry.keys[position]
            if key in taken:
                continue
            item = self._available_item(entry.items[position], key, reserved)
            if item.quantity > 0:
                out.append(item)
        return out

    def _same_model(self, entry: _Product, want_size: str | None, want_colors: frozenset[str],
                    reserved: Mapping[str, int], taken: set[str]) -> list[StockItem]:
        def distance(item: StockItem) -> float:
            try:
                return abs(float(item.size) - float(want_size or 0))
            except ValueError:
                return 99.0

        ranked: list[tuple[tuple[int, float, int], StockItem]] = []
        for position, (item, colors, key) in enumerate(zip(entry.items, entry.color_sets, entry.keys)):
            available = self._available_item(item, key, reserved)
            if available.quantity <= 0 or key in taken:
                continue
            same_size = bool(want_size) and item.size == want_size
            same_color = bool(want_colors) and want_colors <= colors
            # same size in another colour first, then the same colour in the nearest sizes
            group = 0 if same_size else 1 if same_color else 2
            ranked.append(((group, distance(item) if want_size else 0.0, position), available))
        ranked.sort(key=lambda pair: pair[0])
        return [item for _, item in ranked]

    def _similar(self, entry: _Product | None, q: QueryFeatures | None, want_size: str | None,
                 want_colors: frozenset[str], reserved: Mapping[str, int]) -> list[StockItem]:
        if entry is not None:
            kind, ptype = entry.kind, entry.product_type
            brands: tuple[str, ...] = (entry.brand,) if entry.brand else (q.brands if q else ())
        else:
            assert q is not None
            kind, ptype, brands = q.kind, GENERIC_KINDS.get(q.kind) or q.product_type, q.brands
        pools: list[Iterable[_Product]] = []
        if kind:
            pools.append(p for p in self._by_kind.get(kind, []) if p.brand in brands)
            pools.append(self._by_kind.get(kind, []))
        if ptype:
            pools.append(p for p in self._by_type.get(ptype, []) if p.brand in brands)
            pools.append(self._by_type.get(ptype, []))
        for brand in brands:
            pools.append(self._by_brand.get(brand, []))
        chosen: list[StockItem] = []
        seen = {entry.key} if entry else set()
        for pool in pools:
            for product in pool:
                if product.key in seen:
                    continue
                pick = self._representative(product, want_size, want_colors, reserved)
                if pick is None:
                    continue
                seen.add(product.key)
                chosen.append(pick)
                if len(chosen) >= MAX_SIMILAR_PRODUCTS:
                    return chosen
        return chosen

    def _representative(self, product: _Product, want_size: str | None, want_colors: frozenset[str],
                        reserved: Mapping[str, int]) -> StockItem | None:
        if want_size and product.product_type == "shoes":
            positions = product.by_size.get(want_size, [])  # another shoe model in the wrong size is no help
        else:
            positions = range(len(product.items))
        best: tuple[int, StockItem] | None = None
        for position in positions:
            item = product.items[position]
            available = self._available_item(item, product.keys[position], reserved)
            if available.quantity <= 0:
                continue
            rank = (0 if want_size and item.size == want_size else 2) + (
                0 if want_colors and want_colors <= product.color_sets[position] else 1)
            if best is None or rank < best[0]:
                best = (rank, available)
                if rank == 0:
                    break
        return best[1] if best else None

    # ---- facts about one product -----------------------------------------------------
    def _entry(self, product: str) -> _Product | None:
        return self._by_name.get(product) or self._products.get(normalize(product))

    def colors_of(self, product: str) -> list[str]:
        entry = self._entry(product)
        return list(dict.fromkeys(item.color for item in entry.items)) if entry else []

    def sizes_of(self, product: str, color: str | None = None, in_stock_only: bool = True,
                 reserved: Mapping[str, int] | None = None) -> list[str]:
        entry = self._entry(product)
        if entry is None:
            return []
        want = frozenset(color_key(color).split()) if color else frozenset()
        sizes = {
            item.size
            for item, colors, key in zip(entry.items, entry.color_sets, entry.keys)
            if (not want or want <= colors)
            and (not in_stock_only or self._available_item(item, key, reserved or {}).quantity > 0)
        }
        return sorted(sizes, key=_size_sort_key)

    def price_of(self, product: str, color: str | None = None, size: str | None = None) -> int | None:
        entry = self._entry(product)
        if entry is None:
            return None
        want = frozenset(color_key(color).split()) if color else frozenset()
        want_size = normalize_size(size) if size else None
        prices = [
            item.price
            for item, colors in zip(entry.items, entry.color_sets)
            if (not want or want <= colors) and (not want_size or item.size == want_size)
        ]
        return min(prices) if prices else None

    def find_item(self, product: str, size: str | None, color: str | None) -> StockItem | None:
        entry = self._entry(product)
        if entry is None:
            return None
        wanted = self.item_key(entry.name, size or "", color or "")
        for item, key in zip(entry.items, entry.keys):
            if key == wanted:
                return item
        return None

    def product_info(self, product: str) -> dict[str, str]:
        entry = self._entry(product)
        if entry is None:
            return {}
        return {"name": entry.name, "brand": entry.brand, "product_type": entry.product_type, "kind": entry.kind}

    @staticmethod
    def item_key(product: str, size: str | None, color: str | None) -> str:
        """Stable key of one stock line across file versions: 'лоферы chanel|38|черный'."""
        return f"{normalize(product)}|{normalize_size(size) or '-'}|{color_key(color or '') or '-'}"

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def empty(cls) -> "StockIndex":
        return cls.build((), "")


@lru_cache(maxsize=8192)
def _features(lexicon: BrandLexicon, text: str) -> QueryFeatures:
    brands = tuple(lexicon.detect(text))
    branded = lexicon.normalize(text)
    brand_words = {w for b in brands for w in tokens(b.lower())}
    sizes = tuple(detect_sizes(text))
    size_tokens = {s.replace(".", ",") for s in sizes} | set(sizes)
    words: list[tuple[str, str]] = []
    for word in tokens(branded):
        if word in brand_words or word in QUERY_STOPWORDS or word in size_tokens:
            continue
        if kind_of_word(word) or detect_colors(word):
            continue
        words.append((stem(word), _latin(word)))
    return QueryFeatures(
        text=branded,
        brands=brands,
        kind=product_kind_word(text) or "",
        product_type=detect_product_type(text) or "",
        words=tuple(dict.fromkeys(words)),
        colors=tuple(detect_colors(text)),
        sizes=sizes,
    )
