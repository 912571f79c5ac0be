"""What the reports need to know about one message's text, packed in one small integer
that storage keeps next to the message (column `message.text_facts`, migration v7), so a
month's report never reads half a million texts.

Stored value = `FACTS_VERSION * 256 + bits`. A customer message has only `BUYING`; a shop
message `QUESTION`, its questions' sales SPIN stages and `NEXT_STEP`. NULL in the column
means "not computed yet"; a value of another version is stale. Either way the report
loader reads the text once, computes the facts here and stores them (docs/ANALYTICS.md).

Bump `FACTS_VERSION` whenever `signals.py`, `spin.py` or `spin_words.py` change what they
answer: every stored value then counts as stale. tests/engine/analytics/test_facts.py
keeps a fingerprint of those files per version and fails when they change without a bump.
"""

from __future__ import annotations

from functools import lru_cache

from .signals import asks_to_buy, proposes_next_step, questions
from .spin import SALES_STAGES, SpinStage, classify_question

FACTS_VERSION = 1
VERSION_SHIFT = 8
BITS_MASK = (1 << VERSION_SHIFT) - 1

QUESTION = 1  # shop: a sentence asks (ends in «?», opens with a question word, has «ли»)
SITUATION = 2
PROBLEM = 4
IMPLICATION = 8
NEED_PAYOFF = 16
NEXT_STEP = 32  # shop: a question or an offer to reserve/order/deliver/pay
BUYING = 64  # customer: asks about price, availability or buying

STAGE_BITS = {SpinStage.SITUATION.value: SITUATION, SpinStage.PROBLEM.value: PROBLEM,
              SpinStage.IMPLICATION.value: IMPLICATION, SpinStage.NEED_PAYOFF.value: NEED_PAYOFF}
STAGES_MASK = SITUATION | PROBLEM | IMPLICATION | NEED_PAYOFF
# sales stages in the report's order, with their bits
STAGE_ORDER = tuple((stage.value, STAGE_BITS[stage.value]) for stage in SALES_STAGES)
LOW, HIGH = FACTS_VERSION << VERSION_SHIFT, (FACTS_VERSION + 1) << VERSION_SHIFT  # fresh: LOW <= value < HIGH


@lru_cache(maxsize=262144)
def fact_bits(text: str, customer: bool) -> int:
    """The facts of one message (bits only, no version)."""
    if customer:
        return BUYING if asks_to_buy(text) else 0
    asked = questions(text)
    bits = QUESTION if asked else 0
    for question in asked:
        stage = classify_question(question)
        if stage != SpinStage.NONE:
            bits |= STAGE_BITS[stage.value]
    if asked or proposes_next_step(text):
        bits |= NEXT_STEP
    return bits


def stored_facts(text: str, customer: bool) -> int:
    """The value storage keeps for a message: the facts with the current version."""
    return LOW | fact_bits(text or "", customer)


_STAGE_NAMES = tuple(tuple(name for name, bit in STAGE_ORDER if bits & bit) for bits in range(STAGES_MASK + 1))


def stage_names(bits: int) -> list[str]:
    """The sales SPIN stages in `bits`, in the report's order."""
    return list(_STAGE_NAMES[bits & STAGES_MASK])
