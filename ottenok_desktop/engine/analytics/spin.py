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
from typing import Sequence

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


Phrase = tuple[str, ...]


def _key(stem: str) -> str:
    """Index key of a stem: its first four letters (a cue of 4+ letters meets a stem only if
    the stem begins with it, so they share these; a shorter cue must equal the stem)."""
    return stem[:4]


class _Stage:
    """Cue phrases indexed by their first stem's key, so a question is matched with one
    dictionary look-up per word instead of a scan over every cue."""

    def __init__(self, cues: Sequence[str]) -> None:
        self.by_key: dict[str, list[Phrase]] = {}
        for cue in cues:
            phrase = _phrase(cue)
            if phrase:
                self.by_key.setdefault(_key(phrase[0]), []).append(phrase)

    def opens(self, stems: Phrase) -> bool:
        return any(len(stems) >= len(p) and _at(stems, 0, p) for p in self.by_key.get(_key(stems[0]), ())) if stems else False


# Stages in the order they are tried; the first (most specific) stage with a cue wins.
_ORDER = (SpinStage.NONE, SpinStage.NEED_PAYOFF, SpinStage.IMPLICATION, SpinStage.PROBLEM, SpinStage.SITUATION)


class _Cues:
    def __init__(self) -> None:
        self.none_openers = _Stage(W.NONE_OPENERS)
        # every stage's phrases in one index: key → [(rank in _ORDER, phrase)]
        self.by_key: dict[str, list[tuple[int, Phrase]]] = {}
        for rank, cues in enumerate((W.NONE_PHRASES, W.NEED_PAYOFF, W.IMPLICATION, W.PROBLEM, W.SITUATION)):
            for key, phrases in _Stage(cues).by_key.items():
                self.by_key.setdefault(key, []).extend((rank, p) for p in phrases)

    def best_rank(self, stems: Phrase) -> int | None:
        """The rank of the most specific stage with a cue in `stems` (one pass)."""
        best: int | None = None
        n = len(stems)
        for i, stem in enumerate(stems):
            for rank, phrase in self.by_key.get(stem[:4], ()):
                if (best is None or rank < best) and i + len(phrase) <= n and _at(stems, i, phrase):
                    best = rank
                    if rank == 0:
                        return 0
        return best


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    return _Cues()


def _meets(stem: str, cue: str) -> bool:
    """A cue stem of 4+ letters also meets longer stems it begins (the stemmer leaves
    «проблем» as «пробл» but «проблемами» as «проблем»); shorter cues must be equal."""
    return stem == cue or (len(cue) >= 4 and stem.startswith(cue))


def _at(stems: Phrase, i: int, phrase: Phrase) -> bool:
    return all(_meets(stems[i + k], cue) for k, cue in enumerate(phrase))


def _opens(stems: Phrase, stage: _Stage) -> bool:
    body = stems[1:] if stems and stems[0] in ("а", "и", "ну", "так") else stems
    return stage.opens(body)


@lru_cache(maxsize=65536)
def classify_question(question: str) -> SpinStage:
    """The SPIN stage of one question sentence."""
    stems = _stem_all(words(question))
    if not stems:
        return SpinStage.NONE
    cues = _cues()
    if _opens(stems, cues.none_openers):
        return SpinStage.NONE
    rank = cues.best_rank(stems)
    if rank is not None:
        return _ORDER[rank]
    if any(_SIZE_RE.fullmatch(t) for t in stems):
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
