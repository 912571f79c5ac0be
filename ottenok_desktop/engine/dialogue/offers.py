"""A sales turn's promotion and partner facts, and the prices the chat was promised.

`TurnOffers.facts(...)` gives the lines beside the stock facts (an active promotion's price, the
partner greeting and price, the list of active promotions when asked, the answer to an opt-in)
with the amounts the price guard must allow and the `Promise`s those lines would make.
`remember_stated` keeps, in the dialogue state, the promises the final reply actually says;
`promised_view` shows an open order at its promised price (the summary), so the customer reads
the same price before «да» that the confirmation keeps (pricing.check_confirmation).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Callable, Sequence

from .. import texts
from ..clock import Clock
from ..events import ChatUpdated
from ..partners import MAX_CODE_TRIES, partner_price, typed_code
from ..ports import DialogueContext, Partners, Promotions, StockIndex
from ..promotions import format_tenge
from ..turns import Turn
from . import decisions as d
from .offline import order_price_text
from .plan import TurnPlan
from .promised import PARTNER, Promise, best_promise, load, of_partner, of_promotion, remember, stated
from .promotions import active_list, asks_promotions, for_product, wants_promotions
from .state import DialogueState, OrderDraft


@dataclass(frozen=True)
class OfferFacts:
    lines: tuple[str, ...] = ()
    prices: tuple[int, ...] = ()  # amounts the guard allows (they are facts)
    offers: tuple[tuple[Promise, tuple[int, ...]], ...] = ()  # promises, with the amounts that state them

    def __add__(self, other: "OfferFacts") -> "OfferFacts":
        return OfferFacts(self.lines + other.lines, self.prices + other.prices, self.offers + other.offers)


class TurnOffers:
    def __init__(self, promotions: Promotions | None, partners: Partners | None, clock: Clock,
                 index: Callable[[], StockIndex | None]) -> None:
        self.promotions = promotions
        self.partners = partners
        self.clock = clock
        self._index = index

    async def facts(self, turn: Turn, stock: d.StockFacts | None, ctx: DialogueContext, state: DialogueState,
                    plan: TurnPlan) -> OfferFacts:
        now = turn.now or self.clock.now()
        return await self._promotion_facts(turn, stock, ctx, plan, now) + await self._partner_facts(
            turn, stock, state, now, ctx, plan)

    async def _promotion_facts(self, turn: Turn, stock: d.StockFacts | None, ctx: DialogueContext,
                               plan: TurnPlan, now: datetime) -> OfferFacts:
        """Active promotions only: the list when asked, a line beside a product's stock facts;
        an opt-in to promotions recorded (refused for good after an opt-out)."""
        if self.promotions is None:
            return OfferFacts()
        lines: list[str] = []
        prices: list[int] = []
        offers: list[tuple[Promise, tuple[int, ...]]] = []
        if wants_promotions(turn.text):
            if ctx.opted_out:
                lines.append(texts.PROMO_CONSENT_REFUSED)
            else:
                plan.promo_consent(True, "customer")
                lines.append(texts.PROMO_CONSENT_OK)
        book = await self.promotions.book()
        today = self.clock.local(now).date()
        if asks_promotions(turn.text):
            listed = active_list(book, today)
            lines += listed.lines
            prices += listed.prices
        index = self._index()
        if stock is not None and stock.product and stock.status == d.IN_STOCK and index is not None:
            info = index.product_info(stock.product)
            facts = for_product(book, stock.product, info.get("brand", ""),
                                stock.product_type or info.get("product_type", ""),
                                [stock.price] if stock.price is not None else stock.prices, today)
            lines += facts.lines
            prices += facts.prices
            if facts.promotion is not None:
                offers.append((of_promotion(stock.product, facts.promotion, now), facts.prices))
        return OfferFacts(tuple(lines), tuple(prices), tuple(offers))

    async def _partner_facts(self, turn: Turn, stock: d.StockFacts | None, state: DialogueState,
                             now: datetime, ctx: DialogueContext, plan: TurnPlan) -> OfferFacts:
        """A partner (by the chat's phone or a typed code) is greeted by name once and gets the
        partner price beside the stock facts; a wrong code is refused, and after three no code
        is looked up any more in this chat. A recognised typed code is kept for the chat and
        carried to its linked chat in the turn's transaction (plan.partner_code)."""
        if self.partners is None:
            return OfferFacts()
        book = await self.partners.book()
        lines: list[str] = []
        partner = book.by_phone(turn.phone) or (book.by_code(state.partner_code) if state.partner_code else None)
        code = typed_code(turn.text)
        if code is not None and partner is None:
            found = book.by_code(code) if state.partner_code_tries < MAX_CODE_TRIES else None
            if found is not None:
                state.partner_code, partner = found.code, found
                plan.partner_code(found.code)
                if ctx.linked_chat_id:  # the other channel's chat shows «партнёр» too
                    plan.publish(ChatUpdated(ctx.linked_chat_id))
            else:
                state.partner_code_tries = min(state.partner_code_tries + 1, MAX_CODE_TRIES)
                lines.append(texts.PARTNER_CODE_WRONG if state.partner_code_tries < MAX_CODE_TRIES
                             else texts.PARTNER_CODE_LOCKED)
        if partner is None:
            return OfferFacts(tuple(lines))
        state.partner_code = partner.code  # remembered (and the console's «партнёр» badge)
        if not state.partner_greeted:
            state.partner_greeted = True
            lines.append(texts.PARTNER_HELLO.format(name=partner.name, percent=partner.percent))
        amounts: tuple[int, ...] = ()
        offers: tuple[tuple[Promise, tuple[int, ...]], ...] = ()
        if stock is not None and stock.product and stock.status == d.IN_STOCK:
            regular = [stock.price] if stock.price is not None else list(stock.prices)
            amounts = tuple(sorted({partner_price(int(p), partner) for p in regular if p}))
            if amounts:
                shown = format_tenge(amounts[0]) if len(amounts) == 1 else f"от {format_tenge(amounts[0])}"
                lines.append(texts.PARTNER_PRICE.format(price=shown))
                offers = ((of_partner(stock.product, partner, now), amounts),)
        return OfferFacts(tuple(lines), amounts, offers)

    async def recognise(self, turn: Turn, state: DialogueState, given_code: str = "") -> None:
        """Mark the chat as a partner's when its phone (or the code typed earlier, here or in the
        linked chat: `given_code`) is in partners.xlsx, before any route — a partner's very first
        «соедините со специалистом» opens a partner ticket; a partner taken out of the file is no
        longer one here."""
        if self.partners is None:
            return
        book = await self.partners.book()
        partner = (book.by_phone(turn.phone) or (book.by_code(state.partner_code) if state.partner_code else None)
                   or (book.by_code(given_code) if given_code else None))
        state.partner_code = partner.code if partner is not None else ""

    def promised_view(self, order: OrderDraft | None, state: DialogueState, now: datetime) -> OrderDraft | None:
        """The open order at the price the chat was promised for it (None: no promise holds)."""
        if order is None or not order.product or order.price is None or not state.promises:
            return None
        regular = int(order.price)
        promise = best_promise(state.promises, order.product, regular, now, self.clock.local(now).date(),
                               state.partner_code)
        if promise is None:
            return None
        return replace(order, price=Decimal(promise.price(regular)), regular_price=order.price,
                       discount_kind=promise.kind, discount_label=promise.label)


def remember_stated(state: DialogueState, offers: OfferFacts, parts: Sequence[str]) -> None:
    """Keep the promises the reply's words actually state (a price never said is never owed)."""
    said = stated(offers.offers, "\n".join(parts))
    if said:
        state.promises = remember(state.promises, said)


def confirmation_note(order: OrderDraft, state: DialogueState, parts: Sequence[str]) -> str:
    """The line naming the order's price at confirmation when the words did not: the promised
    discount (the customer must read which one her order got), or — when a discount she was
    told no longer holds (a promotion over and more than 24 h since) — that the file price applies."""
    text = "\n".join(parts)
    if order.price is None:
        return ""
    if not order.discount_kind:
        lapsed = [p for p in load(state.promises) if p.product == order.product]
        if not lapsed:
            return ""
        label = lapsed[0].label if lapsed[0].kind != PARTNER else "цена партнёра"
        return texts.PROMISE_LAPSED.format(label=label, price=format_tenge(int(order.price)))
    named = "партн" in text.lower() if order.discount_kind == PARTNER else order.discount_label in text
    if format_tenge(int(order.price)) in text and named:
        return ""
    return texts.PROMISED_PRICE_NOTE.format(price=order_price_text(order))
