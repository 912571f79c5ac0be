"""Advice per chat (the predecessor's five rules) and the SPIN improvement plan per
responder. Codes are stable; the Russian texts live in `analytics/texts.py`."""

from __future__ import annotations

from dataclasses import dataclass

from . import texts as T
from .spin import SALES_STAGES

NO_REPLY = "no_reply"
SLOW_FIRST_REPLY = "slow_first_reply"
FOLLOW_UP_NEEDED = "follow_up_needed"
NO_QUESTIONS = "no_questions"
NO_NEXT_STEP = "no_next_step"

# The predecessor's SPIN targets: share of sales chats using each stage.
SPIN_TARGETS = {"situation": 0.8, "problem": 0.6, "implication": 0.4, "need_payoff": 0.6}
# Fewer sales chats than this and a plan would be noise.
MIN_SALES_CHATS_FOR_PLAN = 3


@dataclass(frozen=True)
class ChatFacts:
    """What the rules look at, for one chat over the period."""

    customer_messages: int  # customer messages in the period
    shop_messages_after_customer: int  # shop messages after the chat's first customer message in the window
    first_response_sec: float | None
    last_run_unanswered: bool
    earlier_run_answered: bool
    first_shop_messages_ask: bool | None  # None: the shop wrote nothing in the period
    asked_to_buy: bool
    next_step_after_ask: bool


def chat_advice(facts: ChatFacts, slow_first_reply_sec: float) -> list[str]:
    advice: list[str] = []
    if facts.customer_messages and facts.shop_messages_after_customer == 0:
        advice.append(NO_REPLY)
    if facts.first_response_sec is not None and facts.first_response_sec > slow_first_reply_sec:
        advice.append(SLOW_FIRST_REPLY)
    if facts.last_run_unanswered and facts.earlier_run_answered:
        advice.append(FOLLOW_UP_NEEDED)
    if facts.first_shop_messages_ask is False:
        advice.append(NO_QUESTIONS)
    if facts.asked_to_buy and not facts.next_step_after_ask:
        advice.append(NO_NEXT_STEP)
    return advice


def advice_text(code: str, slow_first_reply_sec: float) -> str:
    return T.ADVICE[code].format(minutes=round(slow_first_reply_sec / 60))


def spin_plan(shares: dict[str, float], sales_chats: int) -> list[str]:
    """Russian lines: one per stage under its target, or a single «in order» line."""
    if sales_chats < MIN_SALES_CHATS_FOR_PLAN:
        return [T.PLAN_NO_SALES]
    lines = [
        T.PLAN_STAGE[stage].format(share=round(shares.get(stage, 0.0) * 100), target=round(SPIN_TARGETS[stage] * 100))
        for stage in (s.value for s in SALES_STAGES)
        if shares.get(stage, 0.0) < SPIN_TARGETS[stage]
    ]
    return lines or [T.PLAN_OK]
