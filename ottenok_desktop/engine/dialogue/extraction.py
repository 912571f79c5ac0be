"""Order fields from a customer's message: rules first, then the LLM's guesses merged in.

Rules cover what can be read surely: Kazakhstan cities in every case, sizes ("38",
"38-й", "38 размер", "38,5"), colours in every form, brands and product words, and
addresses with street/house markers. When the bot has just asked for one field, a bare
answer ("39", "Караганда", "ул. Абая 10") is read as that field. The LLM (in JSON mode)
fills what the rules could not; where the rules are sure, the rules win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from ottenok_desktop.engine.lexicon import (
    canonical_color,
    detect_brands,
    detect_colors,
    detect_product_type,
    detect_sizes,
    normalize,
    product_kind_word,
)
from ottenok_desktop.engine.lexicon.cities import canonical_city, city_spans, detect_cities

from . import intents as it

FIELD_NAMES = ("product", "product_type", "size", "color", "city", "address", "customer_name")

# Street / house markers that make a piece of text an address.
_ADDRESS_MARKER = re.compile(
    r"(?<![а-яa-z])(ул\.?|улица|улице|улицу|пр\.?|пр-т|просп\.?|проспект\w*|мкр\.?|мкрн\.?|микрорайон\w*|"
    r"мкр-н|пер\.?|переул\w*|бульвар\w*|б-р|шоссе|трасса|дом|д\.|кв\.?|квартир\w*|подъезд|этаж|жк|"
    r"жилой\s+комплекс|пос\.|поселок|посёлок|село|с\.|аул\w*|район\w*|р-н|тд|трц|бц|офис|строение|корпус|"
    r"блок|уч\.|участок|street|st\.|"
    # Kazakh: avenue, street, house, flat, microdistrict
    r"даңғылы|данғылы|даңгылы|дангылы|көшесі|кошеси|көше|үй|пәтер|патер|ықшамауданы|шағын\s+аудан\w*)(?![а-яa-z])"
)
_MARKER_AFTER_NAME = frozenset({"даңғылы", "данғылы", "даңгылы", "дангылы", "көшесі", "кошеси", "көше", "үй"})
# "Алматы, Розыбакиева 247": after the city, a street name and a house number (no marker word)
_STREET_AND_NUMBER = re.compile(r"^[а-яa-zәғқңөұүһі][а-яa-zәғқңөұүһі\-.]{2,}(?:\s+[а-яa-zәғқңөұүһі\-.]+){0,2}\s+\d+[а-я]?"
                                r"(?:/\d+)?\b")
_HOUSE_NUMBER = re.compile(r"\d+\s*[а-яa-z]?(?:/\d+)?")
_ADDRESS_LEAD = re.compile(r"^(?:мой\s+)?(?:(?:новый\s+)?адрес\s*(?:доставки|другой|новый)?\s*[:\-–]?\s*|доставк\w*\s+(?:на|по\s+адресу)\s*[:\-]?\s*|"
                           r"по\s+адресу\s*[:\-]?\s*|привезите\s+на\s*|на\s+адрес\s*[:\-]?\s*)")
# "не 38, а 39", "39 вместо 38", "белые не надо": the word after "не"/"вместо" (or before
# "не надо") is what the customer does NOT want; it is blanked before reading the wish.
_NEGATED_AFTER = re.compile(r"(?<![а-я])(?:не|вместо)\s+(?:в\s+|во\s+)?([^\s,.!?;]+)")
_NEGATED_BEFORE = re.compile(r"([^\s,.!?;]+)\s+(?:не\s+(?:надо|нужн\w*|подойд\w*|подход\w*|хочу|нрав\w*)|"
                             r"маловат\w*|великоват\w*)")
_EXPLICIT_SIZE = re.compile(r"(?<![а-я])(?:размер\w*|разм|р\.|р-р)|\d\s*-?(?:й|ой|ый|р)(?![а-я])")
_NAME = re.compile(r"(?:меня\s+зовут|мое\s+имя|моё\s+имя|я\s+-\s*|это\s+)\s*([А-ЯЁA-Z][а-яёa-z]{2,20})")


@dataclass(frozen=True)
class Extracted:
    """What one turn's text says about the order, plus the customer's intents."""

    product: str = ""  # a stock product name the text matched ("" = none)
    products: tuple[str, ...] = ()  # every stock product the text matched, best first
    brand: str = ""
    kind_word: str = ""  # "лоферы", "сумка"
    product_type: str = ""
    size: str = ""
    sizes: tuple[str, ...] = ()
    color: str = ""
    colors: tuple[str, ...] = ()
    city: str = ""
    address: str = ""
    customer_name: str = ""
    intents: frozenset[str] = frozenset()
    sure: frozenset[str] = frozenset()  # fields the rules are sure about

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELD_NAMES if getattr(self, name)}

    @property
    def mentions_product(self) -> bool:
        return bool(self.product or self.brand or self.kind_word)


ProductMatcher = Callable[[str], list[str]]


def _strip_lead(chunk: str) -> str:
    """Drop "адрес:", "доставка в Астану" and a leading city from an address piece."""
    cut = _ADDRESS_LEAD.sub("", chunk.strip())
    cut = re.sub(r"^(?:доставк\w*|отправ\w*|привез\w*)?\s*(?:(?:в|во|на|г|город\w*)(?![а-я])\.?)?\s*", "", cut)
    spans = [sp for sp in city_spans(cut) if sp[0] <= 2]
    if spans:
        cut = cut[spans[0][1]:]
    return cut.strip(" ,.;:-")


def _address_from(text: str, *, asked: bool, intents: frozenset[str]) -> str:
    """An address in the text: the pieces around the first street marker, or the whole answer when asked."""
    raw = " ".join(text.split())
    norm = normalize(raw)
    if not norm:
        return ""

    def cased(found: str) -> str:
        # normalisation is one character for one here, so the customer's capitals can be kept
        at = norm.find(found)
        if len(raw) != len(norm) or at < 0:
            return found
        return raw[at: at + len(found)]

    if _ADDRESS_LEAD.search(norm):  # "адрес другой: Тимирязева 42, кв 17": labelled, numbers are no sizes
        labelled = _address_after_city(raw, norm)
        if labelled:
            return cased(labelled)
    chunks = [c for c in re.split(r"[,;]|\s-\s", norm)]
    marker_at = next((i for i, c in enumerate(chunks) if _ADDRESS_MARKER.search(c)), None)
    has_number = bool(_HOUSE_NUMBER.search(norm))
    if marker_at is not None and has_number:
        first = marker_at
        chunk = chunks[marker_at]
        match = _ADDRESS_MARKER.search(chunk)
        assert match is not None
        prefix = chunk[: match.start()]
        in_prefix = city_spans(prefix)
        if in_prefix:  # "туфли 38 в Алматы ул. Розыбакиева 247": the address starts after the city
            rest = chunk[in_prefix[-1][1]:]
            chunks[marker_at] = re.sub(r"^[а-яa-zәғқңөұүһі]*", "", rest).strip()  # the city word's ending
        elif match.group(1) in _MARKER_AFTER_NAME:
            pass  # Kazakh order: "Абай даңғылы 150", "Төле би көшесі 59" — the name comes first
        elif not _HOUSE_NUMBER.search(prefix) and not match.group(1).startswith(("район", "р-н")):
            chunks[marker_at] = chunk[match.start():]
        # "Абая 150, кв 3": a street with a number just before the marker's piece belongs to it
        while first > 0 and _HOUSE_NUMBER.search(chunks[first - 1]) and not detect_sizes(chunks[first - 1]):
            first -= 1
        head = _strip_lead(chunks[first])
        tail = norm[norm.find(chunks[first]) + len(chunks[first]):] if first < marker_at else ""
        if first == marker_at:
            tail = norm[norm.find(chunks[marker_at]) + len(chunks[marker_at]):]
        found = (head + tail).strip(" ,.;")
        # "ул. Гоголя 15, Караганда": a trailing city is the city, not part of the address
        pieces = found.rsplit(",", 1)
        if len(pieces) == 2 and detect_cities(pieces[1]) and not _HOUSE_NUMBER.search(pieces[1]):
            found = pieces[0].strip(" ,.;")
        return cased(found)
    after_city = _address_after_city(raw, norm)
    if after_city:
        return cased(after_city)
    letters = re.findall(r"[а-яa-z]{3,}", norm)
    # answering "куда доставить?", "Кабанбай батыра 38" is a street and a house number, not a size
    sized = bool(_EXPLICIT_SIZE.search(norm)) or not re.search(r"[а-яa-z]{3,}\.?\s+\d", norm) and bool(detect_sizes(norm))
    if asked and has_number and letters and not sized and not intents & {it.QUESTION, it.NO}:
        cut = _strip_lead(norm)
        if len(cut) >= 4:
            return cased(cut)
    return ""


def _address_after_city(raw: str, norm: str) -> str:
    """"Алматы, Розыбакиева 247" / "оформляем, Алматы, Толе би 59": the pieces after a city that
    start with a street name and a house number (a labelled "адрес: …" too)."""
    labelled = _ADDRESS_LEAD.search(norm)
    chunks = [c.strip() for c in re.split(r",", norm)]
    start = None
    for i, chunk in enumerate(chunks):
        rest = _ADDRESS_LEAD.sub("", chunk).strip()
        if (labelled or any(detect_cities(c) for c in chunks[:i])) and _STREET_AND_NUMBER.match(rest) \
                and not _EXPLICIT_SIZE.search(rest) and not detect_cities(rest) and not _names_goods(rest):
            start = i
            chunks[i] = rest
            break
    if start is None:
        return ""
    return ", ".join(c for c in chunks[start:] if c).strip(" ,.;")


def _names_goods(text: str) -> bool:
    """"лоферы черные 38" is a product, not a street and a house number."""
    return bool(detect_colors(text) or detect_brands(text) or product_kind_word(text))


def _without_negated(norm: str) -> str:
    """The text with the rejected values blanked ("не черные, а белые" → "не ______, а белые")."""
    spans = [m.span(1) for m in _NEGATED_AFTER.finditer(norm)] + [m.span(1) for m in _NEGATED_BEFORE.finditer(norm)]
    if not spans:
        return norm
    chars = list(norm)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def extract_rules(text: str, *, asked_field: str = "", match_products: ProductMatcher | None = None,
                  intents: frozenset[str] | None = None) -> Extracted:
    """Read order fields and intents from the customer's text with rules only (`intents`: the
    turn's reading already made, so they are not detected twice)."""
    norm = normalize(text)
    intents = it.detect_intents(text) if intents is None else intents
    if not norm:
        return Extracted(intents=intents)
    sure: set[str] = set()
    address = _address_from(text, asked=asked_field == "address", intents=intents)
    # numbers inside an address ("мкр Юго-Восток 12-45") are not sizes
    size_text = normalize(text).replace(normalize(address), " ") if address else norm
    wished = _without_negated(size_text)
    sizes = tuple(detect_sizes(wished)) or (() if wished != size_text else tuple(detect_sizes(size_text)))
    # a bare number answering "какой размер?" is a size even outside the shoe range guard
    if not sizes and asked_field == "size":
        bare = re.fullmatch(r"\s*(\d{2}(?:[.,]5)?)\s*(?:-?й|-?ой|р)?\s*[.!)]*\s*", norm)
        if bare:
            sizes = (bare.group(1).replace(",", "."),)
    unnegated = _without_negated(norm)
    colors = tuple(detect_colors(unnegated))
    # a city inside the address ("мкр Аксай-4") is not where to deliver when another is named
    city_text = unnegated.replace(normalize(address), " ") if address else unnegated
    cities = detect_cities(city_text) or (detect_cities(unnegated) if address else [])
    brands = detect_brands(text)
    kind = product_kind_word(text) or ""
    ptype = detect_product_type(text) or ""
    products = tuple(match_products(text)) if match_products and (brands or kind or len(norm) > 3) else ()
    name_match = _NAME.search(text)
    size = sizes[-1] if sizes else ""  # "не 38, а 39": the last one is the wish
    if sizes:
        sure.add("size")
    # rejected colours are blanked above; of the rest the first one named is the wish
    color = colors[0] if colors else ""
    if colors:
        sure.add("color")
    city = cities[-1] if cities else ""
    if city:
        sure.add("city")
    if address:
        sure.add("address")
    if products:
        sure.add("product")
    if ptype:
        sure.add("product_type")
    return Extracted(
        product=products[0] if products else "", products=products, brand=brands[0] if brands else "",
        kind_word=kind, product_type=ptype, size=size, sizes=sizes, color=color, colors=colors,
        city=city, address=address, customer_name=name_match.group(1) if name_match else "",
        intents=intents, sure=frozenset(sure),
    )


def _clean_llm_value(name: str, value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value).strip()
    if not text or text.lower() in {"null", "none", "нет", "-", "unknown", "не указан", "не указано"}:
        return ""
    if name == "size":
        found = detect_sizes(f"размер {text}")
        return found[0] if found else ""
    if name == "color":
        return canonical_color(text) or ""
    if name == "city":
        return canonical_city(text)
    if name == "product_type":
        return text if text in ("shoes", "bag", "accessory", "other") else ""
    return text[:300]


def merge_llm_fields(rules: Extracted, llm_fields: Mapping[str, Any] | None,
                     *, match_products: ProductMatcher | None = None) -> Extracted:
    """Fill what the rules did not find from the LLM's JSON; sure rule facts win."""
    if not llm_fields or not isinstance(llm_fields, Mapping):
        return rules
    updates: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name in rules.sure or getattr(rules, name):
            continue
        value = _clean_llm_value(name, llm_fields.get(name))
        if not value:
            continue
        if name == "product":
            # an LLM product name counts only if the stock knows it
            matched = match_products(value) if match_products else []
            if not matched:
                continue
            value = matched[0]
        updates[name] = value
    return replace(rules, **updates) if updates else rules
