"""Decisions of one turn (pure): stock guard, what to ask next, photos, handoff triggers.

The responder gathers facts (extracted fields, the order, stock facts, knowledge hits)
and `decide_sales` answers what the bot does: offer the product with its price, say
honestly that it is out of stock and offer alternatives, show similar products when it
is not found, ask the next missing field, show the summary, confirm, answer a question
from the knowledge base, or hand the chat to a human. The offline templates and the LLM
prompt both render the same `Decision`, so the facts never depend on the LLM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from . import intents as it
from .extraction import Extracted
from .state import DialogueState, OrderDraft

IN_STOCK = "in_stock"
OUT_OF_STOCK = "out_of_stock"
NOT_FOUND = "not_found"

# actions
GREET = "greet"  # only a greeting came: greet and ask what they look for
OFFER = "offer"  # product in stock: price (+ sizes/colours), then the next question
ASK_FIELD = "ask_field"
SUMMARY = "summary"  # every field present: show the order and ask to confirm
CONFIRMED = "confirmed"
GONE = "gone"  # the item sold out between the summary and "да"
OUT = "out_of_stock"
NOT_FOUND_ACTION = "not_found"
CANCELLED = "cancelled"
FAQ = "faq"
CLARIFY = "clarify"
THANKS = "thanks"
COMPARE = "compare"  # two or three products in one question: facts for each, then "which one?"
THINK = "think"  # "подумаю": no pushing for the next field; the follow-up comes later

MISUNDERSTOOD_LIMIT = 2
LLM_FAILURE_LIMIT = 2
MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Alternative:
    product: str
    size: str = ""
    color: str = ""
    price: int | None = None


@dataclass(frozen=True)
class StockFacts:
    """What the stock file says about the product in question (see `stockfacts.py`)."""

    status: str = ""  # in_stock | out_of_stock | not_found | "" (nothing asked)
    product: str = ""
    product_type: str = ""
    price: int | None = None
    sizes: tuple[str, ...] = ()  # sizes in stock (for the asked colour when one was asked)
    colors: tuple[str, ...] = ()  # colours in stock (for the asked size when one was asked)
    all_colors: tuple[str, ...] = ()  # every colour the product exists in
    asked_size: str = ""
    asked_color: str = ""
    sku: str = ""
    alternatives: tuple[Alternative, ...] = ()
    prices: tuple[int, ...] = ()  # every price of this product (and its alternatives) in the file

    @property
    def known_prices(self) -> frozenset[int]:
        values = set(self.prices)
        if self.price is not None:
            values.add(self.price)
        values.update(a.price for a in self.alternatives if a.price is not None)
        return frozenset(values)


@dataclass(frozen=True)
class Decision:
    action: str
    greet: bool = False
    ask_field: str = ""
    stock: StockFacts | None = None
    send_photos: bool = False
    handoff_reason: str = ""
    faq: tuple[str, ...] = ()  # knowledge texts that answer the customer's question
    corrected: tuple[tuple[str, str], ...] = ()  # (field, new value) the customer just corrected
    # a short knowledge answer to a policy question asked in the same turn as a product
    # question ("есть лоферы 37? а доставка в Астану?"): said after the stock facts
    side_faq: str = ""
    notes: tuple[str, ...] = field(default=())
    compared: tuple[StockFacts, ...] = ()  # COMPARE: the facts of each product asked about

    @property
    def confirms_order(self) -> bool:
        return self.action == CONFIRMED


def needs_greeting(state: DialogueState) -> bool:
    return not state.greeted


def want_photos(extracted: Extracted, stock: StockFacts | None, *, product_is_new: bool, color_changed: bool) -> bool:
    """Photos go with the first offer of a product, a new colour, or when the customer asks."""
    if stock is None or stock.status == NOT_FOUND or not stock.product:
        return False
    return product_is_new or color_changed or it.ASK_PHOTO in extracted.intents


def next_field(order: OrderDraft) -> str:
    return order.next_missing()


def decide_sales(*, state: DialogueState, order: OrderDraft | None, extracted: Extracted, stock: StockFacts | None,
                 faq: Sequence[str] = (), product_is_new: bool = False, color_changed: bool = False,
                 corrected: Sequence[tuple[str, str]] = (), confirmed_now: bool | None = None,
                 asks_stock: bool = False, thinking: bool = False) -> Decision:
    """What to do with a sales turn once the order has absorbed this turn's fields.

    `confirmed_now` is set by the caller when the customer said "да" to a summary:
    True (stock re-checked and the order confirmed) or False (the item is gone).
    `asks_stock`: the customer asked about availability or price ("а черные 37 есть?"): the
    facts are stated again, not only the next question. `thinking`: "спасибо, подумаю" with
    nothing else — the answer lets them think instead of asking for the next field.
    """
    greet = needs_greeting(state)
    corrected_t = tuple(corrected)
    if confirmed_now is True:
        return Decision(CONFIRMED, greet=greet, stock=stock, corrected=corrected_t)
    if confirmed_now is False:
        return Decision(GONE, greet=greet, stock=stock, corrected=corrected_t)
    if it.CANCEL in extracted.intents and order is not None and order.is_open and order.product:
        return Decision(CANCELLED, greet=greet)

    faq_t = tuple(faq)
    if thinking and not faq_t and not extracted.fields():
        return Decision(THINK, greet=False)
    if stock is not None and stock.status == NOT_FOUND and extracted.mentions_product:
        return Decision(NOT_FOUND_ACTION, greet=greet, stock=stock, faq=faq_t)
    if stock is not None and stock.status == OUT_OF_STOCK:
        photos = want_photos(extracted, stock, product_is_new=product_is_new, color_changed=False)
        return Decision(OUT, greet=greet, stock=stock, send_photos=photos, faq=faq_t, corrected=corrected_t,
                        ask_field=_ask_after_out(stock))
    if order is not None and order.is_open and order.product:
        photos = want_photos(extracted, stock, product_is_new=product_is_new, color_changed=color_changed)
        if order.is_complete:
            return Decision(SUMMARY, greet=greet, stock=stock, send_photos=photos, faq=faq_t, corrected=corrected_t)
        stated = product_is_new or it.ASK_PRICE in extracted.intents or color_changed or asks_stock
        action = OFFER if stated and stock is not None else ASK_FIELD
        return Decision(action, greet=greet, ask_field=next_field(order), stock=stock, send_photos=photos,
                        faq=faq_t, corrected=corrected_t)
    if faq_t:
        return Decision(FAQ, greet=greet, faq=faq_t, ask_field="product" if not state.last_product else "")
    if it.THANKS in extracted.intents:
        return Decision(THANKS, greet=False)
    if extracted.intents & {it.GREETING} or not state.greeted:
        if not (extracted.intents - {it.GREETING, it.QUESTION, it.ASK_AVAILABILITY}) and greet:
            return Decision(GREET, greet=True, ask_field="product")
    return Decision(CLARIFY, greet=greet, ask_field="product")


def _ask_after_out(stock: StockFacts) -> str:
    if stock.asked_size and stock.sizes:
        return "size"
    if stock.asked_color and stock.colors:
        return "color"
    return ""


def misunderstood_after(decision: Decision, state: DialogueState, extracted: Extracted | None = None) -> int:
    """The misunderstanding counter after this decision: up when the turn gave nothing the bot
    could use (CLARIFY, or the same question again with no field, intent or product in the text)."""
    if decision.action == CLARIFY:
        return state.misunderstood + 1
    empty = extracted is not None and not extracted.fields() and not extracted.intents and not extracted.mentions_product
    if empty and decision.action == ASK_FIELD and not decision.faq:
        return state.misunderstood + 1
    return 0


def clarify_limit_reached(count: int) -> bool:
    return count >= MISUNDERSTOOD_LIMIT


def llm_limit_reached(count: int) -> bool:
    return count >= LLM_FAILURE_LIMIT
