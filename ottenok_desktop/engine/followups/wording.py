"""Which words a nudge uses.

The shop's texts come from the settings (`nudge1_text`, `nudge2_text`). Two cases do
better than the rule of thumb (texts in engine/texts.py):
- the product the customer wanted has sold out: offer the in-stock alternative (or offer
  to find one) instead of asking whether the sold-out model is still wanted;
- nudge #1 for an open order missing exactly one field asks for that field (or, when
  nothing is missing and only the confirmation is left, asks to confirm).
Nudge #2 keeps the shop's reassurance text (try-on and returns) unless the product sold out.

A nudge may mention an ACTIVE promotion covering the product the customer looked at — only
for a customer who opted in to promotions and never out, never for a sold-out product, never a
waiting or finished one — in the very words and at the very price the bot's own promotion line
uses (dialogue/promotions.for_product), so the amount is one the price guard allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.dialogue.promotions import for_product
from ottenok_desktop.engine.promotions import PromotionBook
from ottenok_desktop.engine.states import OPEN_ORDER_STATES



@dataclass(frozen=True)
class OrderView:
    """The chat's latest order, as far as the nudge wording cares."""

    state: str = "draft"  # draft | ready | confirmed | cancelled
    product: str = ""
    product_type: str = ""  # shoes | bag | accessory | other | ""
    size: str = ""
    color: str = ""
    city: str = ""
    address: str = ""
    asked_field: str = ""  # the field the bot's last message asked for (dialogue state)


@dataclass(frozen=True)
class StockView:
    """Stock facts about the product the customer was interested in."""

    product: str
    sold_out: bool
    alternative: str = ""  # an in-stock alternative's display name, '' if none


def missing_fields(order: OrderView) -> tuple[str, ...]:
    """Order fields still empty, in the order the dialogue asks them.

    Size is needed for shoes (and for an unknown type: the shop sells mostly shoes);
    colour only when the dialogue asked for it (a single-colour product needs none).
    """
    needed = ["product"]
    if order.product_type in ("shoes", ""):
        needed.append("size")
    if order.asked_field == "color":
        needed.append("color")
    needed += ["city", "address"]
    return tuple(name for name in needed if not str(getattr(order, name) or "").strip())


def promotion_line(book: PromotionBook, product: str, brand: str, product_type: str, prices: Sequence[int],
                   today: date, *, subscribed: bool) -> str:
    """The promotion sentence a nudge may add ("" when the customer did not opt in, or no active
    promotion covers the product on the shop's date `today`)."""
    if not subscribed or not product:
        return ""
    facts = for_product(book, product, brand, product_type, prices, today)
    return texts.NUDGE_PROMOTION.format(line=facts.lines[0]) if facts.lines else ""


def nudge_text(number: int, base_text: str, order: OrderView | None = None, stock: StockView | None = None,
               promotion: str = "") -> str:
    """The text for nudge `number` (1 or 2); `base_text` is the one from the settings; `promotion`:
    the `promotion_line` for the product (never added when it sold out)."""
    text = _nudge_text(number, base_text, order, stock)
    if promotion and not (stock is not None and stock.sold_out):
        return f"{text}\n{promotion}"
    return text


def _nudge_text(number: int, base_text: str, order: OrderView | None, stock: StockView | None) -> str:
    if stock is not None and stock.sold_out and stock.product:
        if stock.alternative:
            return texts.NUDGE_SOLD_OUT_ALTERNATIVE[2 if number == 2 else 1].format(
                product=stock.product, alternative=stock.alternative
            )
        return texts.NUDGE_SOLD_OUT_NO_ALTERNATIVE.format(product=stock.product)
    if number == 1 and order is not None and order.state in OPEN_ORDER_STATES:
        missing = missing_fields(order)
        if len(missing) == 1 and missing[0] in texts.NUDGE_ASK_FIELD:
            return texts.NUDGE_ASK_FIELD[missing[0]]
        if not missing and order.state == "ready":
            return texts.NUDGE_CONFIRM_ORDER
    return base_text
