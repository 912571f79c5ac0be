"""Guards after the LLM (pure): what the LLM wrote is checked against what the engine knows.

- split on `|||` into at most 4 messages;
- no second greeting in a conversation;
- "заказ оформлен" while the state machine has not confirmed → that text is replaced;
- a price that is not a stock or knowledge price of a product in context → the whole
  reply is rebuilt from facts; a knowledge amount that contradicts the stock file (the
  price authority) is never allowed, even though a document says it;
- "есть в наличии" when the stock says out of stock / not found → rebuilt from facts.

`check_reply` returns the parts to send and the guards that fired (for `GuardTriggered`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from ottenok_desktop.engine.lexicon.text import normalize

MAX_PARTS = 4
SEPARATOR = "|||"

_GREETING_START = re.compile(
    r"^\s*(здравствуйте|здравствуй|добрый\s+(день|вечер)|доброе\s+утро|доброго\s+\w+|привет\w*|салем\w*|hello|hi)"
    r"[^.!?\n]*?(?:[.!?]+|\n|$)\s*",
    re.IGNORECASE,
)
_INTRO = re.compile(r"^\s*(меня\s+зовут\s+\w+|я\s+\w+,\s+менеджер[^.!?]*)[.!?,]*\s*", re.IGNORECASE)
_ORDER_CLAIM = re.compile(
    r"(заказ\w*\s+(уже\s+)?(оформлен|принят|подтвержд[её]н|создан|готов|размещ[её]н)|оформила\s+(ваш\s+)?заказ|"
    r"оформил[аи]?\s+заказ|заказ\s+успешно|ваш\s+заказ\s+(оформлен|принят)|заказ\s+№|номер\s+заказа)",
    re.IGNORECASE,
)
# a money amount: "45 000 ₸", "45000 тг", "45 000 тенге", "45.000", "45к" / "45 тыс"
_MONEY = re.compile(
    r"(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d{4,})\s*(₸|тг|тенге|kzt|т\b|руб|р\.)|"
    r"(?:цена|стоимость|стоит|стоят|за|всего|итого|по)\s*[:\-]?\s*(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d{4,})|"
    r"(\d{1,3})\s*(к|тыс\.?|тысяч\w*)(?![а-я])",
    re.IGNORECASE,
)
_IN_STOCK_CLAIM = re.compile(r"(есть\s+в\s+наличии|в\s+наличии\s+есть|есть\s+ваш\s+размер|имеется|доступн\w+\s+к\s+заказу|"
                             r"можем\s+отправить|есть\s+в\s+(этом|вашем|\d+))", re.IGNORECASE)
_NEGATION = re.compile(r"(нет\s+в\s+наличии|к\s+сожалению|закончил|нет\s+(этого|вашего|такого)|отсутству)", re.IGNORECASE)


@dataclass(frozen=True)
class GuardResult:
    parts: tuple[str, ...]
    fired: tuple[tuple[str, str], ...]  # (guard, detail)
    rebuild: bool = False  # the whole reply must be rebuilt from facts


def split_parts(text: str) -> list[str]:
    parts = [p.strip() for p in (text or "").split(SEPARATOR)]
    parts = [p for p in parts if p]
    if len(parts) > MAX_PARTS:
        parts = parts[: MAX_PARTS - 1] + ["\n".join(parts[MAX_PARTS - 1:])]
    return parts


def strip_greeting(part: str) -> str:
    stripped = _GREETING_START.sub("", part, count=1)
    stripped = _INTRO.sub("", stripped, count=1)
    return stripped.strip()


def money_amounts(text: str) -> list[int]:
    amounts: list[int] = []
    for match in _MONEY.finditer(text):
        if match.group(1):
            raw = match.group(1)
        elif match.group(3):
            raw = match.group(3)
        else:
            amounts.append(int(match.group(4)) * 1000)
            continue
        digits = re.sub(r"\D", "", raw)
        if digits:
            amounts.append(int(digits))
    return amounts


def knowledge_amounts(texts: Iterable[str]) -> set[int]:
    """Every amount the knowledge texts mention (delivery fees, prices in the catalog)."""
    found: set[int] = set()
    for text in texts:
        found.update(money_amounts(text))
        found.update(int(re.sub(r"\D", "", m)) for m in re.findall(r"\d{1,3}(?:[ \u00a0.,]\d{3})+|\d{4,}", text))
    return found


def check_reply(text: str, *, greeted_before: bool, order_confirmed_now: bool, allowed_prices: Iterable[int],
                stock_status: str = "", forbidden_prices: Mapping[int, str] | None = None) -> GuardResult:
    """`forbidden_prices`: amount -> why (knowledge amounts that contradict the stock file)."""
    parts = split_parts(text)
    fired: list[tuple[str, str]] = []
    if not parts:
        return GuardResult((), (("empty", "the LLM reply had no text"),), rebuild=True)
    allowed = set(allowed_prices)
    forbidden = forbidden_prices or {}
    for amount in money_amounts(text):
        if amount in forbidden:
            fired.append(("price", forbidden[amount]))
        elif amount not in allowed:
            fired.append(("price", f"{amount} is not a stock or knowledge price"))
    if any(g == "price" for g, _ in fired):
        return GuardResult(tuple(parts), tuple(fired), rebuild=True)
    if stock_status in ("out_of_stock", "not_found") and _IN_STOCK_CLAIM.search(text) and not _NEGATION.search(text):
        return GuardResult(tuple(parts), (("stock", f"claims availability while stock says {stock_status}"),),
                           rebuild=True)
    kept: list[str] = []
    for index, part in enumerate(parts):
        if greeted_before and _GREETING_START.match(part):
            cleaned = strip_greeting(part)
            fired.append(("greeting", "second greeting removed"))
            part = cleaned
        if not order_confirmed_now and _ORDER_CLAIM.search(normalize(part)):
            fired.append(("order_claim", "the order is not confirmed yet"))
            return GuardResult(tuple(kept), tuple(fired), rebuild=True)
        if part:
            kept.append(part)
    if not kept:
        return GuardResult((), tuple(fired) + (("empty", "nothing left after guards"),), rebuild=True)
    return GuardResult(tuple(kept), tuple(fired))
