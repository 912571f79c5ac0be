"""One reading of a customer's turn, made once, used by every decision after it.

Before this existed the same text was re-read in four places (intents, extraction, the
side question, the support topic) and which reading won depended on call order — that
is how a return topic beat an explicit request for a person. Now a turn's text is read
once into `Reading` (with every question it asks and the topic of each); the order fields that depend on what the bot asked last are read
once more with the same intents (`extract`), never re-detected.

`route()` is the one decision step that picks what the turn is about, with an explicit
priority (highest first):

    manager command > opt-out > request for a person > open ticket > support topic > sales

- a manager's `/handoff …` from a manager number is a command, not a customer turn;
- "не пишите мне" stops everything, even in the middle of a ticket — unless the same
  message explicitly asks for a person ("стоп, позовите менеджера"): a human can honour
  the customer's wish, a bot that falls silent cannot;
- an explicit request for a human always reaches one: a WAITING ticket with the topic
  the message also names (return, warranty, …) and a handoff, in the same turn — or, when
  a ticket is already open, the words join it and the customer hears a manager is coming;
- while a ticket is open the bot does not sell;
- warranty / return / exchange / complaint / payment trouble follow the support flow;
- everything else is selling (stock, order, knowledge questions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from ottenok_desktop.engine.followups.classify import classify_reply
from ottenok_desktop.engine.lexicon.confirmation import ConfirmationReply, classify_confirmation
from ottenok_desktop.engine.lexicon.kazakh import Language, detect_language
from ottenok_desktop.engine.lexicon.person_request import detect_person_request
from ottenok_desktop.engine.lexicon.questions import Question, Topic, detect_topics, split_questions
from ottenok_desktop.engine.states import ReplyClass

from . import intents as it
from .manager_commands import is_command
from .extraction import Extracted, extract_rules

ProductMatcher = Callable[[str], list[str]]
# support topics a request for a person may come with, strongest first: the ticket's kind
PERSON_TOPICS = (it.PAYMENT_TROUBLE, it.COMPLAINT, it.WARRANTY, it.EXCHANGE, it.RETURN)
# questions the stock file answers (the offer states them); every other topic is the documents'
STOCK_TOPICS = frozenset({Topic.STOCK, Topic.PRICE, Topic.AVAILABILITY, Topic.PHOTO})
RESTOCK_QUERY = "новые поступления под заказ"
MAX_KNOWLEDGE_QUESTIONS = 3  # a reply stays at 4 messages: more policy questions wait for the next turn


class Route(StrEnum):
    MANAGER_COMMAND = "manager_command"
    OPT_OUT = "opt_out"
    PERSON = "person"
    TICKET_OPEN = "ticket_open"
    SUPPORT = "support"
    SALES = "sales"


@dataclass(frozen=True)
class Reading:
    text: str
    intents: frozenset[str]
    reply_class: ReplyClass  # opt-out / "подумаю" / anything else
    person_request: bool  # an explicit request for a human (a mere mention is not)
    person_phrase: str  # the words that asked (or the mention that did not count)
    topic: str  # the support topic the text names: warranty | return | exchange | complaint | payment_trouble | ""
    questions: tuple[Question, ...]  # every question of the message, with its topic, in the order written
    command: bool  # looks like a manager command (`/handoff …`)
    confirmation: ConfirmationReply  # what it means as an answer to «Всё верно? Оформляю?»
    language: Language  # ru | kk | mixed

    @property
    def knowledge_questions(self) -> tuple[Question, ...]:
        """The questions the shop's documents answer (delivery, payment, originality, box, sizing,
        pre-order and restocking…). A bare city ("в алматы", the answer to «В какой город?») is
        not a delivery question; "а когда будут?" asks about restocking (the pre-order rule)."""
        found: list[Question] = []
        for q in self.questions:
            if q.topic in (Topic.AVAILABILITY, Topic.STOCK) and _RESTOCK.search(q.text.lower()) \
                    and not _ABOUT_PEOPLE.search(q.text.lower()):
                # searched as what it is: restocking and ordering what is not in stock
                q = Question(f"{q.text} {RESTOCK_QUERY}", Topic.PREORDER, (Topic.PREORDER, *q.topics))
            if q.topic in STOCK_TOPICS or q.topic == Topic.OTHER:
                continue
            if q.topic == Topic.DELIVERY and "?" not in q.text and it.ASK_DELIVERY not in it.detect_intents(q.text):
                continue
            found.append(q)
        return tuple(found[:MAX_KNOWLEDGE_QUESTIONS])

    @property
    def asks_policy_only(self) -> bool:
        """"а 38 есть? если будут малы, обменять можно?": a return/exchange asked about while
        shopping — the documents answer it beside the stock facts; nothing to arrange yet."""
        shopping = any(q.topic in STOCK_TOPICS for q in self.questions)
        return self.topic in (it.RETURN, it.EXCHANGE) and shopping and bool(_HYPOTHETICAL.search(self.text.lower()))

    @property
    def declines(self) -> bool:
        """"подумаю", "не надо тогда, спасибо": no pushing for the next order field."""
        low = self.text.lower()
        return self.reply_class == ReplyClass.THINK or (it.THANKS in self.intents and bool(_DECLINE.search(low)))

    def asks_about(self, topic: Topic) -> bool:
        return any(topic in q.topics for q in self.questions)

    @property
    def asks(self) -> bool:
        """A real question: knowledge is worth searching even offline."""
        return bool(self.intents & {*it.FAQ_INTENTS, it.QUESTION})

    def extract(self, asked_field: str, match_products: ProductMatcher | None) -> Extracted:
        """The order fields, read with the bot's last question in mind (intents reused, not re-read)."""
        return extract_rules(self.text, asked_field=asked_field, match_products=match_products, intents=self.intents)


