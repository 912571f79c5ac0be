"""The shop's documents answering a turn: the main knowledge hits and their facts, the
FAQ answer of a question with nothing else placed, 1–2 sentences for every policy question of
the message (delivery, payment, originality, box, sizing, heel, pre-order, discounts…),
product questions answered only from that product's documents, and the fallbacks the shop
says when its documents are silent. The responder asks; this module reads the documents.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.lexicon.questions import Question, Topic
from ottenok_desktop.engine.ports import Knowledge
from ottenok_desktop.engine.turns import Turn

from . import decisions as d
from . import intents as it
from .extraction import Extracted
from .kbfacts import Snippet, compose_faq, price_conflicts, snippets_from_hits
from .reading import policy_clause
from .state import DialogueState, OrderDraft

log = logging.getLogger(__name__)

KNOWLEDGE_K = 3
SIDE_FAQ_SENTENCES = 2  # a policy answer beside the product facts stays short
SIDE_FAQ_CHARS = 260
FAQ_SECTIONS_KEPT = 12
# questions the stock file answers, not a document
PRODUCT_QUESTIONS = frozenset({it.ASK_PRICE, it.ASK_SIZES, it.ASK_COLORS})
TOPIC_QUERY_PREFIX = {Topic.RETURNS: "условия возврата и обмена в течение дней"}
RESERVE_QUERY = "можно отложить забронировать пару бронь"
# questions about the product itself: searched together with the product's name
PRODUCT_TOPICS = frozenset({Topic.SIZING, Topic.MATERIAL, Topic.HEEL, Topic.BOX, Topic.ORIGINALITY, Topic.CARE})
# what the shop says when its documents have no answer for a question of that kind
TOPIC_FALLBACKS = {Topic.DISCOUNT: texts.PRICE_IS_FIXED, Topic.PREORDER: texts.PREORDER_ASK_MANAGER,
                   Topic.HEEL: texts.ASK_MANAGER_DETAIL, Topic.MATERIAL: texts.ASK_MANAGER_DETAIL,
                   Topic.SIZING: texts.ASK_MANAGER_DETAIL}
# "маломерят — на полразмера больше", "берите на размер меньше"
_FIT_SHIFT = re.compile(r"на\s+(полразмера|пол\s+размера|размер)\s+(больше|меньше)")


@dataclass
class TurnKnowledge:
    """This turn's knowledge: snippets as retrieved, and amounts that contradict the stock file."""

    snippets: list[Snippet]
    conflicts: dict[int, str]

    @classmethod
    def none(cls) -> "TurnKnowledge":
        return cls([], {})


