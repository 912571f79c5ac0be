"""Tell an explicit request for a human («позовите менеджера», «можно с оператором?») from
a mere mention of one («менеджер сказал, что…», «вы менеджер?»).

`detect_person_request(text)` returns a `PersonRequest(is_request, phrase)`; `phrase` is the
matched request (or the mention that was recognised as not a request, for logs). What else
the message is about (a return, a product) is the turn reader's job, not this module's.

Decisions:
- a request is a person word (менеджер, оператор, живой человек, администратор, консультант,
  продавец, сотрудник; Kazakh менеджерге/адаммен…) with a request cue: an imperative or wish
  (позовите, дайте, соедините, свяжите, переключите, хочу поговорить, можно с…, нужен,
  пусть позвонит, қосыңызшы, керек), or the person in the accusative/instrumental alone
  («менеджера пожалуйста», «с оператором можно?»), or «не хочу с ботом»;
- a person word in a story (менеджер сказал / говорил / обещал / писала), an identity
  question («вы менеджер?», «это оператор?», «ты бот?») or a negation («менеджера не надо»)
  is a mention;
- «а менеджер когда будет на работе?» is a MENTION: the customer asks about the manager's
  hours; the bot answers them (shop hours) and may offer a manager — the customer's next
  «да, позовите» is then a request. Only an explicit wish hands the chat over;
- when a request and a mention are both present («менеджер говорил, что придут, позовите
  его»), the request wins.

Pure: regular expressions over normalised text; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import normalize

_W = r"[\w-]*"
# A person the customer may ask for (typos and Kazakh cases included).
PERSON = (
    r"(?:мен[еэиa]д?ж[еэоa]?р" + _W + r"|менедж" + _W + r"|менджер" + _W + r"|манаг" + _W + r"|manager\w*|"
    r"[ао]пер[ао]т[оа]?р" + _W + r"|оператр" + _W + r"|operator\w*|админ" + _W + r"|консультант" + _W + r"|"
    r"продав(?:ец|ца|цу|цом|щиц\w*)|продовц\w*|сотрудник\w*|специалист\w*|руководител\w*|хозяйк\w*|владел\w*|"
    r"начальник\w*|старш\w+|(?:живо|реально|настояще|нормально)\w*\s+(?:человек|люд|адам)\w*|человек\w*|"
    r"людьми|тірі адам\w*|тири адам\w*|адам(?:мен|ға|га|ды)?)"
)
_GAP = r"[,!]?(?:\s+[\w,-]+){0,4}?,?\s+"
# Imperatives and wishes that ask for someone.
_ASK = (
    r"(?:поз[ао]в\w*|позв\w*|зовите|зови|вызов\w*|пригласи\w*|дайте|дай|дать|соедин\w*|свяж\w*|связ\w+|"
    r"переключ\w*|переведите|передайте|подключ\w*|подключи|нужен|нужна|нужно|нужны|надо|хочу|хотела?|хотим|"
    r"можно|можете|могу|мне бы|давайте|требую|прошу|пусть|поговор\w*|пообщ\w*|общаться|говорить|"
    r"қосыңыз\w*|косыныз\w*|қос\w*|шақыр\w*|шакыр\w*|беріңіз\w*|бериниз\w*|керек|сөйлес\w*|сойлес\w*)"
)
_REQUESTS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # verb … person: «позовите менеджера», «дайте живого человека», «хочу поговорить с менеджером»
        rf"(?<![\w-]){_ASK}{_GAP}(?:с\s+|со\s+)?(?:\w+\s+)?{PERSON}",
        rf"(?<![\w-]){_ASK}\s+(?:с\s+|со\s+)?{PERSON}",
        # person … verb: «менеджера позовите», «менеджер нужен», «менеджерге қосыңызшы», «оператор позвоните мне»
        rf"(?<![\w-]){PERSON}(?:\s+[\w,-]+){{0,3}}?\s+(?:позов\w*|позв\w*|зовите|нужен|нужна|нужно|надо|"
        rf"дайте|пожалуйста|плиз|пж|позвоните|позвони|перезвоните|перезвони|свяжитесь|свяжись|напишите|напиши|ответьте|подключ\w*|"
        rf"қосыңыз\w*|косыныз\w*|керек|шақыр\w*|шакыр\w*|беріңіз\w*|сөйлес\w*|сойлес\w*|можно)(?![\w-])",
        # the person in the accusative / instrumental on its own: «менеджера!», «с оператором можно?»
        r"^\s*(?:а\s+)?(?:можно\s+)?(?:с\s+|со\s+)?(?:живым\s+|живого\s+)?(?:менеджер(?:а|ом)|оператор(?:а|ом)|человек(?:а|ом)|"
        r"администратор(?:а|ом)|консультант(?:а|ом)|продавц(?:а|ом)|менеджерге|менеджермен|адаммен)\s*(?:[!.?]+|можно|пожалуйста|плиз|пж|$)",
        # refusing the bot: «не хочу с ботом», «с роботом не буду общаться»
        r"(?<![\w-])не\s+(?:хочу|буду|желаю)\s+(?:\w+\s+)?(?:с\s+)?(?:бот|робот)\w*|(?<![\w-])(?:с\s+)?(?:ботом|роботом)\s+не\s+(?:хочу|буду)",
        r"(?<![\w-])(?:есть|тут|там)\s+(?:\w+\s+)?живо\w*\s+(?:человек|люди)\w*|живо\w*\s+(?:человек|люди)\w*\s+(?:есть|тут|там)",
    )
)
# A story about a person, an identity question, a negation: not a request.
_MENTIONS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"(?<![\w-]){PERSON}(?:\s+[\w-]+){{0,2}}?\s+(?:сказал\w*|говорил\w*|обещал\w*|писал\w*|написал\w*|ответил\w*|"
        rf"отправ\w*|скинул\w*|звонил\w*|позвонил\w*|предлагал\w*|подтвердил\w*|уточнял\w*|советовал\w*|посоветовал\w*|"
        rf"была|был|были|будет|придет|придёт|работает|заберет|сказала|показывал\w*|оформил\w*|договорил\w*)(?![\w-])",
        rf"(?<![\w-])(?:вы|ты|это|сіз|сен)\s+(?:\w+\s+)?(?:{PERSON}|бот\w*|робот\w*)(?:\s*\?|\s+или)",
        rf"(?<![\w-])(?:не\s+(?:надо|нужно|зовите|нужен|нужна)|без)\s+(?:\w+\s+)?{PERSON}",
        rf"{PERSON}\s+(?:не\s+(?:надо|нужно|нужен|нужна|зовите)|керек емес)",
        rf"(?:с|со)\s+(?:вашим\s+)?{PERSON}\s+(?:уже\s+)?(?:договорил\w*|общал\w*|говорил\w*|переписывал\w*)",
    )
)


@dataclass(frozen=True)
class PersonRequest:
    is_request: bool
    phrase: str  # the request that matched, or the mention that did not count ("" when neither)


def detect_person_request(text: str) -> PersonRequest:
    """Is this message an explicit request for a human? (see the module docstring)."""
    norm = normalize(text or "")
    if not norm:
        return PersonRequest(False, "")
    mention = ""
    for pattern in _MENTIONS:
        found = pattern.search(norm)
        if found:
            mention = found.group(0)
            break
    for pattern in _REQUESTS:
        for found in pattern.finditer(norm):
            phrase = found.group(0).strip()
            if mention and (phrase in mention or mention in phrase or _overlaps(found.span(), norm, mention)):
                continue  # the "request" is the mention itself («не надо менеджера», «менеджер сказала можно»)
            return PersonRequest(True, phrase)
    return PersonRequest(False, mention)


def _overlaps(span: tuple[int, int], norm: str, mention: str) -> bool:
    start = norm.find(mention)
    return start >= 0 and span[0] < start + len(mention) and start < span[1]


def is_person_request(text: str) -> bool:
    return detect_person_request(text).is_request
