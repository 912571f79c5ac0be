"""`SalesResponder`: one customer turn in, one `Reply` (with its plan) out. «Алина» sells from facts.

Order of work in a turn:
  read the text ONCE (`reading.read_message`: intents, opt-out, request for a person,
    support topic, the side question) — the knowledge search starts meanwhile
  → ONE read on the DB thread: dialogue state, open order, open ticket, photos already
    sent and the stock holds
  → ONE decision of what the turn is about, with an explicit priority (`reading.route`):
    manager command > opt-out > request for a person > open ticket > support > sales
  → sales: order fields (rules, then the LLM's) → stock facts from the in-memory index →
    decisions (pure) → words: one LLM call (JSON: reply + fields) when configured, else
    offline templates; guards check the LLM's words against the facts → photos
  → the `Reply` carries the `TurnPlan` (order fields and state with their audit rows, stock
    holds, tickets, the dialogue state, the events): the dispatcher commits it with the
    outbox rows in one transaction, only if the bot still owns the chat.

The responder writes nothing and sends nothing. The LLM failing twice in a row, or the
bot not understanding twice, brings a human (`Reply.handoff_reason`). `preview(text)`
runs the same decisions for a chat that has never written and returns the reply without
its plan (the console's knowledge test box).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Sequence

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.commands import Commands
from ottenok_desktop.engine.events import EventBus, GuardTriggered, OrderChanged
from ottenok_desktop.engine.lexicon.colors import detect_colors
from ottenok_desktop.engine.lexicon.sizes import detect_sizes
from ottenok_desktop.engine.lexicon.confirmation import ConfirmationReply
from ottenok_desktop.engine.lexicon.kazakh import detect_language, llm_language_line
from ottenok_desktop.engine.lexicon.questions import Question, Topic
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.ports import (DialogueContext, Inventory, Knowledge, Llm, LlmFailure, PhotoSelector,
                                          Partners, PhotoSource, Promotions, StockIndex, UnitOfWork, empty_context)
from ottenok_desktop.engine.states import OrderState
from ottenok_desktop.engine.turns import InboundText, OutgoingPart, Reply, Turn

from . import decisions as d
from . import intents as it
from .extraction import Extracted, merge_llm_fields
from .guards import check_reply, knowledge_amounts
from .kbfacts import fact_texts
from .offline import offer_text, render
from .plan import TurnPlan
from .pricing import allowed_prices, check_confirmation
from .prompt import SCHEMA_HINT, build_messages
from .offline import with_note
from .policy_answers import (PRODUCT_QUESTIONS, PRODUCT_TOPICS, RESERVE_QUERY, TOPIC_QUERY_PREFIX, PolicyAnswers,
                             TurnKnowledge, remember_section, size_advice, stock_sizes_of)
from .offers import TurnOffers, confirmation_note, remember_stated
from .reading import Reading, Route, read_message, route
from .state import DialogueState, OrderDraft, apply_fields, order_from_mapping
from .stockfacts import MIN_PRODUCT_SCORE, StockSource, best_products, products_named
from .support import SupportDesk
from .turn_photos import TurnPhotos

log = logging.getLogger(__name__)
_WORN = re.compile(r"(?<![а-я])(?:ношу|обычно|нога|у меня\s+\d|мой размер|моя нога)")

KNOWLEDGE_CHARS = 500
PREVIEW_CHAT_ID = "preview@c.us"  # never stored: a preview applies nothing
# intents that make documents worth giving the LLM even without a question mark
KNOWLEDGE_INTENTS = frozenset({*it.FAQ_INTENTS, it.QUESTION, *PRODUCT_QUESTIONS, it.ASK_AVAILABILITY, it.WARRANTY,
                               it.RETURN, it.EXCHANGE, it.COMPLAINT, it.PAYMENT_TROUBLE})


@dataclass
class TurnStats:
    """Counters the benchmark and the console read."""

    turns: int = 0
    llm_calls: int = 0
    llm_failures: int = 0
    guard_rebuilds: int = 0


class SalesResponder:
    def __init__(self, *, uow: UnitOfWork, commands: Commands, inventory: Inventory | None,
                 knowledge: Knowledge | None, photos: PhotoSource | None, photo_selector: PhotoSelector,
                 llm: Llm | None, bus: EventBus, clock: Clock, persona: str = "Алина",
                 manager_numbers: tuple[str, ...] = (), promotions: Promotions | None = None,
                 partners: Partners | None = None) -> None:
        self.uow = uow
        self.promotions = promotions
        self.partners = partners
        self.inventory = inventory
        self.knowledge = knowledge
        self.llm = llm
        self.bus = bus
        self.clock = clock
        self.persona = persona or "Алина"
        self.turn_photos = TurnPhotos(photos, photo_selector)
        self.stats = TurnStats()
        self.support = SupportDesk(commands=commands, bus=bus, manager_numbers=manager_numbers, knowledge=knowledge)
        self._prices: tuple[str, dict[str, tuple[int, ...]]] = ("", {})
        self.answers = PolicyAnswers(knowledge, self._product_of, self._stock_prices_of)
        self.offers = TurnOffers(promotions, partners, clock, lambda: self._index)

    # ---- entry points -------------------------------------------------------------------
    async def respond(self, turn: Turn) -> Reply:
        self.stats.turns += 1
        now = turn.now or self.clock.now()
        plan = TurnPlan(turn.chat_id, now)
        reply = await self._turn(turn, plan, preview=False)
        return replace(reply, plan=plan)

    async def preview(self, text: str) -> Reply:
        """The reply a first message `text` would get, with the same decisions (and the LLM when
        configured), writing nothing and publishing nothing."""
        now = self.clock.now()
        turn = Turn(chat_id=PREVIEW_CHAT_ID, phone="", customer_name="", now=now,
                    messages=(InboundText(message_id=0, text=text, content_type="text", at=now),))
        return await self._turn(turn, TurnPlan(turn.chat_id, now), preview=True)

    @property
    def _index(self) -> StockIndex | None:
        return self.inventory.index if self.inventory is not None else None

    async def _read_context(self, turn: Turn, preview: bool) -> DialogueContext:
        index = self._index
        reader = self.inventory.reserved_reader(index.version) if self.inventory is not None and index is not None \
            else None
        if preview:
            reserved = await self.uow.read(lambda _: reader()) if reader is not None else None
            return replace(empty_context(), reserved=reserved)
        return await self.uow.read(lambda s: s.dialogue_context(turn.chat_id, turn.now or self.clock.now(),
                                                                 turn.customer_name, reader))

    async def _turn(self, turn: Turn, plan: TurnPlan, *, preview: bool) -> Reply:
        reading = read_message(turn.text)
        if reading.command and not preview:
            return await self.support.manager_command(turn)
        # The knowledge search (the slow part) runs while the DB thread reads the chat.
        only = reading.questions[0] if len(reading.questions) == 1 else None
        main_query = PolicyAnswers.query_for(only, "") if only is not None and only.topic in TOPIC_QUERY_PREFIX \
            else reading.text
        knowledge_task = asyncio.ensure_future(self.answers.search(main_query)) if self._wants_knowledge(reading) \
            else None
        asked: list[tuple[Question, asyncio.Future[list[Any]]]] = []
        try:
            ctx = await self._read_context(turn, preview)
            stock_source = StockSource(self.inventory, self._index, ctx.reserved)
            state = DialogueState.from_json(ctx.state_json)
            state.turns += 1
            await self.offers.recognise(turn, state, ctx.partner_code)
            # Every policy question gets its own search ("есть лоферы 37? а доставка в Астану? они
            # оригинал?"): the whole text finds the product's documents, not each policy; a
            # question about "them" (sizing, material, heel, box) is about the product in play.
            product = self._product_in_play(reading.text, ctx, state)
            asked = [(q, asyncio.ensure_future(self.answers.search(PolicyAnswers.query_for(q, product))))
                     for q in reading.knowledge_questions]
            chosen = route(reading, ticket_open=ctx.ticket is not None, support_stage=state.support_stage)
            if chosen == Route.OPT_OUT:
                # The follow-up service records the opt-out and acknowledges it once; selling
                # on to someone who asked us to stop would be the worst possible answer.
                if not preview:
                    plan.promo_consent(False, "customer")  # no promotions either, for good
                return Reply(notes=("opt_out",))
            if chosen == Route.PERSON:
                reply = self.support.person_turn(turn, reading, ctx.ticket, state, plan)
            elif chosen == Route.TICKET_OPEN and ctx.ticket is not None:
                reply = self.support.while_ticket_open(turn, ctx.ticket, state, plan)
            elif chosen == Route.SUPPORT and (support := await self.support.support_turn(turn, reading, state, plan)):
                reply = support
            else:
                extracted = reading.extract(state.asked_field, self._match_products)
                return await self._sales_turn(turn, reading, ctx, state, extracted, plan, stock_source,
                                              knowledge_task, preview, asked)
            state.greeted = True
            plan.save_state(state.to_json())
            return reply
        finally:
            for task in (knowledge_task, *(t for _, t in asked)):
                if task is not None and not task.done():
                    task.cancel()

    def _product_in_play(self, text: str, ctx: DialogueContext, state: DialogueState) -> str:
        named = self._match_products(text)
        if named:
            return named[0]
        if ctx.order and ctx.order.get("product"):
            return str(ctx.order["product"])
        return state.last_product

    def _wants_knowledge(self, reading: Reading) -> bool:
        """Decided before the chat's state is read, from the reading alone. Offline, knowledge
        answers questions only; the LLM gets it as facts unless the turn is a bare order
        detail or a yes/no ("черные", "в Астану", "да"), where documents only add noise."""
        if self.llm is None or reading.asks:
            return reading.asks
        early = reading.extract("", self._match_products)
        return bool(reading.intents & KNOWLEDGE_INTENTS) or early.mentions_product or not (early.fields()
                                                                                           or reading.intents)

    def _match_products(self, text: str) -> list[str]:
        index = self._index
        if index is None:
            return []
        return best_products(index, text)

    def _product_of(self, text: str) -> str:
        """The stock product a knowledge text is about, or ""."""
        index = self._index
        if index is None or not text.strip():
            return ""
        found = index.match_products(text, limit=1)
        return found[0][0] if found and found[0][1] >= MIN_PRODUCT_SCORE else ""

    def _stock_prices_of(self, product: str) -> tuple[int, ...]:
        index = self._index
        if index is None:
            return ()
        version, prices = self._prices
        if version != index.version or not prices:
            table: dict[str, set[int]] = {}
            for item in index.items:
                table.setdefault(item.product, set()).add(int(item.price))
            prices = {name: tuple(sorted(values)) for name, values in table.items()}
            self._prices = (index.version, prices)
        return prices.get(product, ())

    # ---- selling ----------------------------------------------------------------------
    async def _sales_turn(self, turn: Turn, reading: Reading, ctx: DialogueContext, state: DialogueState,
                          extracted: Extracted, plan: TurnPlan, stock_source: "StockSource", knowledge_task: "asyncio.Future[list[Any]] | None",
                          preview: bool, asked: "Sequence[tuple[Question, asyncio.Future[list[Any]]]]" = ()) -> Reply:
        order = order_from_mapping(ctx.order) if ctx.order else None
        order_id: int | None = int(ctx.order["id"]) if ctx.order else None
        if order is not None and order.product:
            order = self._with_stock_shape(order)
        confirmed_now: bool | None = None
        stock: d.StockFacts | None = None
        corrected: list[tuple[str, str]] = []
        product_is_new = False
        color_changed = False

        wants_yes = (state.awaiting_confirmation and reading.confirmation == ConfirmationReply.YES
                     and order is not None and order.state == OrderState.READY)
        worn = ""
        if reading.asks_about(Topic.SIZING) and extracted.size and _WORN.search(turn.text.lower()):
            # "маломерят? я ношу 37,5": the size they wear, not the one to order — advice follows
            worn, extracted = extracted.size, replace(extracted, size="", sizes=())
        if (order is not None and order.product and not extracted.brand and reading.knowledge_questions
                and all(q.topic in PRODUCT_TOPICS for q in reading.knowledge_questions)):
            # "а ремешок из чего?" asks about a part of the pair in play, not for a belt
            extracted = replace(extracted, product="", products=(), kind_word="", product_type="")
        named = [] if state.awaiting_confirmation or not extracted.products else products_named(self._index, turn.text)
        compared: tuple[d.StockFacts, ...] = ()
        if len(named) > 1:
            # "лоферы шанель и баленсиага сколько?": each product its own facts; the order waits
            # for the customer to pick one
            compared = tuple([await stock_source.facts(name, _first(detect_sizes(words)) or extracted.size,
                                                       _first(detect_colors(words)) or extracted.color)
                              for name, words in named])
        elif wants_yes and order is not None and order_id is not None:
            confirmed_now, stock, order = await self._confirm(turn, order_id, order, plan, stock_source, state)
        else:
            order, order_id, stock, corrected, product_is_new, color_changed = await self._absorb(
                turn, state, order, order_id, extracted, plan, stock_source)

        knowledge = await self.answers.facts(knowledge_task, turn.text, extracted)
        faq, faq_product, faq_section = self.answers.faq(extracted, order, knowledge, turn.text)
        if faq_product and stock is None:
            # a product question the stock file answers (never a document's table or price)
            faq = offer_text(await stock_source.facts(faq_product, "", ""), None)
        asks_stock = any(reading.asks_about(t) for t in (Topic.STOCK, Topic.PRICE, Topic.AVAILABILITY))
        decision = d.Decision(d.COMPARE, greet=d.needs_greeting(state), compared=compared, ask_field="product") \
            if compared else d.decide_sales(state=state, order=order, extracted=extracted, stock=stock, faq=faq,
                                  product_is_new=product_is_new, color_changed=color_changed, corrected=corrected,
                                  confirmed_now=confirmed_now, asks_stock=asks_stock,
                                  thinking=reading.declines and not reading.questions)
        if decision.faq and faq_section:
            remember_section(state, faq_section)
        if decision.action == d.THINK and (order is not None and order.product or state.last_product):
            # "подумаю": offer to hold the pair, when the shop's documents say it can
            hold = await self.answers.one_answer(RESERVE_QUERY)
            if hold:
                decision = replace(decision, side_faq=hold)
        answers = await self.answers.question_answers(asked, {faq_section} if decision.faq else set(), state, turn,
                                               self._product_in_play(turn.text, ctx, state) if order is None
                                               or not order.product else order.product)
        advice = size_advice(answers, worn, (stock.sizes or stock_sizes_of(stock)) if stock is not None else ())
        if advice:
            answers.append(advice)
        # the confirmation names the price it kept; no new offer lines beside it
        promo = await self.offers.facts(turn, None if confirmed_now else stock, ctx, state, plan)
        answers.extend(promo.lines)
        if answers:
            decision = replace(decision, side_faq="\n".join(answers))
        if (state.awaiting_confirmation and reading.confirmation == ConfirmationReply.NO and not extracted.fields()
                and decision.action == d.SUMMARY):
            decision = replace(decision, action=d.ASK_FIELD, ask_field="")
        if decision.action == d.CANCELLED and order is not None and order_id is not None:
            self._cancel(turn.chat_id, order_id, plan)
            order = replace(order, state=OrderState.CANCELLED)

        misunderstood = d.misunderstood_after(decision, state, extracted)
        handoff_reason = ""
        if d.clarify_limit_reached(misunderstood):
            handoff_reason = "misunderstood"

        # an open order the chat was promised a discount for: that price is a fact, and the summary says it
        view = self.offers.promised_view(order, state, turn.now or self.clock.now()) \
            if order is not None and order.is_open else None
        promised = (int(view.price), int(view.regular_price)) if view is not None and view.price is not None \
            and view.regular_price is not None else ()
        parts_text, notes = await self._words(turn, state, decision, view if view is not None
                                              and decision.action == d.SUMMARY else order, extracted, stock,
                                              knowledge, plan, preview, promo.prices + promised)
        note = confirmation_note(order, state, parts_text) if decision.action == d.CONFIRMED and order else ""
        if note:  # the discount (or a lapsed one) named when the words did not
            parts_text = with_note(parts_text, note, before_last=False)
        if decision.action == d.ASK_FIELD and not decision.ask_field and state.awaiting_confirmation:
            parts_text = [texts.WHAT_TO_FIX]
        if self._llm_gave_up(state):
            handoff_reason = handoff_reason or "llm_failed"
        if handoff_reason:
            self.support.open_handoff_ticket(turn, handoff_reason, state, plan)
            parts_text = [texts.LLM_DOWN_HANDOFF if handoff_reason == "llm_failed" else texts.HANDOFF_NOTICE]
            notes = notes + (f"handoff:{handoff_reason}",)

        photo_parts = await self.turn_photos.parts(decision, order, stock, ctx.photos_sent)
        if reading.asks_about(Topic.PHOTO) and not photo_parts and not handoff_reason:
            # asked for a photo we cannot send now: say so honestly, never skip the question
            parts_text = with_note(parts_text, texts.PHOTO_ALREADY_SENT if stock is not None and stock.product
                                   and self.turn_photos.any_sent(stock.product, ctx.photos_sent) else texts.PHOTO_LATER)
        parts = [OutgoingPart(text=t) for t in parts_text if t]
        if photo_parts:
            # photos right after the offer text, before the next question
            insert_at = 1 if len(parts) > 1 else len(parts)
            parts[insert_at:insert_at] = photo_parts

        # state bookkeeping
        if not handoff_reason:
            remember_stated(state, promo, parts_text)
        state.greeted = True
        state.misunderstood = 0 if handoff_reason else misunderstood
        if decision.action not in (d.THINK, d.THANKS):  # "подумаю" leaves the open question open
            state.asked_field = decision.ask_field if decision.action in (d.OFFER, d.ASK_FIELD, d.OUT, d.FAQ,
                                                                           d.GREET, d.CLARIFY) else ""
            state.awaiting_confirmation = decision.action == d.SUMMARY
        state.step = _step_of(decision)
        if order is not None and order.product:
            state.last_product = order.product
        if decision.action in (d.CONFIRMED, d.CANCELLED):
            state.order_id = None
            state.asked_field = ""
        # Photos count as sent when the dispatcher commits the reply (storage/turns.py),
        # so a reply dropped because a manager took the chat does not use them up.
        plan.save_state(state.to_json())
        draft = "\n".join(p.text for p in parts if p.text)
        return Reply(parts=tuple(parts), handoff_reason=texts.HANDOFF_REASONS.get(handoff_reason, handoff_reason)
                     if handoff_reason else "", draft=draft, notes=notes)

    def _with_stock_shape(self, order: OrderDraft) -> OrderDraft:
        index = self._index
        if index is None:
            return order
        colors = tuple(index.colors_of(order.product))
        sizes = tuple(s for s in index.sizes_of(order.product, None, in_stock_only=False) if s)
        return replace(order, colors_available=colors, sizes_available=sizes)

    async def _absorb(self, turn: Turn, state: DialogueState, order: OrderDraft | None, order_id: int | None,
                      extracted: Extracted, plan: TurnPlan, stock_source: "StockSource",
                      ) -> tuple[OrderDraft | None, int | None, d.StockFacts | None, list[tuple[str, str]], bool, bool]:
        """Put this turn's fields into the order, guarded by the stock file (writes go into the plan)."""
        product = extracted.product
        size = extracted.size or (state.preferred_size if not (order and order.size) else "")
        color = extracted.color or (state.preferred_color if not (order and order.color) else "")
        stock: d.StockFacts | None = None
        if product or (extracted.mentions_product and not (order and order.product and not extracted.kind_word
                                                           and not extracted.brand)):
            query_text = product or turn.text
            stock = await stock_source.facts(query_text, size, color)
            if stock.status == d.NOT_FOUND or not stock.product:
                state.preferred_size = size or state.preferred_size
                state.preferred_color = color or state.preferred_color
                return order, order_id, stock, [], False, False
            product = stock.product
        elif order is not None and order.product:
            product = order.product
            if extracted.size or extracted.color or it.ASK_PRICE in extracted.intents or it.ASK_PHOTO in extracted.intents \
                    or state.awaiting_confirmation or it.ASK_AVAILABILITY in extracted.intents:
                stock = await stock_source.facts(product, extracted.size or order.size, extracted.color or order.color)
        else:
            # no product yet: remember size/colour for when the product is named
            state.preferred_size = extracted.size or state.preferred_size
            state.preferred_color = extracted.color or state.preferred_color
            return order, order_id, None, [], False, False

        values: dict[str, Any] = {}
        product_is_new = order is None or not order.product or order.product != product
        index = self._index
        assert index is not None  # a product was matched, so there is a stock index
        if product_is_new:
            values["product"] = product
            values["colors_available"] = stock.all_colors if stock else ()
            values["sizes_available"] = tuple(s for s in index.sizes_of(product, None, in_stock_only=False) if s)
            values["product_type"] = (stock.product_type if stock else "") or extracted.product_type
        in_stock = stock is None or stock.status == d.IN_STOCK
        if stock is not None and in_stock:
            if stock.asked_size:
                values["size"] = stock.asked_size
            if stock.asked_color:
                values["color"] = stock.asked_color
            elif len(stock.all_colors) == 1:
                values["color"] = stock.all_colors[0]
            if stock.sku:
                values["sku"] = stock.sku
        for name in ("city", "address", "customer_name"):
            if getattr(extracted, name):
                values[name] = getattr(extracted, name)
        if not turn.customer_name and extracted.customer_name:
            values["customer_name"] = extracted.customer_name
        base = order if order is not None else OrderDraft()
        # the price comes from the stock file for the chosen size/colour, never from the customer
        new_draft, changes = apply_fields(base, values)
        price = index.price_of(new_draft.product, new_draft.color or None, new_draft.size or None)
        if price is not None and (new_draft.price is None or int(new_draft.price) != price):
            new_draft, more = apply_fields(new_draft, {"price": price})
            changes += more
        corrected = [(c.field, c.new) for c in changes if c.old and c.field in ("size", "color", "city", "address")]
        color_changed = any(c.field == "color" and c.old for c in changes)
        if changes:
            row_values = {c.field: getattr(new_draft, c.field) for c in changes}
            if order is None or order_id is None:
                order_id = plan.create_order(row_values)
                state.order_id = order_id
            else:
                plan.update_order(order_id, row_values)
            if new_draft.state != (order.state if order else "draft"):
                plan.order_state(order_id, new_draft.state)
            plan.publish(OrderChanged(turn.chat_id, order_id, new_draft.state, new_draft.summary_fields()))
        state.preferred_size = ""
        state.preferred_color = ""
        return new_draft, order_id, stock, corrected, product_is_new, color_changed

    async def _confirm(self, turn: Turn, order_id: int, order: OrderDraft, plan: TurnPlan,
                       stock_source: "StockSource", state: DialogueState) -> tuple[bool, d.StockFacts, OrderDraft]:
        """The customer said yes: check the stock again now (`pricing.check_confirmation`, the
        same rule as the console's «Подтвердить»: a promised price still holding prices the
        order), then confirm and hold it, or say it is gone."""
        chat_id = turn.chat_id
        stock = await stock_source.facts(order.product, order.size, order.color)
        index = self._index
        now = turn.now or self.clock.now()
        check = check_confirmation(order, index, stock_source.reserved or {}, promises=state.promises, now=now,
                                   today=self.clock.local(now).date(), partner_code=state.partner_code) \
            if index is not None else None
        if check is None or not check.ok or check.hold is None:
            log.info("order %s not confirmed: %s", order_id, check.reason if check else "no stock index")
            if stock.status == d.IN_STOCK and (check is None or check.reason.startswith("missing")):
                return False, stock, order
            # the item is gone: the order goes back to draft without the sold-out size/colour
            gone_field = "size" if order.size and order.product_type == "shoes" else "color"
            plan.update_order(order_id, {gone_field: ""})
            plan.order_state(order_id, OrderState.DRAFT, reason="sold out at confirmation")
            back = replace(order, state=OrderState.DRAFT, **{gone_field: ""})
            plan.publish(OrderChanged(chat_id, order_id, OrderState.DRAFT, back.summary_fields()))
            return False, stock, back
        promise = check.discount
        confirmed = replace(order, state=OrderState.CONFIRMED,
                            price=Decimal(check.price) if check.price is not None else order.price,
                            regular_price=Decimal(check.regular_price) if check.regular_price is not None else None,
                            discount_kind=promise.kind if promise else "", discount_label=promise.label if promise else "")
        if check.price is not None:
            plan.update_order(order_id, check.order_values())
        plan.order_state(order_id, OrderState.CONFIRMED)
        plan.reserve(order_id, check.hold)
        plan.publish(OrderChanged(chat_id, order_id, OrderState.CONFIRMED, confirmed.summary_fields()))
        return True, stock, confirmed

    def _cancel(self, chat_id: str, order_id: int, plan: TurnPlan) -> None:
        plan.order_state(order_id, OrderState.CANCELLED, reason="customer")
        plan.release(order_id)
        plan.publish(OrderChanged(chat_id, order_id, OrderState.CANCELLED, {}))

    # ---- knowledge ---------------------------------------------------------------------
    # ---- words ---------------------------------------------------------------------------
    def _llm_gave_up(self, state: DialogueState) -> bool:
        return self.llm is not None and d.llm_limit_reached(state.llm_failures)

    async def _words(self, turn: Turn, state: DialogueState, decision: d.Decision, order: OrderDraft | None,
                     extracted: Extracted, stock: d.StockFacts | None, retrieved: TurnKnowledge, plan: TurnPlan,
                     preview: bool, promoted: tuple[int, ...] = ()) -> tuple[list[str], tuple[str, ...]]:
        offline = render(decision, order=order, persona=self.persona)
        if self.llm is None:
            return offline, ("offline",)
        # the side answer (decision.side_faq) has its own line in the facts block
        knowledge = list(decision.faq) or fact_texts(retrieved.snippets, retrieved.conflicts, 2, KNOWLEDGE_CHARS)
        messages = build_messages(persona=self.persona, state=state, decision=decision, order=order,
                                  knowledge=knowledge, history=turn.history[-12:], customer_text=turn.text,
                                  language_line=llm_language_line(detect_language(turn.text)))
        if not preview:
            self.stats.llm_calls += 1
        try:
            result = await self.llm.complete_json(messages, SCHEMA_HINT)
        except LlmFailure as error:
            if not preview:
                self.stats.llm_failures += 1
            state.llm_failures += 1
            log.warning("LLM failed for %s (%s); offline reply", turn.chat_id, error.kind)
            plan.publish(GuardTriggered(turn.chat_id, "llm_failed", error.kind))
            return offline, ("offline", f"llm_error:{error.kind}")
        state.llm_failures = 0
        reply_text = result.get("reply") if isinstance(result, dict) else None
        if not isinstance(reply_text, str):
            plan.publish(GuardTriggered(turn.chat_id, "llm_format", "no reply text in the JSON"))
            return offline, ("offline", "llm_format")
        llm_fields = result.get("fields") if isinstance(result.get("fields"), dict) else None
        merged = merge_llm_fields(extracted, llm_fields, match_products=self._match_products)
        notes: tuple[str, ...] = ("llm",)
        if merged != extracted:
            notes += ("llm_fields:" + ",".join(sorted(set(merged.fields()) - set(extracted.fields()))),)
        allowed, forbidden = allowed_prices(
            [*(stock.known_prices if stock else ()), *(p for c in decision.compared for p in c.known_prices)], int(order.price) if order is not None and order.price is not None
            else None, knowledge_amounts([*knowledge, decision.side_faq]), retrieved.conflicts, promoted=promoted)
        guarded = check_reply(reply_text, greeted_before=state.greeted,
                              order_confirmed_now=decision.confirms_order, allowed_prices=allowed,
                              stock_status=stock.status if stock else "", forbidden_prices=forbidden)
        for guard, detail in guarded.fired:
            log.info("guard %s fired for %s: %s", guard, turn.chat_id, detail)
            plan.publish(GuardTriggered(turn.chat_id, guard, detail))
        if guarded.rebuild:
            if not preview:
                self.stats.guard_rebuilds += 1
            return offline, notes + ("rebuilt:" + ",".join(g for g, _ in guarded.fired),)
        return list(guarded.parts), notes


def _first(values: Sequence[str]) -> str:
    return values[0] if values else ""


def _step_of(decision: d.Decision) -> str:
    return {
        d.GREET: "need", d.CLARIFY: "need", d.OFFER: "offer", d.OUT: "stock", d.NOT_FOUND_ACTION: "need",
        d.ASK_FIELD: "details", d.SUMMARY: "confirmation", d.CONFIRMED: "done", d.GONE: "stock",
        d.CANCELLED: "done", d.FAQ: "questions", d.THANKS: "questions", d.THINK: "questions",
    }.get(decision.action, "questions")

