"""Linked chats: one customer's WhatsApp chat and Telegram chat, linked by a manager (issue 15).

Sync functions for the DB thread. A link is `Chat.linked_chat_id` on both rows (a chat has
at most one partner: there are two channels). It is offered when a Telegram customer's
shared phone number is the phone of a WhatsApp chat (`link_info`); a manager links, or says
«Не связывать» (`dismiss_offer`: that pair is never offered again).

What a link shares, as a real person expects: the name and phone fill the other chat's
empty ones; consent to promotions is the person's — an opt-out on either chat (a follow-up
"стоп" or «не присылайте акции») opts both out for good, an opt-in on one counts for both
unless either opted out. A partner is recognised by the phone, which the link shares, and by
a partner code the customer gave on either chat (`Chat.partner_code`): one given before the link
is carried over when linking, one given later is written on both chats in the turn's
transaction (`give_partner_code`); after unlinking new codes stay on their own chat.
What it does not do: merge the histories, orders or tickets, or move replies — each chat
keeps its own messages and the bot and managers answer on the channel the customer wrote on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .chats import audit
from .models import Chat, LinkOfferDismissal


@dataclass(frozen=True)
class LinkInfo:
    """What the console shows about a chat's other channel."""

    state: str  # linked | candidate | dismissed
    chat_id: str  # the other chat
    channel: str
    phone: str
    name: str


def _info(state: str, other: Chat) -> LinkInfo:
    return LinkInfo(state, other.chat_id, other.channel, other.phone, other.name)


def _pair(chat_id: str, other_id: str) -> tuple[str, str]:
    return (chat_id, other_id) if chat_id < other_id else (other_id, chat_id)


def _dismissed_with(chat_id: str) -> set[str]:
    """The chats whose link offer with this one a manager dismissed («Не связывать»)."""
    rows = (LinkOfferDismissal.select(LinkOfferDismissal.chat_a, LinkOfferDismissal.chat_b)
            .where((LinkOfferDismissal.chat_a == chat_id) | (LinkOfferDismissal.chat_b == chat_id)).tuples())
    return {b if a == chat_id else a for a, b in rows}


def _same_phone_elsewhere(chat: Chat) -> list[Chat]:
    """The same phone on the other channel, not linked, newest first."""
    if chat.linked_chat_id or not chat.phone:
        return []
    return list(Chat.select().where((Chat.phone == chat.phone) & (Chat.channel != chat.channel)
                                    & (Chat.linked_chat_id == "") & (Chat.id != chat.id))
                .order_by(Chat.updated_at.desc()))


