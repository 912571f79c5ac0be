"""Kazakhstan cities as customers write them → one canonical Russian name.

Customers write "в Астану", "Нур-Султан", "алма-ата", "в Алмате", "Өскемен", "капчагай",
and in Kazakh with its case endings ("Алматыға", "Шымкентке", "Қарағандыға", "Ақтөбеге").
Each city has a regular expression over normalised text (lowercase, ё→е) that accepts
the declined forms, old names and Kazakh spellings. Matching is on word boundaries so
"семейный" is not Семей and "уральский" is not Уральск.

`detect_cities(text)` returns every city found, in order of appearance; `detect_city`
returns the first one or "".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import normalize

# canonical name -> pattern of accepted forms (on normalised text, no anchors)
CITY_PATTERNS: dict[str, str] = {
    "Алматы": r"алмат[ыаеуи]|алма-?ат[аеуы]|алмааты|алмате|almat[yiu]|alma-?ata",
    "Астана": r"астан[аеуы]|астаной|нур-?султан[аеу]?|нурсултан[аеу]?|акмол[аеуы]|целиноград[аеу]?|astan[aeuy]",
    "Шымкент": r"шымкент[аеу]?|чимкент[аеу]?|шым[ауе]?|shymkent|shym",
    "Караганда": r"қарағанды|караганд[аеуы]|карагандой|караганды|qaragandy|karaganda",
    "Актобе": r"ақтөбе|актобе|актюбинск[аеу]?|aktobe",
    "Тараз": r"тараз[аеу]?|джамбул[аеу]?|taraz",
    "Павлодар": r"павлодар[аеу]?|pavlodar",
    "Усть-Каменогорск": r"усть[- ]?каменогорск[аеу]?|оскемен[аеу]?|өскемен[аеу]?|ust-?kamenogorsk",
    "Семей": r"семей|семее|семея|семипалатинск[аеу]?|semey",
    "Атырау": r"атырау|гурьев[аеу]?|atyrau",
    "Костанай": r"қостанай|костана[йяею]|костанаем|кустана[йяею]|kostanay",
    "Кызылорда": r"қызылорда|(?:кызыл|кзыл)[- ]?орд[аеуы]|кызылордой|kyzylorda",
    "Уральск": r"орал|уральск[аеу]?|uralsk",
    "Петропавловск": r"петропавловск[аеу]?|петропавл|petropavlovsk",
    "Актау": r"ақтау|актау|шевченко|aktau",
    "Туркестан": r"түркістан|туркистан|туркестан[аеу]?|turkestan",
    "Кокшетау": r"көкшетау|кокшетау|кокчетав[аеу]?|kokshetau",
    "Талдыкорган": r"талдықорған|талдыкорган[аеу]?|талдык|taldykorgan",
    "Экибастуз": r"екібастұз|экибастуз[аеу]?|ekibastuz",
    "Жезказган": r"жезқазған|жезказган[аеу]?|zhezkazgan",
    "Конаев": r"қонаев|конаев[аеу]?|кунаев[аеу]?|капшага[йяею]|капчага[йяею]|konaev|kapchagay",
    "Темиртау": r"темиртау|temirtau",
    "Рудный": r"рудн(?:ый|ом|ого|ому)",
    "Жанаозен": r"жаңаөзен|жанаозен[аеу]?|жана-?озен[аеу]?",
    "Балхаш": r"балхаш[аеу]?",
    "Сатпаев": r"сатпаев[аеу]?",
    "Щучинск": r"щучинск[аеу]?",
    "Степногорск": r"степногорск[аеу]?",
    "Аксай": r"аксай|аксае",
    "Каскелен": r"каскелен[аеу]?",
    "Талгар": r"талгар[аеу]?",
    "Есик": r"есик[аеу]?|иссык[аеу]?",
    "Кульсары": r"кульсар[ыа]",
    "Арыс": r"арыс[аеу]?",
    "Кентау": r"кентау",
    "Сарыагаш": r"сарыағаш|сарыагаш[аеу]?",
    "Лисаковск": r"лисаковск[аеу]?",
    "Житикара": r"житикар[аеуы]",
    "Байконур": r"байконур[аеу]?",
}

# letters that continue a word (so the pattern must not be followed or preceded by them)
_WORD = r"[0-9a-zа-яәіңғүұқөһ]"
# Kazakh case endings customers write on Russian city names: "Алматыға", "Шымкентке", "Астанадан"
_KAZAKH_ENDING = r"(?:ға|ге|қа|ке|ка|га|да|де|та|те|дан|ден|тан|тен|нан|нен|ны|ні|ның|нің|ға дейін|ге дейін)?"
# a street or microdistrict named like a city: "мкр Аксай-4", "ул. Кунаева 12", "на Сатпаева 30а"
_STREET_BEFORE = re.compile(r"(?:^|[\s,.])(ул|улица|улице|улицу|пр|пр-т|просп|проспект\w*|мкр|мкрн|микрорайон\w*|пер|"
                            r"переул\w*|бульвар\w*|б-р|жк)\.?\s*$")
_NUMBER_AFTER = re.compile(r"\s*-\s*\d|\s+\d")


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (name, re.compile(rf"(?<!{_WORD})(?:{pattern}){_KAZAKH_ENDING}(?!{_WORD})"))
        for name, pattern in CITY_PATTERNS.items()
    ]


def _street_named_like_city(normalized: str, match: re.Match[str], name: str) -> bool:
    """"мкр Аксай-4", "ул. Кунаева 12", "Сатпаева 30а": a street or district, not the city."""
    if _STREET_BEFORE.search(normalized[max(0, match.start() - 16):match.start()]):
        return True
    after = normalized[match.end():match.end() + 4]
    if re.match(r"\s*-\s*\d", after):
        return True
    # a person's name in the genitive before a house number is a street ("Сатпаева 30а")
    return bool(re.match(r"\s+\d", after)) and match.group(0).endswith("а") and not name.lower().endswith("а")


def detect_cities(text: str) -> list[str]:
    """Every Kazakhstan city named in the text, in order of first appearance."""
    normalized = normalize(text)
    if not normalized:
        return []
    found: list[tuple[int, str]] = []
    for name, regex in _compiled():
        for match in regex.finditer(normalized):
            if not _street_named_like_city(normalized, match, name):
                found.append((match.start(), name))
                break
    found.sort()
    seen: list[str] = []
    for _, name in found:
        if name not in seen:
            seen.append(name)
    return seen


def detect_city(text: str) -> str:
    cities = detect_cities(text)
    return cities[0] if cities else ""


def city_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, city) of every match in the normalised text; used to cut addresses."""
    normalized = normalize(text)
    spans: list[tuple[int, int, str]] = []
    for name, regex in _compiled():
        for match in regex.finditer(normalized):
            if not _street_named_like_city(normalized, match, name):
                spans.append((match.start(), match.end(), name))
    return sorted(spans)


def canonical_city(text: str) -> str:
    """A city as typed by a manager or an LLM → canonical name ("" when not a known city)."""
    return detect_city(text)
