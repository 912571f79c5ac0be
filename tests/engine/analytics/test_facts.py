"""Text facts of one message (what storage keeps in `message.text_facts`) and their version."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ottenok_desktop.engine.analytics import facts as F

# sha256 of the classifier's sources, per FACTS_VERSION. A change to signals.py, spin.py
# or spin_words.py may change what stored facts mean: bump FACTS_VERSION (stored facts
# of the old version are then recomputed on first use) and record the new fingerprint.
FINGERPRINTS = {
    1: "801a9e0005e7109a1998e7d503c95637e66438ee4e9e22a6739d480cbd4680ef",
}
CLASSIFIER = ("signals.py", "spin.py", "spin_words.py")


def is_fresh(value: int | None) -> bool:
    """A stored value of the current classifier version."""
    return value is not None and F.LOW <= value < F.HIGH


def fingerprint() -> str:
    folder = Path(F.__file__).parent
    digest = hashlib.sha256()
    for name in CLASSIFIER:
        digest.update((folder / name).read_bytes().replace(b"\r\n", b"\n"))  # the same on a Windows checkout
    return digest.hexdigest()


def test_a_classifier_change_bumps_the_facts_version() -> None:
    assert FINGERPRINTS.get(F.FACTS_VERSION) == fingerprint(), (
        f"{', '.join(CLASSIFIER)} changed: bump FACTS_VERSION in engine/analytics/facts.py and record "
        f"{F.FACTS_VERSION + 1}: {fingerprint()!r} here")


@pytest.mark.parametrize(("text", "customer", "bits"), [
    ("Какой размер вы обычно носите?", False, F.QUESTION | F.SITUATION | F.NEXT_STEP),
    ("Что не устраивает в нынешней паре?", False, F.QUESTION | F.PROBLEM | F.NEXT_STEP),
    ("Из-за этого приходится брать сменную обувь?", False, F.QUESTION | F.IMPLICATION | F.NEXT_STEP),
    ("Было бы удобно, если бы туфли не натирали весь день?", False, F.QUESTION | F.NEED_PAYOFF | F.NEXT_STEP),
    ("Есть в черном. Какой у вас размер? Что не устраивает в нынешних лоферах?", False,
     F.QUESTION | F.SITUATION | F.PROBLEM | F.NEXT_STEP),
    ("Что-то ещё?", False, F.QUESTION | F.NEXT_STEP),  # a question, not a sales one
    ("Отправим курьером сегодня.", False, F.NEXT_STEP),
    ("Спасибо, хорошего дня!", False, 0),
    ("сколько стоят кроссовки баленсиага?", True, F.BUYING),
    ("а 38 размер остался?", True, F.BUYING),
    ("спасибо, подумаю", True, 0),
    ("", True, 0),
])
def test_fact_bits(text: str, customer: bool, bits: int) -> None:
    assert F.fact_bits(text, customer) == bits
    stored = F.stored_facts(text, customer)
    assert is_fresh(stored) and stored & F.BITS_MASK == bits


def test_other_versions_and_null_are_stale() -> None:
    assert not is_fresh(None)
    assert not is_fresh(F.QUESTION)  # version 0
    assert not is_fresh(((F.FACTS_VERSION + 1) << F.VERSION_SHIFT) | F.QUESTION)
    assert F.stage_names(F.NEED_PAYOFF | F.SITUATION | F.QUESTION) == ["situation", "need_payoff"]
