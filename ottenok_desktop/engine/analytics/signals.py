"""What a message says, as far as the advice rules need: is a shop sentence a question,
does the customer ask about price, availability or buying, does the shop propose a next
step (a question, an offer to reserve/order/deliver, a payment link)."""

from __future__ import annotations

import re

_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD_RE = re.compile(r"[a-zа-яё0-9]+(?:-[a-zа-яё0-9]+)*", re.IGNORECASE)
# A sentence that opens with one of these (after a lead-in like «а», «подскажите») asks.
QUESTION_WORDS = frozenset({
    "как", "какой", "какая", "какое", "какие", "каким", "какую", "каких", "какого", "какому", "каком",
    "где", "когда", "сколько", "почему", "зачем", "что", "чем", "кто", "куда", "откуда", "чего", "насколько",
    "чей", "чья", "чьё", "который", "которая", "которые", "какого-то", "разве", "неужели",
})
_LEAD_INS = frozenset({"а", "и", "но", "скажите", "подскажите", "уточните", "расскажите", "так", "ну", "кстати"})

_BUYING_RE = re.compile(
    r"(цен[аыуе]|стоит|стоимост|почем|сколько|налич|есть\s+ли|\bесть\b[^.!?]*\?|купить|куплю|покупк|беру|возьму|"
    r"заказ|оформ|хочу|размер|\bбар\b|имеется|остал[аио]|kaspi|каспи|рассрочк|оплат)",
    re.IGNORECASE,
)
_NEXT_STEP_RE = re.compile(
    r"(брон|заброн|отлож|резерв|оформ|заказ|доставим|доставк|курьер|отправим|отправлю|ссылк|оплат|kaspi|каспи|"
    r"сч[её]т\b|https?://|примерк|примерить|приезжайте|приходите|жд[её]м\s+вас|забрать|самовывоз|рассрочк)",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text or "") if s and s.strip()]


def words(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in _WORD_RE.findall(text or "")]


def is_question(sentence: str) -> bool:
    """A sentence ending in «?», opening with a question word, or with the particle «ли»."""
    s = sentence.strip()
    if not s:
        return False
    if s.endswith("?") or s.endswith("?)"):
        return True
    tokens = words(s)
    if "ли" in tokens:
        return True
    for token in tokens[:3]:
        if token in _LEAD_INS:
            continue
        return token in QUESTION_WORDS
    return False


def questions(text: str) -> list[str]:
    """The question sentences of a message."""
    return [s for s in sentences(text) if is_question(s)]


def asks_to_buy(text: str) -> bool:
    """The customer asks about price, availability or buying."""
    return bool(_BUYING_RE.search(text or ""))


def proposes_next_step(text: str) -> bool:
    """The shop asks a question or offers to reserve/order/deliver/pay."""
    return bool(questions(text)) or bool(_NEXT_STEP_RE.search(text or ""))