def link_info(chat_id: str) -> LinkInfo | None:
    """linked | candidate (the offer) | dismissed (no offer; the customer card can still link)."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return None
    if chat.linked_chat_id:
        other = Chat.get_or_none(Chat.chat_id == chat.linked_chat_id)
        return _info("linked", other) if other is not None else None
    same_phone = _same_phone_elsewhere(chat)
    dismissed = _dismissed_with(chat.chat_id) if same_phone else set()
    candidate = next((c for c in same_phone if c.chat_id not in dismissed), None)
    if candidate is not None:
        return _info("candidate", candidate)
    return _info("dismissed", same_phone[0]) if same_phone else None


def dismiss_offer(chat_id: str, other_id: str, by: str, now: datetime) -> bool:
    """«Не связывать»: never offer this pair again (inside the caller's transaction). Both rows
    are touched so every seat's console looks again. False when there is nothing to dismiss
    (a chat is gone, the same channel, or already dismissed)."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    other = Chat.get_or_none(Chat.chat_id == other_id)
    if chat is None or other is None or chat.id == other.id or chat.channel == other.channel:
        return False
    a, b = _pair(chat_id, other_id)
    if LinkOfferDismissal.select().where((LinkOfferDismissal.chat_a == a) & (LinkOfferDismissal.chat_b == b)).exists():
        return False
    # two seats pressing at once: the UNIQUE pair keeps one row
    LinkOfferDismissal.insert(chat_a=a, chat_b=b, dismissed_by=by[:100], dismissed_at=now).on_conflict_ignore().execute()
    Chat.update(updated_at=now).where(Chat.chat_id.in_([chat_id, other_id])).execute()
    audit(now, by, "link_offer_dismissed", "chat", chat_id, other=other_id)
    return True


def linked_chat(chat_id: str) -> Chat | None:
    row = Chat.select(Chat.linked_chat_id).where(Chat.chat_id == chat_id).first()
    if row is None or not row.linked_chat_id:
        return None
    return Chat.get_or_none(Chat.chat_id == row.linked_chat_id)


def link(chat_id: str, other_id: str, by: str, now: datetime) -> bool:
    """Link two chats of different channels, neither linked yet, and share their facts (inside
    the caller's transaction). False when they may not be linked."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    other = Chat.get_or_none(Chat.chat_id == other_id)
    if (chat is None or other is None or chat.id == other.id or chat.channel == other.channel
            or chat.linked_chat_id or other.linked_chat_id):
        return False
    a, b = _pair(chat_id, other_id)  # linked by hand after «Не связывать»: that answer is superseded
    LinkOfferDismissal.delete().where((LinkOfferDismissal.chat_a == a) & (LinkOfferDismissal.chat_b == b)).execute()
    for one, two in ((chat, other), (other, chat)):
        one.linked_chat_id = two.chat_id
        one.name = one.name or two.name
        one.phone = one.phone or two.phone
        one.updated_at = now
    _share_consent(chat, other)
    carried = _share_partner_code(chat, other)
    chat.save()
    other.save()
    audit(now, by, "chats_linked", "chat", chat_id, other=other_id)
    for to, source, code in carried:
        audit(now, by, "partner_code_carried", "chat", to.chat_id, code=code, source=source.chat_id)
    return True


def unlink(chat_id: str, by: str, now: datetime) -> str:
    """Undo a link (the facts already shared stay); returns the other chat id, "" when unlinked."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None or not chat.linked_chat_id:
        return ""
    other_id = chat.linked_chat_id
    Chat.update(linked_chat_id="", updated_at=now).where(Chat.chat_id.in_([chat_id, other_id])).execute()
    audit(now, by, "chats_unlinked", "chat", chat_id, other=other_id)
    return str(other_id)


def _share_consent(chat: Chat, other: Chat) -> None:
    """The person's consent: an opt-out anywhere wins on both; otherwise an opt-in counts for both."""
    opted_out = chat.opted_out or other.opted_out
    outs = [c for c in (chat, other) if c.promo_opt_out_at is not None]
    ins = [c for c in (chat, other) if c.promo_opt_in_at is not None]
    for row in (chat, other):
        row.opted_out = opted_out
        if outs and row.promo_opt_out_at is None:
            first = min(outs, key=lambda c: c.promo_opt_out_at)
            row.promo_opt_out_at, row.promo_opt_out_source = first.promo_opt_out_at, first.promo_opt_out_source
        if ins and row.promo_opt_in_at is None and not outs and not opted_out:
            first = min(ins, key=lambda c: c.promo_opt_in_at)
            row.promo_opt_in_at, row.promo_opt_in_source = first.promo_opt_in_at, first.promo_opt_in_source


def given_code(chat: Chat) -> str:
    """The partner code this person gave in that chat: the column, or (a code typed before
    migration 11, or a partner recognised by phone) the one in the dialogue state."""
    if chat.partner_code:
        return str(chat.partner_code)
    try:
        state = json.loads(chat.state_json or "{}")
    except ValueError:
        return ""
    code = state.get("partner_code") if isinstance(state, dict) else None
    return str(code)[:32] if isinstance(code, str) else ""


def _with_state_code(state_json: str, code: str) -> str:
    """The dialogue state with the partner the chat is recognised as (the console's «партнёр»
    badge reads it; the chat's next turn checks it against partners.xlsx and clears it when the
    partner is gone — Chat.partner_code, which that turn also reads, is the durable copy)."""
    try:
        state = json.loads(state_json or "{}")
    except ValueError:
        state = {}
    if not isinstance(state, dict):
        state = {}
    state["partner_code"] = code
    return json.dumps(state, ensure_ascii=False)


def _share_partner_code(chat: Chat, other: Chat) -> list[tuple[Chat, Chat, str]]:
    """At link time: a code given on one chat fills the other's empty one. Returns (to, from, code)."""
    codes = {chat.id: given_code(chat), other.id: given_code(other)}
    for row in (chat, other):
        row.partner_code = row.partner_code or codes[row.id]  # one from the dialogue state, kept
    carried = []
    for to, source in ((chat, other), (other, chat)):
        if codes[source.id] and not codes[to.id]:
            to.partner_code = codes[source.id]
            to.state_json = _with_state_code(to.state_json, codes[source.id])
            carried.append((to, source, codes[source.id]))
    return carried


def give_partner_code(chat_id: str, code: str, now: datetime) -> str:
    """A customer gave a recognised partner code (a turn's op, inside its transaction): the chat
    keeps it and its linked chat gets it too. Audited; returns the linked chat id it was carried to."""
    code = code[:32]
    Chat.update(partner_code=code).where(Chat.chat_id == chat_id).execute()
    other = linked_chat(chat_id)
    carried_to = ""
    if other is not None and other.partner_code != code:
        Chat.update(partner_code=code, state_json=_with_state_code(other.state_json, code), updated_at=now).where(
            Chat.id == other.id).execute()
        carried_to = str(other.chat_id)
    audit(now, "customer", "partner_code_given", "chat", chat_id, code=code, carried_to=carried_to)
    return carried_to


def mirror_to_linked(chat_id: str, changes: dict[Any, Any]) -> None:
    """A consent change of a linked chat applies to its partner too (same transaction)."""
    other = linked_chat(chat_id)
    if other is not None:
        Chat.update(changes).where(Chat.id == other.id).execute()
