"""The price and confirmation rule, in one place, for the bot and the console alike.

- An order is confirmed only with every required field and the item available *now*
  (file quantity minus active holds); the confirmed price is the stock file's price for
  that product, size and colour — never the customer's, never a document's.
- A promotion or partner price the bot stated in the chat and that still holds
  (dialogue/promised.py: quoted while active, honoured to the end of the promotion or 24 h)
  prices the order instead, and the order keeps which discount applied.
- Confirming holds one unit of the stock line (`Hold`), written in the same transaction
  as the confirmation; a hold the store refuses rolls the confirmation back.
- The price guard allows exactly the stock prices of the products in play, the order's
  own price and amounts from the knowledge sentences given as facts — minus any document
  amount that contradicts the stock file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping, Sequence

from ottenok_desktop.engine.ports import StockIndex

from .promised import Promise, best_promise
from .state import OrderDraft


@dataclass(frozen=True)
class Hold:
    """One stock line held for an order."""

    item_key: str
    quantity: int
    version: str
    on_file: int  # the quantity the stock file lists for the line


@dataclass(frozen=True)
class ConfirmationCheck:
    ok: bool
    price: int | None = None
    hold: Hold | None = None
    reason: str = ""  # "" | missing:<fields> | not_in_stock | not_found
    regular_price: int | None = None  # the stock file's price (= price without a promise)
    discount: Promise | None = None  # the promise that priced the order

    def order_values(self) -> dict[str, Any]:
        """The order row's price columns at confirmation (a stale discount is cleared)."""
        promise = self.discount
        return {"price": self.price, "regular_price": self.regular_price,
                "discount_kind": promise.kind if promise else "", "discount_ref": promise.ref if promise else "",
                "discount_label": promise.label if promise else ""}


def check_confirmation(order: OrderDraft, index: StockIndex, reserved: Mapping[str, int],
                       quantity: int = 1, *, promises: Sequence[Mapping[str, Any]] = (),
                       now: datetime | None = None, today: date | None = None,
                       partner_code: str = "") -> ConfirmationCheck:
    """May `order` be confirmed against the stock right now, at which price, holding what.
    `promises`: the chat's stated discounts (DialogueState.promises); `now`/`today` (aware
    time, shop date) decide whether one still holds."""
    missing = order.missing_fields()
    if missing:
        return ConfirmationCheck(False, reason="missing:" + ",".join(missing))
    item = index.find_item(order.product, order.size or None, order.color or None)
    if item is None:
        return ConfirmationCheck(False, reason="not_found")
    key = index.item_key(item.product, item.size, item.color)
    if int(item.quantity) - int(reserved.get(key, 0)) < quantity:
        return ConfirmationCheck(False, reason="not_in_stock")
    price = index.price_of(item.product, item.color or None, item.size or None)
    hold = Hold(key, quantity, index.version, int(item.quantity))
    promise = best_promise(promises, item.product, int(price), now, today, partner_code) \
        if promises and price and now is not None and today is not None else None
    if promise is None:
        return ConfirmationCheck(True, price=price, hold=hold, regular_price=price)
    return ConfirmationCheck(True, price=promise.price(int(price)), hold=hold, regular_price=price, discount=promise)


def allowed_prices(stock_prices: Iterable[int], order_price: int | None, fact_amounts: Iterable[int],
                   conflicts: Mapping[int, str], *, promoted: Iterable[int] = ()) -> tuple[frozenset[int], dict[int, str]]:
    """(amounts the reply may state, amounts it must not state with why). `promoted`: the
    prices an active promotion gives the products in context (facts, like the stock file's)."""
    stock = set(stock_prices) | {int(p) for p in promoted}
    if order_price is not None:
        stock.add(int(order_price))
    # the stock file is the price authority: a document's amount that contradicts it is never allowed
    forbidden = {amount: why for amount, why in conflicts.items() if amount not in stock}
    return frozenset((stock | set(fact_amounts)) - forbidden.keys()), forbidden
