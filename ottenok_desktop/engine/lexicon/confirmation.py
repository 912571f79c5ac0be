"""Read a customer's reply to a confirmation question («Всё верно? Оформляем?»).

`classify_confirmation(text)` returns a `ConfirmationReply`:

- YES — agreement in Russian, Kazakh or mixed forms, slang, emoji, "+", thanks with a yes
  («да», «да, всё верно 👍», «ок», «оформляйте», «иә, дұрыс», «рахмет, подтверждаю», «ага»);
- NO — refusal or a change of mind without a new value («нет, не то», «не, передумала»,
  «отмените», «жоқ, керек емес»);
- CORRECTION — a field changes: a size, a colour, a city, an address, a name, a phone, a
  product or a payment way is given with a negation or a change word («нет, размер 39»,
  «адрес другой: Абая 10», «не черные а бежевые», «да, только 38»);
- OTHER — anything else: a question without an answer («а доставка сколько?»), a delay
  («подождите, спрошу у мужа», «я подумаю»), thanks alone, an unrelated message.

Decisions (documented so the lead can rely on them):
- a yes together with a question («да, а когда привезут?») is YES — the question is the
  message's other reading (`questions.py`) and must still be answered;
- a yes together with a new value («да, только размер 39») is CORRECTION: the order must
  not be confirmed with the old value;
- a bare size/colour/city without yes or no («39») is CORRECTION — after «Всё верно?»
  a customer who writes a value means that value;
- «я подумаю», «подождите» are OTHER, not NO: the order stays open, a follow-up may come.

Pure: no I/O, nothing heavy at import (the lexicon's size/colour/city tables only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .cities import detect_cities
from .colors import detect_colors
from .sizes import detect_sizes
from .text import normalize


class ConfirmationReply(StrEnum):
    YES = "yes"
    NO = "no"
    CORRECTION = "correction"
    OTHER = "other"


@dataclass(frozen=True)
class ConfirmationReading:
    kind: ConfirmationReply
    reason: str  # the word or rule that decided it, for logs and tests
    changed: tuple[str, ...] = ()  # which fields a correction touches: size, color, city, address, ...


# Emoji and signs that mean yes / no on their own.
_YES_SIGNS = ("👍", "👌", "✅", "✔", "☑", "🙏", "👏", "💯", "🤝", "🆗", "❤", "♥", "😍", "🥰", "🔥", "🙌", "💪")
_NO_SIGNS = ("👎", "❌", "🚫", "⛔", "✖")

# Whole-word yes forms (normalised text, ё→е). Typos and Kazakh spellings included.
_YES_WORDS = (
    r"да+|даа+|дап|дв|lf|da|д|ага+|угу+|ахам|ок|окей|окэй|оки|окк|ok|okay|okey|o?k+|ну да|yes|ес|йес|"
    r"конечно|конечна|канешн?о|канешна|конешно|кнчн|естественно|разумеется|"
    r"верно|всё верно|все верно|верна|верные|верны|правильно|правильна|прально|все так|всё так|так|точно|именно|"
    r"подтверждаю|подтвеждаю|подтверждаю+|потверждаю|подтверждаем|подтвердить|подтверждено|подтвержаю|"
    r"оформляйте|оформляем|оформляите|афармляйте|оформите|оформляй|оформляйте пожалуйста|оформляю|оформлю|"
    r"давайте|давай|даваите|дайвате|го|погнали|поехали|"
    r"согласна|согласен|согласны|устраивает|подходит|пойдет|пойдёт|норм|нормально|"
    r"хорошо|хорош|харашо|хоршо|ладно|отлично|супер|класс|идет|идёт|беру|берем|берём|возьму|заказываю|"
    r"можно|жду|ждем|ждём|везите|привозите|отправляйте|высылайте|оке|океу|"
    r"иә|ия|иа|ие|иэ|йа|ыя|әрине|ерине|арине|жарайды|жарайд|жарады|жарайды+|болады|бол[аа]ды|болад|"
    r"дұрыс|дурыс|дурс|durys|иа дурыс|келісемін|келисемин|макул|мақұл|солай|рас|ия рас"
)
_YES_RE = re.compile(rf"(?<![\w-])(?:{_YES_WORDS})(?![\w-])")
_PLUS_RE = re.compile(r"^\s*\++\s*[!.)]*\s*$|(?<![\w\d])\+(?![\w\d])")

# "не"-words that negate the order (not a question like «не будет дорого?»).
_NO_RE = re.compile(
    r"(?<![\w-])(?:нет+|не+т|неа|не-а|ноу|no|nope|не|ниет|нее+|жоқ|жок|жог|zhok|"
    r"передумал[аи]?|передумали|отмен\w*|отбой|стоп|не надо|ненадо|не нужно|ненужно|"
    r"не буду|не будем|не оформляйте|не оформляем|не хочу|не то|нето|не подходит|"
    r"керек емес|қажет емес|кажет емес|керегі жоқ|керек жок|керек жоқ|алмаймын|алмаймыз)(?![\w-])"
)
# Phrases that look negative but confirm: «нет, всё верно», «нет-нет, всё правильно», «не надо ничего менять».
_NO_BUT_YES_RE = re.compile(
    r"вс[её] (?:верно|правильно|так)|ничего (?:не )?(?:надо |нужно )?менять|ничего не меняем|"
    r"без изменений|вопросов нет|нет вопросов|все норм|всё норм"
)
# Hedges and delays: the customer is not deciding now.
_OTHER_RE = re.compile(
    r"подумаю|подумать|подумаем|подожд\w*|погод\w*|минут\w*|позже|потом|завтра скажу|"
    r"уточню|посоветуюсь|спрош\w*|спрошу|не знаю|незнаю|хз|сомневаюсь|"
    r"ойлан\w*|күте тұр\w*|кейін"
)
# Unsure / did not understand: asked back, not decided (checked before no and corrections).
_UNSURE_RE = re.compile(r"не понял\w*|непонял\w*|не знаю|незнаю|не уверен\w*|не поним\w*|түсінбед\w*|тусинбед\w*")
# Weak yes words: a yes only when the message is not a question («можно?» asks, «можно» agrees).
_WEAK_YES = {"можно", "идет", "идёт", "так", "жду", "ждем", "ждём", "пойдет", "пойдёт", "подходит", "хорошо", "ок"}

_QUESTION_WORD_RE = re.compile(
    r"(?<![\w-])(?:а|сколько|когда|где|как|какой|какая|какие|можно|есть|будет|почему|зачем|кто|"
    r"что|чем|куда|откуда|ли|канша|қанша|қашан|кашан|қайда|кайда)(?![\w-])"
)

# Field changes. A value is trusted only next to a change cue or on its own.
_CHANGE_CUE_RE = re.compile(
    r"(?<![\w-])(?:друг\w+|поменя\w*|помен\w*|измен\w*|замен\w*|смен\w*|исправ\w*|вместо|лучше|"
    r"только|но|а не|не\s+\w+\s+а|другой|новый|новая|ошибк\w*|ошиблась|ошибся|опечатк\w*|"
    r"перепута\w*|нужен|нужна|нужны|нужно|хочу|давайте|надо|басқа|баска|ауыстыр\w*|"
    r"болсын|керек|нет|не|неа|жоқ|жок)(?![\w-])"
)
# Change words that stay a correction even inside a question («поменяйте на 38?»).
_STRONG_CUE_RE = re.compile(r"поменя\w*|измен\w*|замен\w*|исправ\w*|вместо|ошиб\w*|перепута\w*|(?<![\w-])не\s+\w+,?\s+а(?![\w-])|ауыстыр\w*")
_THANKS_RE = re.compile(r"спасиб\w*|рахмет|рақмет|благодар\w*|сау болыңыз")
_ADDRESS_LABEL_RE = re.compile(r"^\s*(?:адрес|мекенжай)\w*\s*:")

_FIELD_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("address", re.compile(r"адрес\w*|(?<![\w-])(?:ул|улиц\w*|пр|просп\w*|мкр|микрорайон\w*|дом|кв|квартир\w*|подъезд\w*|мекенжай\w*|көше\w*|коше\w*)(?![\w-])")),
    ("size", re.compile(r"размер\w*|(?<![\w-])(?:р|разм|өлшем\w*|олшем\w*)(?![\w-])")),
    ("color", re.compile(r"цвет\w*|(?<![\w-])(?:түс\w*|тус\w*)(?![\w-])")),
    ("city", re.compile(r"город\w*|(?<![\w-])(?:қала\w*|кала\w*)(?![\w-])")),
    ("name", re.compile(r"(?<![\w-])(?:имя|имени|зовут|фамили\w*|аты\w*|есім\w*)(?![\w-])")),
    ("phone", re.compile(r"номер\w*|телефон\w*|(?<![\w-])(?:тел|нөмір\w*|номир\w*)(?![\w-])|\+?[78][\s-]?7\d{2}[\s-]?\d{3}")),
    ("payment", re.compile(r"оплат\w*|налич\w*|налом|картой|каспи\w*|kaspi|халык|рассрочк\w*|перевод\w*|төлем\w*")),
    ("delivery", re.compile(r"самовывоз\w*|заберу сама|сама заберу|курьер\w*|сдэк|cdek|казпочт\w*|почт\w*|доставк\w*")),
    ("product", re.compile(
        r"лофер\w*|кроссов\w*|кед\w*|туфл\w*|мюл\w*|балетк\w*|босонож\w*|сумк\w*|ремен\w*|ремн\w*|платок|платк\w*|"
        r"сапог\w*|сапож\w*|угг\w*|ботильон\w*|сандал\w*|модел\w*|пар[уаы]")),
    ("quantity", re.compile(r"(?<![\w-])(?:две пары|2 пары|две|обе|оба|одну|одна пара)(?![\w-])")),
)
_STREET_NUMBER_RE = re.compile(r"(?<![\w-])[а-яa-z]{3,}\w*\s+\d{1,4}[а-яa-z]?(?:\s*[,/-]\s*\d{1,4})?(?![\w-])")


def _strip(text: str) -> str:
    norm = normalize(text)
    # keep letters, digits, +, spaces and a few separators; drop emoji/punctuation for word rules
    return re.sub(r"[^\w\s+,.:/-]", " ", norm).strip()


def _fields(norm: str, raw: str) -> list[str]:
    found: list[str] = []
    if detect_sizes(raw):
        found.append("size")
    if detect_colors(raw):
        found.append("color")
    if detect_cities(raw):
        found.append("city")
    for name, pattern in _FIELD_WORDS:
        if pattern.search(norm) and name not in found:
            found.append(name)
    if "address" not in found and _STREET_NUMBER_RE.search(norm) and not detect_sizes(raw):
        found.append("address")
    return found


def _has_yes(norm: str, raw: str) -> str:
    match = _YES_RE.search(norm)
    if match:
        return match.group(0)
    if _PLUS_RE.search(norm):
        return "+"
    for sign in _YES_SIGNS:
        if sign in raw:
            return sign
    return ""


def _has_no(norm: str, raw: str) -> str:
    match = _NO_RE.search(norm)
    if match:
        return match.group(0)
    for sign in _NO_SIGNS:
        if sign in raw:
            return sign
    return ""


def classify_confirmation(text: str) -> ConfirmationReading:
    """Classify a reply to «Всё верно? Оформляем?» (see the module docstring for the rules)."""
    raw = text or ""
    norm = _strip(raw)
    if not norm and not raw.strip():
        return ConfirmationReading(ConfirmationReply.OTHER, "empty")
    if _UNSURE_RE.search(norm):
        return ConfirmationReading(ConfirmationReply.OTHER, "unsure")
    yes = _has_yes(norm, raw)
    if yes and "?" in raw and (yes in _WEAK_YES or not norm.startswith(yes)):
        yes = ""  # «Сколько идёт доставка?», «а что значит оформляем?» ask, they do not agree
    no = _has_no(norm, raw)
    fields = _fields(norm, raw)
    cue = _CHANGE_CUE_RE.search(norm)
    no_but_yes = _NO_BUT_YES_RE.search(norm)
    if fields and ("product" in fields or "quantity" in fields) and not cue and (yes or no_but_yes):
        fields = [f for f in fields if f not in ("product", "quantity")]  # «да, лоферы беру» names, not changes
    if fields and no_but_yes and not cue:
        fields = []
    hedge = _OTHER_RE.search(norm)
    if "?" in raw and cue and not _STRONG_CUE_RE.search(norm):
        cue = None  # «А фото в другом цвете можно?» asks; it does not change the order
    if yes == "🙏" and _THANKS_RE.search(norm):
        yes = ""  # «Спасибо 🙏» is thanks, not a decision
    if fields and hedge and not no and not (cue and _STRONG_CUE_RE.search(norm)):
        return ConfirmationReading(ConfirmationReply.OTHER, hedge.group(0))
    if fields and (cue or no or _ADDRESS_LABEL_RE.search(norm) or (not yes and _only_values(norm, raw))):
        return ConfirmationReading(ConfirmationReply.CORRECTION, cue.group(0) if cue else (no or "value"), tuple(fields))
    if no_but_yes:
        return ConfirmationReading(ConfirmationReply.YES, no_but_yes.group(0))
    if no:
        return ConfirmationReading(ConfirmationReply.NO, no)
    if yes and not hedge:
        return ConfirmationReading(ConfirmationReply.YES, yes)
    if hedge:
        return ConfirmationReading(ConfirmationReply.OTHER, hedge.group(0))
    return ConfirmationReading(ConfirmationReply.OTHER, "no cue")


def _only_values(norm: str, raw: str) -> bool:
    """The message is just a value (a size, a colour, a city, an address) with no question."""
    if "?" in raw or _QUESTION_WORD_RE.search(norm):
        return False
    return len(norm.split()) <= 6


def is_yes(text: str) -> bool:
    return classify_confirmation(text).kind is ConfirmationReply.YES
