"""The order state machine and the per-chat dialogue state (pure, no I/O).

An order collects product, product_type, size (shoes only), colour (only when the
product exists in more than one colour), city and address (asked last). States:

    draft ──(every required field present)──▶ ready ──(customer says yes and the stock
      ▲                                         │        check passes)──▶ confirmed
      └──────(a field changes / goes missing)───┘
    draft | ready ──(customer or manager cancels)──▶ cancelled

Confirmed and cancelled are final for the dialogue: a new request starts a new order.
`DialogueState` is what the responder keeps in `Chat.state_json` between turns.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Iterable, Mapping

DRAFT = "draft"
READY = "ready"
CONFIRMED = "confirmed"
CANCELLED = "cancelled"
ORDER_STATES = (DRAFT, READY, CONFIRMED, CANCELLED)
OPEN_STATES = (DRAFT, READY)

PRODUCT_TYPES = ("shoes", "bag", "accessory", "other")
# Fields the customer can fill, in the order they are asked. Address is always last.
ORDER_FIELDS = ("product", "size", "color", "city", "address")
EDITABLE_FIELDS = ("product", "sku", "product_type", "size", "color", "city", "address", "customer_name", "price",
                   "quantity")


class OrderStateError(ValueError):
    """An order transition that the state machine does not allow."""


@dataclass(frozen=True)
class OrderDraft:
    """The order as the dialogue sees it (mirrors the `Order` row)."""

    product: str = ""
    sku: str = ""
    product_type: str = ""
    size: str = ""
    color: str = ""
    city: str = ""
    address: str = ""
    customer_name: str = ""
    price: Decimal | None = None
    state: str = DRAFT
    # the promised discount (issue 16): the stock price and the promotion/partner that set `price`
    regular_price: Decimal | None = None
    discount_kind: str = ""  # "" | promotion | partner
    discount_label: str = ""  # the promotion's title | the partner's name
    # Facts about the product from the stock file, used to decide what is required.
    colors_available: tuple[str, ...] = ()
    sizes_available: tuple[str, ...] = ()

    def required_fields(self) -> tuple[str, ...]:
        needed: list[str] = ["product"]
        # Size only for shoes; a product of unknown type needs one when the stock lists sizes.
        if self.product_type == "shoes" or (not self.product_type and self.sizes_available):
            needed.append("size")
        if len(self.colors_available) > 1:
            needed.append("color")
        needed += ["city", "address"]
        return tuple(needed)

    def missing_fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.required_fields() if not str(getattr(self, name) or "").strip())

    def next_missing(self) -> str:
        missing = self.missing_fields()
        return missing[0] if missing else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()

    def summary_fields(self) -> dict[str, Any]:
        return {
            "product": self.product, "product_type": self.product_type, "size": self.size, "color": self.color,
            "city": self.city, "address": self.address, "price": str(self.price) if self.price is not None else "",
        }


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


def _settle(draft: OrderDraft) -> OrderDraft:
    """draft ↔ ready follows completeness; final states never move here."""
    if not draft.is_open:
        return draft
    return replace(draft, state=READY if draft.is_complete else DRAFT)


def apply_fields(draft: OrderDraft, values: Mapping[str, Any]) -> tuple[OrderDraft, list[FieldChange]]:
    """Set order fields (a correction simply overwrites); returns the new draft and what changed.

    Changing the product clears size/colour/price that belonged to the old product.
    """
    if not draft.is_open:
        raise OrderStateError(f"order is {draft.state}; fields cannot change")
    changes: list[FieldChange] = []
    updated = draft
    if values.get("product") and values["product"] != draft.product:
        changes.append(FieldChange("product", draft.product, str(values["product"])))
        updated = replace(updated, product=str(values["product"]), sku="", price=None,
                          colors_available=tuple(values.get("colors_available", ())),
                          sizes_available=tuple(values.get("sizes_available", ())))
        # The customer's earlier size/colour stay: they still want a 38, just another model.
    for name in ("sku", "product_type", "size", "color", "city", "address", "customer_name"):
        if name in values and values[name] is not None and str(values[name]).strip():
            new = str(values[name]).strip()
            old = str(getattr(updated, name) or "")
            if new != old:
                changes.append(FieldChange(name, old, new))
                updated = replace(updated, **{name: new})
    if "price" in values and values["price"] is not None:
        price = Decimal(str(values["price"]))
        if price != updated.price:
            changes.append(FieldChange("price", str(updated.price or ""), str(price)))
            updated = replace(updated, price=price)
    for name in ("colors_available", "sizes_available"):
        if name in values and "product" not in values:
            updated = replace(updated, **{name: tuple(values[name])})
    return _settle(updated), changes


def confirm(draft: OrderDraft, *, stock_ok: bool) -> OrderDraft:
    """ready → confirmed, only with every field present and the stock check passing now."""
    if draft.state != READY or not draft.is_complete:
        raise OrderStateError(f"cannot confirm an order in state {draft.state} (missing: {draft.missing_fields()})")
    if not stock_ok:
        raise OrderStateError("cannot confirm: the item is not in stock")
    if draft.price is None:
        raise OrderStateError("cannot confirm: the order has no price from the stock file")
    return replace(draft, state=CONFIRMED)


def cancel(draft: OrderDraft) -> OrderDraft:
    """Any order can be cancelled (a confirmed one by a manager, which frees its reservation)."""
    return draft if draft.state == CANCELLED else replace(draft, state=CANCELLED)


@dataclass
class DialogueState:
    """What the responder remembers about one chat between turns (stored as JSON)."""

    step: str = "greeting"  # greeting | need | offer | questions | stock | details | confirmation | done | support
    greeted: bool = False
    misunderstood: int = 0
    llm_failures: int = 0
    last_product: str = ""
    order_id: int | None = None
    asked_field: str = ""  # the order field the last bot message asked for
    awaiting_confirmation: bool = False
    support_kind: str = ""  # warranty | return | other while collecting support details
    support_stage: str = ""  # "" | ask_details | offer_choice
    ticket_id: int | None = None
    ticket_notice_sent: bool = False
    turns: int = 0
    preferred_size: str = ""
    preferred_color: str = ""
    # knowledge sections already answered in this chat ("Доставка / Доставка по Казахстану"):
    # a policy question asked again alongside a product question is not answered twice
    faq_sections: list[str] = field(default_factory=list)
    # partners (issue 16): the code a partner typed, wrong codes so far, greeted by name once
    partner_code: str = ""
    partner_code_tries: int = 0
    partner_greeted: bool = False
    # promotion/partner prices stated in this chat, kept for the order (dialogue/promised.py)
    promises: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | None) -> "DialogueState":
        try:
            data = json.loads(raw or "{}")
        except (TypeError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def order_from_mapping(data: Mapping[str, Any], *, colors: Iterable[str] = (), sizes: Iterable[str] = ()) -> OrderDraft:
    price = data.get("price")
    regular = data.get("regular_price")
    return OrderDraft(
        product=str(data.get("product") or ""), sku=str(data.get("sku") or ""),
        product_type=str(data.get("product_type") or ""), size=str(data.get("size") or ""),
        color=str(data.get("color") or ""), city=str(data.get("city") or ""), address=str(data.get("address") or ""),
        customer_name=str(data.get("customer_name") or ""),
        price=Decimal(str(price)) if price not in (None, "") else None,
        state=str(data.get("state") or DRAFT),
        regular_price=Decimal(str(regular)) if regular not in (None, "") else None,
        discount_kind=str(data.get("discount_kind") or ""), discount_label=str(data.get("discount_label") or ""),
        colors_available=tuple(colors), sizes_available=tuple(sizes),
    )
