"""Report rows from WhatsApp "Export chat" files (history from before the bot).

Each file is one chat. Messages whose author is one of `shop_authors` (compared without
case and surrounding spaces) are the shop's, answered by a manager of that name; every
other author is the customer. System lines («Сообщения защищены…», joins) are skipped.
Export times are the exporting phone's wall clock, read in the shop's zone.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Iterable, Sequence

from ottenok_desktop.engine.analytics.model import (
    ChatInfo, Msg, Period, ReportInput, ResponderKind, Side, covering_period,
)
from ottenok_desktop.services.knowledge.whatsapp_export import parse_whatsapp_export

_PHONE_RE = re.compile(r"^\+?[\d\s()\-]{10,}$")


class ExportError(ValueError):
    """A file that cannot be read as a WhatsApp export (the message names the file)."""


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_export(path: Path, shop_authors: Iterable[str], zone: tzinfo) -> tuple[ChatInfo, list[Msg]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from None
    try:
        parsed = parse_whatsapp_export(text)
    except ValueError as exc:
        raise ExportError(f"{path}: {exc}") from None
    shop = {_norm(a) for a in shop_authors}
    messages: list[Msg] = []
    customers: Counter[str] = Counter()
    for entry in parsed:
        if entry.is_system or not entry.author:
            continue
        moment = entry.timestamp.replace(tzinfo=zone).timestamp()
        body = entry.text if not entry.is_media else ""
        if _norm(entry.author) not in shop:
            customers[entry.author] += 1
            messages.append(Msg(path.name, moment, Side.CUSTOMER, "", "", body))
        else:
            # named as the export writes them (the --shop-author spelling may differ in case)
            messages.append(Msg(path.name, moment, Side.SHOP, ResponderKind.MANAGER.value, entry.author.strip(), body))
    customer = customers.most_common(1)[0][0] if customers else ""
    phone = customer if _PHONE_RE.match(customer) else ""
    return ChatInfo(path.name, name=customer, phone=phone, channel="whatsapp"), messages


def load_exports(paths: Sequence[Path], shop_authors: Sequence[str], zone: tzinfo,
                 period: Period | None = None) -> ReportInput:
    """All exports as one report input: over `period`, or over the days they span."""
    if not shop_authors:
        raise ExportError("name the shop's side with --shop-author (the manager names as they appear in the export)")
    chats: dict[str, ChatInfo] = {}
    messages: list[Msg] = []
    for path in paths:
        info, rows = read_export(path, shop_authors, zone)
        if info.key in chats:  # two files with one name from different folders
            info = ChatInfo(f"{path.parent.name}/{path.name}", info.name, info.phone, info.channel)
            rows = [Msg(info.key, m.at, m.side, m.responder_kind, m.responder, m.text) for m in rows]
        chats[info.key] = info
        messages.extend(rows)
    if not messages:
        raise ExportError("the exports hold no messages")
    if not any(m.side == Side.SHOP for m in messages):
        raise ExportError("no message in the exports is written by the --shop-author names given")
    if period is None:
        first = min(m.at for m in messages)
        last = max(m.at for m in messages)
        period = covering_period(datetime.fromtimestamp(first, zone), datetime.fromtimestamp(last, zone), zone)
    return ReportInput(period, chats, messages)
