"""Parser for WhatsApp "Export chat" text files (Android and iOS, any locale).

WhatsApp writes one header per message: a date, a time, then the author and the text
(`DD.MM.YYYY, HH:MM - Author: text` on Android, `[M/D/YY, HH:MM:SS] Author: text` on
iOS, and many locale variants: `/ . -` separators, 2- or 4-digit years, 12 h clocks with
`AM`, `p.m.`, `a. m.`, NBSP or NNBSP before the marker). Lines without a header
continue the previous message.

The date order (day/month or month/day) is not written anywhere, so it is decided per
file: a first field above 12 means D/M, a second field above 12 means M/D; when every
value is ≤ 12 the order that keeps the messages closest to time order wins.
Some exports put the time first (`[14:56:01, 3/18/22] Name: text`, Vietnamese iOS).
The header *shape* (brackets, date separator, time or date first, what follows the time)
is decided per file from the most common shape, so a line inside a message that happens
to start with a date is not mistaken for a new message. Files that mix layouts line by
line (two exports pasted together, a phone that changed locale) are read too: a header
of another shape counts when it names an author already seen, or when its shape recurs
with a plausible author, or when it is a WhatsApp notice. The date order is then decided
per shape.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

# Invisible direction marks and BOMs that WhatsApp sprinkles into exports.
_MARKS_RE = re.compile("[\u200e\u200f\ufeff\u202a-\u202e\u2066-\u2069]")
_SPACES = "[ \u00a0\u202f\t]"

_DATE = r"(?P<d1>\d{1,4})(?P<sep>[./\-])(?P<d2>\d{1,2})(?P=sep)(?P<d3>\d{2,4})\.?"
_TIME = (
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"(?:" + _SPACES + r"*(?P<ampm>[AaPp]\.?" + _SPACES + r"?[Mm]\.?))?"
)
# What follows the header: " - " / " – " (Android), "] " (iOS), ": " (old iOS).
_AFTER = r"(?P<after>" + _SPACES + r"*[-–—]" + _SPACES + r"|" + _SPACES + r"|:" + _SPACES + r")"

_HEADER_RE = re.compile(
    r"^(?P<open>\[)?" + _DATE
    + r",?" + _SPACES + r"*(?:à|um|a las|alle|kl\.|в)?" + _SPACES + r"*"
    + _TIME + r"(?P<close>\])?" + _AFTER
)
# Time first: "[14:56:01, 3/18/22] Name: text" (Vietnamese iOS), "14:56, 18/3/2022 - Name: text".
_TIME_FIRST_RE = re.compile(
    r"^(?P<open>\[)?" + _TIME + r"," + _SPACES + r"*(?:ngày" + _SPACES + r"+)?" + _DATE
    + r"(?P<close>\])?" + _AFTER
)

# Media that was not exported ("without media" exports), per locale.
_MEDIA_PATTERNS = [
    r"<[^<>:]{2,60}>",  # <Media omitted>, <Без медиафайлов>, <Medien ausgeschlossen>
    r"(?:image|video|audio|sticker|GIF|Contact card|photo|voice message)\s+omitted",
    r"(?:изображение|видео|аудиофайл|аудио|фото|GIF|Карточка контакта|стикер)\s+"
    r"(?:отсутствует|не добавлен|не добавлено|пропущено)",
    r"(?:Bild|Video|Audio|Sticker|GIF|Kontaktkarte)\s+weggelassen",
    r"(?:imagen|video|audio|sticker|GIF|tarjeta de contacto)\s+omitid[oa]",
    r"(?:image|vidéo|audio|autocollant|GIF)\s+absente?",
    r"(?:immagine|video|audio|sticker|GIF)\s+omess[oa]",
    # iOS documents: "<name> • 2 pages document omitted"
    r".{0,200}?(?:document omitted|документ отсутствует|Dokument weggelassen|"
    r"documento omitido|document absent|documento omesso)",
]
_MEDIA_RE = re.compile(r"^(?:" + "|".join(_MEDIA_PATTERNS) + r")$", re.IGNORECASE)

_ATTACHED_IOS_RE = re.compile(
    r"<(?:attached|прикреплено|вложение|Anhang|adjunto|pièce jointe|allegato):\s*([^<>]+)>",
    re.IGNORECASE,
)
_ATTACHED_ANDROID_RE = re.compile(
    r"^(.+?)\s+\((?:file attached|файл добавлен|файл прикреплен|Datei angehängt|"
    r"archivo adjunto|fichier joint|file allegato|arquivo anexado)\)$",
    re.IGNORECASE,
)

# Notices WhatsApp itself writes. On iOS some carry the chat name as a pseudo-author
# (then U+200E follows ": "); these phrases tell them from real messages.
_SYSTEM_RE = re.compile(
    r"end-to-end|encrypted|security code|шифр|код безопасности|verschlüsselt|"
    r"Sicherheitsnummer|cifrad|chiffr|crittograf|mã hóa",
    re.IGNORECASE,
)

_AUTHOR_MAX = 60


@dataclass(frozen=True)
class ChatMessage:
    """One entry of an export. `is_media`: a "media omitted" placeholder;
    `attachment`: the file name of an exported attachment (counted apart)."""

    timestamp: datetime
    author: str | None
    text: str
    is_system: bool
    is_media: bool
    attachment: str | None
    line: int


@dataclass(frozen=True)
class _Header:
    line_no: int
    d1: str
    d2: str
    d3: str
    sep: str
    hour: int
    minute: int
    second: int
    ampm: str | None
    rest: str
    shape: _Shape


# (bracketed, date separator, what follows: "dash" | "colon" | "space", time first)
_Shape = tuple[bool, str, str, bool]


@dataclass(frozen=True)
class _Candidate:
    """A line that looks like a message header, with its shape."""

    match: re.Match[str]
    shape: _Shape

    @property
    def rest(self) -> str:
        return self.match.string[self.match.end() :]


def _shape(match: re.Match[str], time_first: bool) -> _Shape:
    after = match.group("after").strip(" \u00a0\u202f\t")
    kind = "dash" if after in {"-", "–", "—"} else ("colon" if after == ":" else "space")
    return (bool(match.group("open")), match.group("sep"), kind, time_first)


def _valid_shape(match: re.Match[str], kind: str) -> bool:
    # Brackets come in pairs; a bracketed header is followed by a space, an open one by a dash/colon.
    opened, closed = bool(match.group("open")), bool(match.group("close"))
    if opened != closed:
        return False
    return kind == "space" if opened else kind in {"dash", "colon"}


def _match_header(line: str) -> _Candidate | None:
    clean = _MARKS_RE.sub("", line)
    for regex, time_first in ((_HEADER_RE, False), (_TIME_FIRST_RE, True)):
        match = regex.match(clean)
        if match:
            shape = _shape(match, time_first)
            if _valid_shape(match, shape[2]):
                return _Candidate(match, shape)
    return None


def _scan_headers(lines: list[str]) -> list[tuple[int, _Candidate]]:
    found: list[tuple[int, _Candidate]] = []
    for index, line in enumerate(lines):
        candidate = _match_header(line)
        if candidate is not None:
            found.append((index, candidate))
    return found


def _author_of(rest: str) -> str | None:
    """The author a header line names, if its text reads like `Name: message`."""
    colon = rest.find(":")
    if colon <= 0:
        return None
    author = rest[:colon].strip()
    if 0 < len(author) <= _AUTHOR_MAX and not any(q in author for q in "\"«»“”"):
        return author
    return None


def _accept_headers(candidates: list[tuple[int, _Candidate]]) -> dict[int, _Candidate]:
    """The candidates that start messages: the file's main shape, plus lines of other
    shapes that are clearly headers too (known author, a recurring shape, a notice)."""
    shapes = Counter(c.shape for _, c in candidates)
    main_shape = shapes.most_common(1)[0][0]
    accepted = {index: c for index, c in candidates if c.shape == main_shape}
    others = [(index, c) for index, c in candidates if c.shape != main_shape]
    for index, candidate in others:
        author = _author_of(candidate.rest)
        recurring = shapes[candidate.shape] >= 2 and author is not None
        notice = author is None and bool(_SYSTEM_RE.search(candidate.rest))
        if recurring or notice:
            accepted[index] = candidate
    # A lone header of another shape counts when it names someone already writing here.
    known = {a for c in accepted.values() if (a := _author_of(c.rest))}
    for index, candidate in others:
        if index not in accepted and _author_of(candidate.rest) in known:
            accepted[index] = candidate
    return accepted


def _to_hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    is_pm = ampm.strip().lower().startswith("p")
    hour %= 12  # "12:05 AM" and "00:05 AM" are both just after midnight
    return hour + 12 if is_pm else hour


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _group_order(headers: list[_Header]) -> str | None:
    """'ymd', 'dmy' or 'mdy' when the values decide it, else None."""
    if headers and all(len(h.d1) == 4 for h in headers):
        return "ymd"
    first_big = any(int(h.d1) > 12 for h in headers)
    second_big = any(int(h.d2) > 12 for h in headers)
    if first_big and not second_big:
        return "dmy"
    if second_big and not first_big:
        return "mdy"
    return None


def _inversions(headers: list[_Header], orders: dict[_Shape, str]) -> int:
    stamps = [_stamp(h, orders[h.shape]) for h in headers]
    valid = [s for s in stamps if s is not None]
    if len(valid) < len(stamps):
        return 1 << 30
    return sum(1 for a, b in zip(valid, valid[1:]) if b < a)


def _date_orders(headers: list[_Header]) -> dict[_Shape, str]:
    """The date order of each header shape in the file.

    A shape whose values decide it keeps that order; for the others the reading that
    keeps the whole file closest to time order wins; on a true tie AM/PM clocks are
    mostly US (M/D) and elsewhere D/M is the norm."""
    groups: dict[_Shape, list[_Header]] = {}
    for header in headers:
        groups.setdefault(header.shape, []).append(header)
    orders: dict[_Shape, str] = {}
    open_shapes: list[_Shape] = []
    for shape, group in groups.items():
        decided = _group_order(group)
        if decided is None:
            open_shapes.append(shape)
            orders[shape] = "mdy" if any(h.ampm for h in group) else "dmy"
        else:
            orders[shape] = decided
    for shape in open_shapes:
        scores = {order: _inversions(headers, {**orders, shape: order}) for order in ("dmy", "mdy")}
        if scores["dmy"] != scores["mdy"]:
            orders[shape] = min(scores, key=scores.__getitem__)
    return orders


def _stamp(h: _Header, order: str) -> datetime | None:
    a, b, c = int(h.d1), int(h.d2), int(h.d3)
    if order == "ymd":
        year, month, day = a, b, c
    elif order == "dmy":
        day, month, year = a, b, _year(c)
    else:
        month, day, year = a, b, _year(c)
    try:
        return datetime(year, month, day, _to_hour(h.hour, h.ampm), h.minute, h.second)
    except ValueError:
        return None


def _split_author(rest: str) -> tuple[str | None, str, bool]:
    """(author, body, is_system) from the text after the header."""
    colon = rest.find(":")
    if colon > 0:
        author = rest[:colon].strip()
        body = rest[colon + 1 :]
        plausible = (
            0 < len(author) <= _AUTHOR_MAX
            and not any(q in author for q in "\"«»“”")
            and "\n" not in author
        )
        if plausible:
            body = body[1:] if body.startswith((" ", "\u00a0")) else body
            clean = _MARKS_RE.sub("", body)
            # iOS: "<chat name>: \u200eMessages and calls are end-to-end encrypted…"
            if body.startswith("\u200e") and _SYSTEM_RE.search(clean.split("\n", 1)[0]):
                return None, clean, True
            return author, clean, False
    return None, _MARKS_RE.sub("", rest), True


def _media_and_attachment(body: str) -> tuple[bool, str | None]:
    first = body.split("\n", 1)[0].strip()
    if not first:
        return False, None
    ios = _ATTACHED_IOS_RE.search(first)
    if ios:
        return False, ios.group(1).strip()
    android = _ATTACHED_ANDROID_RE.match(first)
    if android:
        return False, android.group(1).strip()
    return bool(_MEDIA_RE.match(first)), None


def parse_whatsapp_export(text: str) -> list[ChatMessage]:
    """Parse a whole export. Raises ValueError if no message header is found."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    candidates = _scan_headers(lines)
    if not candidates:
        raise ValueError("no WhatsApp message headers found (not a chat export?)")
    accepted = _accept_headers(candidates)

    headers: list[_Header] = []
    bodies: list[list[str]] = []
    for index, line in enumerate(lines):
        candidate = accepted.get(index)
        if candidate is None:
            if bodies:
                bodies[-1].append(line)
            continue  # text before the first header (rare) has no message to join
        match = candidate.match
        rest_raw = line[_raw_offset(line, match.end()) :]
        headers.append(
            _Header(
                line_no=index + 1,
                d1=match.group("d1"),
                d2=match.group("d2"),
                d3=match.group("d3"),
                sep=match.group("sep"),
                hour=int(match.group("hour")),
                minute=int(match.group("minute")),
                second=int(match.group("second") or 0),
                ampm=match.group("ampm"),
                rest=candidate.rest,
                shape=candidate.shape,
            )
        )
        bodies.append([rest_raw])

    orders = _date_orders(headers)
    messages: list[ChatMessage] = []
    for header, body_lines in zip(headers, bodies):
        while len(body_lines) > 1 and not body_lines[-1].strip():
            body_lines.pop()  # trailing blank lines belong to nobody
        rest = "\n".join(body_lines)
        author, body, is_system = _split_author(rest)
        body = body.replace("\u00a0", " ").replace("\u202f", " ")
        order = orders[header.shape]
        stamp = _stamp(header, order)
        if stamp is None:  # an impossible date under the file's order: keep the message anyway
            stamp = _stamp(header, "mdy" if order == "dmy" else "dmy") or datetime(1970, 1, 1)
        is_media, attachment = (False, None) if is_system else _media_and_attachment(body)
        messages.append(
            ChatMessage(
                timestamp=stamp,
                author=author,
                text=body,
                is_system=is_system,
                is_media=is_media,
                attachment=attachment,
                line=header.line_no,
            )
        )
    return messages


def _raw_offset(line: str, clean_end: int) -> int:
    """Map an offset in the mark-stripped line back to the raw line."""
    seen = 0
    for position, char in enumerate(line):
        if seen == clean_end:
            return position
        if not _MARKS_RE.match(char):
            seen += 1
    return len(line)


def looks_like_whatsapp_export(text: str, *, sample_lines: int = 40) -> bool:
    """Cheap check used to route a .txt file: do its first lines carry message headers?"""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")[:sample_lines]
    non_empty = [line for line in lines if line.strip()]
    if not non_empty:
        return False
    hits = len(_scan_headers(non_empty))
    return hits >= max(1, len(non_empty) // 3)
