"""What the bot says about promotions: the line beside a product's stock facts, and the
answer to "какие у вас акции?". Only ACTIVE promotions are ever cited (engine/promotions.py
decides the status from the shop's date); the amounts said here are exactly the amounts the
price guard is told to allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from .. import texts
from ..lexicon.text import normalize
from ..promotions import Promotion, PromotionBook, format_tenge, promoted_price

# "какие у вас акции?", "есть скидки?", "распродажа будет?", "sale есть"
_ASKS = re.compile(r"(^|[^а-я])(акци[яийею]\w*|скидк\w*|скидочк\w*|распродаж\w*|sale)([^а-я]|$)")
# wanting the news is consent, not a question (issue 16, consent)
_SUBSCRIBE = re.compile(r"(получать|присылать|присылайте|подпиш|рассылк|не присылай|отпиш)")


def asks_promotions(text: str) -> bool:
    low = normalize(text)
    return bool(_ASKS.search(low)) and not _SUBSCRIBE.search(low)


@dataclass(frozen=True)
class PromotionFacts:
    lines: tuple[str, ...] = ()
    prices: tuple[int, ...] = ()  # the promoted amounts the lines state (the guard allows them)
    promotion: Promotion | None = None  # the promotion a product line cites (its promise, dialogue/promised.py)


def _end(promo: Promotion) -> str:
    return promo.end.strftime("%d.%m")


def for_product(book: PromotionBook, product: str, brand: str, product_type: str, prices: Sequence[int],
                today: date) -> PromotionFacts:
    """One line when an active promotion covers the product: its price under the promotion."""
    promo = book.active_for(product, brand, product_type, today)
    regular = [int(p) for p in prices if p]
    if promo is None or not regular:
        return PromotionFacts()
    amounts = sorted({promoted_price(p, promo) for p in regular})
    shown = format_tenge(amounts[0]) if len(amounts) == 1 else f"от {format_tenge(amounts[0])}"
    line = texts.PROMOTION_LINE.format(title=promo.title, end=_end(promo), price=shown)
    return PromotionFacts((line,), tuple(amounts), promo)


def active_list(book: PromotionBook, today: date) -> PromotionFacts:
    """The answer to "какие у вас акции?": the active ones only, or "сейчас акций нет"."""
    active = book.active(today)
    if not active:
        return PromotionFacts((texts.PROMOTIONS_NONE,))
    items = [texts.PROMOTION_ITEM.format(title=p.title, discount=_discount(p), end=_end(p)) for p in active]
    fixed = tuple(p.fixed_price for p in active if p.fixed_price is not None)
    return PromotionFacts(("\n".join([texts.PROMOTIONS_HEAD, *items]),), fixed)


def _discount(promo: Promotion) -> str:
    if promo.percent is not None:
        return f"скидка {promo.percent}%"
    return f"цена {format_tenge(promo.fixed_price or 0)} ₸"


# "хочу получать акции", "подпишите меня на новости", "присылайте мне акции", "добавьте в рассылку"
_OPT_IN = re.compile(
    r"(хочу|хотела? бы|можно)\s+(получать|знать)\s+(\w+\s+)?(об?\s+)?(акци|новост|скидк|рассылк)"
    r"|подпиш\w*\s+(\w+\s+)?(на|в)\s+(\w+\s+)?(акци|новост|скидк|рассылк)"
    r"|(^|[^а-я])(присылайте|присылай|сообщайте|пишите)\s+(мне\s+)?(об?\s+|про\s+)?(акци|новост|скидк)"
    r"|добавьте\s+(меня\s+)?в\s+рассылк"
)
_NEGATED = re.compile(r"(^|[^а-я])(не|ни)\s+(\w+\s+)?(присыла|пиши|подпис|сообща|хочу|надо)")


def wants_promotions(text: str) -> bool:
    """An opt-in to promotions, said in the customer's words (never a negated one)."""
    low = normalize(text)
    return bool(_OPT_IN.search(low)) and not _NEGATED.search(low)
