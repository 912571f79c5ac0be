"""Classify a customer's reply for the follow-up rules: "think", "opt_out" or "real".

- "think": the customer only said they will think / write later / ask their husband
  («подумаю», «надо подумать», «позже напишу», «посоветуюсь с мужем», «ок спасибо, подумаю»).
  It keeps the follow-up cycle alive (nudge #2 still comes).
- "opt_out": the customer asked us to stop writing («не пишите», «стоп», «отпишитесь»,
  «больше не пишите», «не беспокойте»). Nudges stop for good.
- "real": anything else, including media (empty text) and a "think" phrase that comes
  with a question or other content («подумаю, а доставка в Астану есть?»).

Robust to case, ё/е, punctuation, emoji, stretched letters («подумаюююю», «стоооп») and
one-letter typos («падумаю», «беспакойте») via rapidfuzz on words of 6+ letters. Short
words must match exactly so «стопа» (the foot) is not «стоп» and «напишите» (please
write) is not «не пишите».
"""

from __future__ import annotations

import re
from typing import Iterable

from rapidfuzz import fuzz, process

from ottenok_desktop.engine.states import ReplyClass


_FUZZY_MIN_LEN = 6
_FUZZY_CUTOFF = 84.0
_OPT_VERB_CUTOFF = 88.0  # stricter: a false opt-out silences a customer for good


def _squeeze(word: str) -> str:
    """Collapse repeated letters: «стоооп» → «стоп», «подумаюю» → «подумаю»."""
    return re.sub(r"(.)\1+", r"\1", word)


def _vocab(words: Iterable[str]) -> frozenset[str]:
    return frozenset(_squeeze(w) for w in words)


# Words that by themselves mean "I'll think / decide / write later".
_THINK = _vocab(
    """подумаю подумать подумаем подумал подумала подумаю думаю думаем думать подумываю
    поразмышляю надумаю посоветуюсь посоветуемся посоветоваться посовещаюсь обсудим обсужу
    решу решим решусь решила решил решаю определюсь определимся
    напишу напишем отпишусь отпишемся свяжусь свяжемся позвоню перезвоню сообщу сообщим
    посмотрю посмотрим гляну знать знаю""".split()
)

# Words that may surround a "think" phrase without adding a question or a request.
_FILLER = _vocab(
    """ок окей ok okay oki хорошо хорош ладно ладненько спасибо спасиб спс благодарю
    да ага угу понятно поняла понял ясно я мы вам вас вами тебе вы еще пока тогда все
    ну а и с со у меня мне мужем мужу супругом подругой подругами мамой сестрой дочкой
    дочерью семьей родными не надо нужно бы немного чуть сначала сперва позже попозже
    потом позднее завтра вечером сегодня утром днях на неделе если что то как так буду
    будем давайте большое очень пожалуйста пж пжл хорошего дня вечера всего доброго
    еще раз пару дней день минутку время дам сама сам""".split()
)

_NEGATIONS = _vocab(["не", "ни"])

# Verbs that, negated, ask us to stop («не пишите», «не беспокойте»).
_STOP_VERBS = _vocab(
    """пишите пишете пешите пишити пиши писать присылайте присылать отправляйте отправлять беспокойте
    беспокоить тревожьте звоните звонить надоедайте спамьте спамить""".split()
)
# Words that mean "stop" on their own in a short command.
_STOP_COMMANDS = _vocab(["стоп", "stop", "хватит", "спам", "spam"])
# Words that are an opt-out wherever they appear.
_UNSUBSCRIBE = _vocab(
    """отпишитесь отпишите отписаться отпишись отписка отстаньте отстань отвяжитесь
    unsubscribe""".split()
)
_DELETE = _vocab(["удалите", "удалить", "уберите"])
_DELETE_OBJECTS = _vocab(["номер", "меня", "рассылки", "рассылка", "базы", "контакт"])
_QUESTION_WORDS = _vocab(["почему", "зачем", "когда", "разве"])
_SHORT_COMMAND_TOKENS = 4

_WORD_RE = re.compile(r"[a-zа-я0-9]+")


def normalize_tokens(text: str) -> list[str]:
    """Lowercase, ё→е, drop punctuation and emoji, squeeze stretched letters."""
    low = text.lower().replace("ё", "е")
    return [_squeeze(tok) for tok in _WORD_RE.findall(low)]


def _in(token: str, vocab: frozenset[str], cutoff: float = _FUZZY_CUTOFF) -> bool:
    if token in vocab:
        return True
    if len(token) < _FUZZY_MIN_LEN:
        return False
    return process.extractOne(token, vocab, scorer=fuzz.ratio, score_cutoff=cutoff) is not None


def _is_stop_verb(token: str) -> bool:
    # «напишите»/«напишете» (please write) are requests, not stop verbs, however close.
    if token.startswith("напиш"):
        return False
    return _in(token, _STOP_VERBS, _OPT_VERB_CUTOFF)


def _is_opt_out(tokens: list[str], has_question: bool) -> bool:
    if any(_in(tok, _UNSUBSCRIBE, _OPT_VERB_CUTOFF) for tok in tokens):
        return True
    asks_why = has_question or any(tok in _QUESTION_WORDS for tok in tokens)
    for i, tok in enumerate(tokens):
        # «не пишите», «больше не пишите мне», «ни пишите», and the glued «непишите».
        if tok in _NEGATIONS and not asks_why:
            if any(_is_stop_verb(nxt) for nxt in tokens[i + 1 : i + 3]):
                return True
        if tok.startswith("не") and len(tok) > 4 and not asks_why and _is_stop_verb(tok[2:]):
            return True
        if tok in _DELETE and any(obj in _DELETE_OBJECTS for obj in tokens[i + 1 : i + 4]):
            return True
    if not has_question and any(tok in _STOP_COMMANDS for tok in tokens):
        # «Стоп», «хватит!», «хватит мне писать» — but not «стоп, а доставка есть?».
        if len(tokens) <= _SHORT_COMMAND_TOKENS or any(_is_stop_verb(tok) for tok in tokens):
            return True
    return False


def _is_think(tokens: list[str]) -> bool:
    saw_think = False
    for tok in tokens:
        if _in(tok, _THINK):
            saw_think = True
        elif not _in(tok, _FILLER):
            return False  # other content (a question, a size, an address): a real reply
    return saw_think


def classify_reply(text: str) -> ReplyClass:
    """Classify one customer message (or several joined by newlines)."""
    tokens = normalize_tokens(text or "")
    if not tokens:
        return ReplyClass.REAL  # a photo, a voice note, a sticker: the customer is there
    if _is_opt_out(tokens, "?" in text):
        return ReplyClass.OPT_OUT
    if _is_think(tokens):
        return ReplyClass.THINK
    return ReplyClass.REAL
