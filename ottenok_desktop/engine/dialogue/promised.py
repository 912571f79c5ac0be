"""Promised prices: a promotion or partner price the bot stated in a chat, kept for the order.

A shop honours the price it told the customer. So when a reply states a promotion price
(«цена по акции — 256 500 ₸») or a partner price for a product, the chat remembers a
`Promise` (in its dialogue state, written in the same transaction as the reply). When the
order for that product is confirmed — by the customer's «да» or the console's
«Подтвердить» — `best_promise` picks the promise that still holds and the order is priced
by it, with the discount named (pricing.check_confirmation).

The honour window (docs/PROMOTIONS.md): a promise holds while its promotion is still
running by the dates it was quoted with (to the end of its last shop day), and in any case
for `HONOUR_HOURS` (24 h) after the last time it was stated — so a customer quoted at 23:40
on the promotion's last day who says «да» at 00:10 gets the price she was told, and a quote
from last week does not. A partner's promise holds while the chat is still recognised as
that partner, or for 24 h. A price never stated in the chat is never applied: only the
reply's own words create a promise. Pure: no clock reads, no I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence

from ..partners import Partner
from ..promotions import Promotion
from .guards import knowledge_amounts

HONOUR_HOURS = 24
MAX_PROMISES = 8  # the newest ones per chat; a chat rarely weighs more than a few products

PROMOTION = "promotion"
PARTNER = "partner"


@dataclass(frozen=True)
class Promise:
    """One stated discount for one stock product in one chat."""

    product: str
    kind: str  # promotion | partner
    ref: str  # the promotion id | the partner code
    label: str  # the promotion's title | the partner's name
    percent: int | None = None
    fixed: int | None = None
    at: str = ""  # ISO time (UTC) of the latest reply that stated it
    until: str = ""  # ISO shop date: the promotion's last day as quoted ("" for partners)

    def price(self, regular: int) -> int:
        """The price this promise gives a stock line whose file price is `regular`."""
        if self.fixed is not None:
            return min(int(self.fixed), int(regular)) if regular else int(self.fixed)
        return int(round(int(regular) * (100 - (self.percent or 0)) / 100))

    def holds(self, now: datetime, today: date, partner_code: str = "") -> bool:
        """Is it still honoured at `now` (aware) / the shop's date `today`?"""
        if self.until and today <= date.fromisoformat(self.until):
            return True  # the promotion is still running by the terms it was quoted with
        if self.kind == PARTNER and partner_code and partner_code.upper() == self.ref.upper():
            return True  # still the recognised partner in this chat
        try:
            stated = datetime.fromisoformat(self.at)
        except ValueError:
            return False
        return timedelta(0) <= now - stated <= timedelta(hours=HONOUR_HOURS)


def of_promotion(product: str, promo: Promotion, at: datetime) -> Promise:
    return Promise(product, PROMOTION, promo.id, promo.title, promo.percent, promo.fixed_price, at.isoformat(),
                   promo.end.isoformat())


def of_partner(product: str, partner: Partner, at: datetime) -> Promise:
    return Promise(product, PARTNER, partner.code, partner.name, partner.percent, None, at.isoformat(), "")


def stated(promises: Iterable[tuple[Promise, Sequence[int]]], reply_text: str) -> list[Promise]:
    """The promises whose amounts the reply actually says ("256 500", "256500 тг", "256.500" —
    read like the price guard reads amounts): a price the customer never read is never a promise."""
    said = knowledge_amounts([reply_text])
    return [p for p, amounts in promises if any(int(a) in said for a in amounts)]


def remember(saved: Sequence[Mapping[str, Any]], new: Iterable[Promise]) -> list[dict[str, Any]]:
    """The chat's promises with `new` added (a re-stated one moves to the front with its new time)."""
    fresh = list(new)
    keys = {(p.product, p.kind, p.ref) for p in fresh}
    kept = [p for p in load(saved) if (p.product, p.kind, p.ref) not in keys]
    return [asdict(p) for p in (fresh + kept)[:MAX_PROMISES]]


def load(saved: Sequence[Mapping[str, Any]]) -> list[Promise]:
    out: list[Promise] = []
    for raw in saved or ():
        try:
            out.append(Promise(**{k: raw[k] for k in Promise.__dataclass_fields__ if k in raw}))
        except TypeError:
            continue  # a malformed entry is dropped, never guessed at
    return out


def best_promise(saved: Sequence[Mapping[str, Any]], product: str, regular: int, now: datetime, today: date,
                 partner_code: str = "") -> Promise | None:
    """The promise that gives the lowest price for `product` and still holds (None: the file price).
    Discounts never stack: the customer gets the better one she was told."""
    best: Promise | None = None
    # only this product's entries are built (a confirmation reads the chat's whole list)
    for promise in load([raw for raw in saved or () if raw.get("product") == product]):
        if not promise.holds(now, today, partner_code):
            continue
        if promise.price(regular) >= regular:
            continue
        if best is None or promise.price(regular) < best.price(regular):
            best = promise
    return best

