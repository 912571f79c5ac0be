"""SPIN stage of a shop question (Neil Rackham): situation, problem, implication,
need-payoff, or none (not a sales question).

Rule-based on PyStemmer stems and the shoe-shop cue lists in `spin_words`. Checks run
from the most specific stage to the least: not-a-sales-question openers and phrases
first, then need-payoff, implication, problem and situation cues. A question with no cue
is `none`: precision matters more than coverage (a stage is only claimed on evidence).
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum
from functools import lru_cache
from typing import Iterable, Sequence

from . import spin_words as W
from .signals import is_question, sentences, words


class SpinStage(StrEnum):
    SITUATION = "situation"
    PROBLEM = "problem"
    IMPLICATION = "implication"
    NEED_PAYOFF = "need_payoff"
    NONE = "none"


# «37 или 37.5?»: a shoe size asked about is a situation question.
_SIZE_RE = re.compile(r"(3[3-9]|4[0-6])(?:[.,]5)?")
SALES_STAGES = (SpinStage.SITUATION, SpinStage.PROBLEM, SpinStage.IMPLICATION, SpinStage.NEED_PAYOFF)
_stemmer_lock = threading.Lock()
_stemmer = None


def _stem_all(tokens: Sequence[str]) -> tuple[str, ...]:
    global _stemmer
    with _stemmer_lock:  # a PyStemmer object is not thread-safe
        if _stemmer is None:
            import Stemmer  # PyStemmer; imported on first use (nothing heavy at import time)

            _stemmer = Stemmer.Stemmer("russian")
        return tuple(_stemmer.stemWords(list(tokens)))


def _phrase(cue: str) -> tuple[str, ...]:
    return _stem_all(words(cue))


class _Cues:
    def __init__(self) -> None:
        self.none_openers = [_phrase(c) for c in W.NONE_OPENERS]
        self.none = [_phrase(c) for c in W.NONE_PHRASES]
        self.need_payoff = [_phrase(c) for c in W.NEED_PAYOFF]
        self.implication = [_phrase(c) for c in W.IMPLICATION]
        self.problem = [_phrase(c) for c in W.PROBLEM]
        self.situation = [_phrase(c) for c in W.SITUATION]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    return _Cues()


def _meets(stem: str, cue: str) -> bool:
    """A cue stem of 4+ letters also meets longer stems it begins (the stemmer leaves
    «проблем» as «пробл» but «проблемами» as «проблем»); shorter cues must be equal."""
    return stem == cue or (len(cue) >= 4 and stem.startswith(cue))


def _at(stems: tuple[str, ...], i: int, phrase: tuple[str, ...]) -> bool:
    return all(_meets(stems[i + k], cue) for k, cue in enumerate(phrase))


def _contains(stems: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    if n == 0:
        return False
    return any(_at(stems, i, phrase) for i in range(len(stems) - n + 1))


def _any(stems: tuple[str, ...], phrases: Iterable[tuple[str, ...]]) -> bool:
    return any(_contains(stems, p) for p in phrases)


def _starts(stems: tuple[str, ...], phrases: Iterable[tuple[str, ...]]) -> bool:
    body = stems[1:] if stems and stems[0] in ("а", "и", "ну", "так") else stems
    return any(p and len(body) >= len(p) and _at(body, 0, p) for p in phrases)


@lru_cache(maxsize=65536)
def classify_question(question: str) -> SpinStage:
    """The SPIN stage of one question sentence."""
    stems = _stem_all(words(question))
    if not stems:
        return SpinStage.NONE
    cues = _cues()
    if _starts(stems, cues.none_openers) or _any(stems, cues.none):
        return SpinStage.NONE
    if _any(stems, cues.need_payoff):
        return SpinStage.NEED_PAYOFF
    if _any(stems, cues.implication):
        return SpinStage.IMPLICATION
    if _any(stems, cues.problem):
        return SpinStage.PROBLEM
    if _any(stems, cues.situation) or any(_SIZE_RE.fullmatch(t) for t in stems):
        return SpinStage.SITUATION
    return SpinStage.NONE


def classify_text(text: str) -> SpinStage:
    """One stage for a whole text (the CLI's `spin classify`): the stage of its last
    question sentence that has one, else `none` (also for a text that asks nothing)."""
    stage = SpinStage.NONE
    for sentence in sentences(text):
        if is_question(sentence):
            found = classify_question(sentence)
            if found != SpinStage.NONE:
                stage = found
    return stage


def stages_of_message(text: str) -> list[SpinStage]:
    """The stage of every question sentence of a shop message (in order)."""
    return [classify_question(s) for s in sentences(text) if is_question(s)]