def read_message(text: str) -> Reading:
    intents = it.detect_intents(text)
    person = detect_person_request(text)
    return Reading(
        text=text, intents=intents, reply_class=classify_reply(text), person_request=person.is_request,
        person_phrase=person.phrase, topic=_topic(intents), questions=tuple(split_questions(text)),
        command=is_command(text), confirmation=classify_confirmation(text).kind, language=detect_language(text),
    )


def route(reading: Reading, *, ticket_open: bool, support_stage: str) -> Route:
    """The one decision of what this turn is about (priority in the module docstring). A
    command from a number that is not a manager's is refused by the command handler."""
    if reading.command:
        return Route.MANAGER_COMMAND
    if reading.reply_class == ReplyClass.OPT_OUT and not reading.person_request:
        return Route.OPT_OUT
    if reading.person_request:
        return Route.PERSON
    if ticket_open:
        return Route.TICKET_OPEN
    if support_stage or (reading.topic and not reading.asks_policy_only):
        return Route.SUPPORT
    return Route.SALES


_RESTOCK = re.compile(r"когда\s+(?:будут|будет|поступ|привез|появ)|поступлен\w*|поступят")
_ABOUT_PEOPLE = re.compile(r"менеджер|оператор|на\s+работе|вы\s+будете")
# "если будут малы, обменять можно?": a question about the policy while shopping, not a return
_HYPOTHETICAL = re.compile(r"(?<![а-я])(?:если|в\s+случае|а\s+вдруг|вдруг)(?![а-я])")
_DECLINE = re.compile(r"не\s+надо|не\s+нужно|передумал\w*|не\s+буду|не\s+возьму")
_CLAUSE_SPLIT = re.compile(r",\s*|\s+(?:и|а|или|ещё|еще|также)\s+", re.IGNORECASE)


def policy_clause(question: Question) -> str:
    """The part of a question that asks its topic: «сколько стоят балетки и можно ли оплатить
    каспи?» → «можно ли оплатить каспи?» (a knowledge search on the whole finds the product)."""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(question.text) if c.strip()]
    if len(clauses) < 2:
        return question.text
    mine = [c for c in clauses if question.topic in detect_topics(c)]
    return " ".join(mine) if mine else question.text


def _topic(intents: frozenset[str]) -> str:
    for name in PERSON_TOPICS:
        if name in intents:
            return name
    return ""