class PolicyAnswers:
    def __init__(self, knowledge: Knowledge | None, product_of: Callable[[str], str],
                 stock_prices_of: Callable[[str], tuple[int, ...]]) -> None:
        self.knowledge = knowledge
        self._product_of = product_of  # the stock product a knowledge text is about
        self._stock_prices_of = stock_prices_of

    @staticmethod
    def query_for(question: Question, product: str) -> str:
        clause = policy_clause(question)
        if question.topic == Topic.RETURNS:
            return f"{TOPIC_QUERY_PREFIX[Topic.RETURNS]} {clause}"  # the policy's terms, not one case of it
        return f"{clause} {product}" if product and question.topic in PRODUCT_TOPICS else clause

    def faq(self, extracted: Extracted, order: OrderDraft | None, knowledge: TurnKnowledge,
             text: str) -> tuple[list[str], str, str]:
        """An answer for a question about delivery, payment, the shop, or anything unplaced:
        (sentences from the best knowledge hit, or a stock product whose facts answer it,
        and the knowledge section the sentences come from)."""
        # "доставка в Астану" gives a city; only a real question about delivery/payment wants the FAQ
        asks = extracted.intents & set(it.FAQ_INTENTS) and (it.QUESTION in extracted.intents or not extracted.fields())
        unplaced = (it.QUESTION in extracted.intents and not extracted.mentions_product and not extracted.fields()
                    and not (order and order.product))
        if not asks and not unplaced:
            return [], "", ""
        product_question = bool(extracted.intents & PRODUCT_QUESTIONS) or (
            it.ASK_AVAILABILITY in extracted.intents and not extracted.intents & set(it.FAQ_INTENTS))
        answer = compose_faq(text, knowledge.snippets, knowledge.conflicts, product_question=product_question)
        if answer is None:
            return [], "", ""
        if answer.stock_product:
            return [], answer.stock_product, ""
        return ([answer.text] if answer.text else []), "", answer.section

    async def question_answers(self, asked: "Sequence[tuple[Question, asyncio.Future[list[Any]]]]",
                                answered: set[str], state: DialogueState, turn: Turn,
                                product: str = "") -> list[str]:
        """1–2 knowledge sentences for each policy question of the turn (delivery, payment,
        originality, box, sizing, heel, pre-order, discounts…) that the main answer did not
        cover; the shop's fixed-price rule when the documents say nothing about discounts."""
        answers: list[str] = []
        for question, task in asked:
            hits = await task
            snippets = snippets_from_hits(hits, self._product_of) if hits else []
            if product and question.topic in PRODUCT_TOPICS:
                # "какой каблук у них?" about the Louboutins: never another model's heel
                snippets = [s for s in snippets if not s.product or s.product == product]
            conflicts = price_conflicts(snippets, self._product_of, self._stock_prices_of) if snippets else {}
            answer = compose_faq(policy_clause(question), snippets, conflicts, max_sentences=SIDE_FAQ_SENTENCES,
                                 max_chars=SIDE_FAQ_CHARS) if snippets else None
            usable = answer is not None and answer.text and not answer.stock_product and not answer.text.endswith("…")
            if not usable or answer is None:
                fallback = TOPIC_FALLBACKS.get(question.topic, "")
                if fallback and fallback not in answers:
                    answers.append(fallback)
                continue
            if answer.section and answer.section in answered:
                continue  # the main answer already is this section
            said_before = any(line.sender_kind != "customer" and answer.text in line.text
                              for line in turn.history[-4:])
            if said_before:
                # asked again ("ну скидку сделайте хоть 10 тысяч"): a short answer, not silence
                again = TOPIC_FALLBACKS.get(question.topic, "")
                if again and again not in answers:
                    answers.append(again)
                continue
            if answer.text in answers:
                continue
            if answer.section:
                answered.add(answer.section)
                remember_section(state, answer.section)
            answers.append(answer.text)
        return answers

    async def one_answer(self, query: str) -> str:
        """1–2 sentences the documents give for `query`, or ""."""
        hits = await self.search(query)
        snippets = snippets_from_hits(hits, self._product_of) if hits else []
        answer = compose_faq(query, snippets, max_sentences=SIDE_FAQ_SENTENCES, max_chars=SIDE_FAQ_CHARS) \
            if snippets else None
        return answer.text if answer is not None and answer.text and not answer.stock_product else ""

    async def search(self, text: str, k: int = KNOWLEDGE_K) -> list[Any]:
        if self.knowledge is None or not text.strip():
            return []
        try:
            return list(await self.knowledge.search(text, k))
        except Exception:  # knowledge is optional for a turn; never lose the customer over it
            log.exception("knowledge search failed")
            return []

    async def facts(self, task: "asyncio.Future[list[Any]] | None", text: str,
                               extracted: Extracted) -> TurnKnowledge:
        if task is not None:
            hits = await task
        elif extracted.intents & {*it.FAQ_INTENTS, it.QUESTION}:
            hits = await self.search(text)  # not started early: the turn turned out to hold a question
        else:
            hits = []
        if not hits:
            return TurnKnowledge.none()
        snippets = snippets_from_hits(hits, self._product_of)
        return TurnKnowledge(snippets, price_conflicts(snippets, self._product_of, self._stock_prices_of))


def stock_sizes_of(stock: d.StockFacts) -> tuple[str, ...]:
    return tuple(stock.sizes)


def size_advice(answers: Sequence[str], worn: str, sizes: Sequence[str]) -> str:
    """"маломерят — на полразмера больше" and "я ношу 37,5" → «С вашим 37,5 советую 38 размер»,
    the nearest size the shop has, when the documents' advice says how far to go."""
    if not worn:
        return ""
    for text in answers:
        found = _FIT_SHIFT.search(text.lower())
        if found is None:
            continue
        step = 0.5 if found.group(1).startswith("пол") else 1.0
        shift = step if found.group(2) == "больше" else -step
        try:
            target = float(worn.replace(",", ".")) + shift
        except ValueError:
            return ""
        numeric = [float(s.replace(",", ".")) for s in sizes if s.replace(",", ".").replace(".", "", 1).isdigit()]
        best = min(numeric, key=lambda s: (abs(s - target), -s)) if numeric else target
        shown = f"{best:g}".replace(".", ",")
        return texts.SIZE_ADVICE.format(worn=worn.replace(".", ","), size=shown)
    return ""


def remember_section(state: DialogueState, section: str) -> None:
    kept = [s for s in state.faq_sections if s != section] if isinstance(state.faq_sections, list) else []
    state.faq_sections = (kept + [section])[-FAQ_SECTIONS_KEPT:]
