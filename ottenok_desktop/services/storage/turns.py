"""Turn storage: load a chat's unanswered customer messages as a `Turn`, and commit the
bot's reply atomically (outbox rows + messages marked answered) — or drop it if a
manager owns the chat by now. This is what makes "each turn answered once" hold
across crashes: either both happen or neither does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ottenok_desktop.engine.turns import HistoryLine, InboundText, Reply, Turn

from .chats import mark_needs_human
from .models import Chat, Message, PhotoSent
from .outbox import queue_part


def load_turn(chat_id: str, now: datetime, history_limit: int = 30) -> Turn | None:
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return None
    pending = list(
        Message.select().where((Message.chat == chat) & (Message.turn_state == "pending")).order_by(Message.id)
    )
    if not pending:
        return None
    if chat.owner != "bot":
        Message.update(turn_state="skipped").where(Message.id.in_([m.id for m in pending])).execute()
        return None
    earlier = list(
        Message.select().where((Message.chat == chat) & (Message.id < pending[0].id) & (Message.deleted == False))  # noqa: E712
        .order_by(Message.id.desc()).limit(history_limit)
    )
    history = tuple(HistoryLine(m.sender_kind, m.text, m.created_at) for m in reversed(earlier))
    messages = tuple(
        InboundText(m.id, m.text, m.content_type, m.created_at, m.media_url, m.media_name, m.quoted_external_id)
        for m in pending
    )
    return Turn(chat_id=chat_id, phone=chat.phone, customer_name=chat.name, messages=messages, history=history, now=now)


@dataclass
class CommitResult:
    committed: bool
    outbox_ids: list[int] = field(default_factory=list)
    handoff: bool = False
    reason: str = ""


def commit_turn(chat_id: str, message_ids: tuple[int, ...], reply: Reply, now: datetime) -> CommitResult:
    chat = Chat.get(Chat.chat_id == chat_id)
    if chat.owner != "bot":
        Message.update(turn_state="skipped").where(Message.id.in_(message_ids) & (Message.turn_state == "pending")).execute()
        return CommitResult(committed=False, reason="chat taken by a manager")
    still_pending = (
        Message.select().where(Message.id.in_(message_ids) & (Message.turn_state == "pending")).count()
    )
    if still_pending == 0:
        return CommitResult(committed=False, reason="already answered")
    outbox_ids: list[int] = []
    for part in reply.parts:
        if part.photo_key:
            if PhotoSent.select().where((PhotoSent.chat == chat) & (PhotoSent.photo_key == part.photo_key)).exists():
                continue
            PhotoSent.create(chat=chat, photo_key=part.photo_key, sent_at=now)
        item = queue_part(
            chat_id, now, text=part.text, sender_kind="bot", file_path=part.file_path, file_url=part.file_url,
            file_name=part.file_name,
        )
        outbox_ids.append(item.id)
    Message.update(turn_state="answered").where(Message.id.in_(message_ids)).execute()
    handoff = bool(reply.handoff_reason) and mark_needs_human(chat_id, reply.handoff_reason, now)
    return CommitResult(committed=True, outbox_ids=outbox_ids, handoff=handoff)
