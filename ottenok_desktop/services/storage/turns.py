"""Turn storage: load a chat's unanswered customer messages as a `Turn`, and commit the
turn atomically — its plan (order, holds, tickets, state, audit), the reply's outbox rows
and the messages marked answered — or, if a manager owns the chat by now, write nothing
of it. This is what makes "each turn answered once" hold across crashes and take-overs:
either all of it happens or none does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ottenok_desktop.engine.dialogue.plan import CreatedIds
from ottenok_desktop.engine.states import Owner, SenderKind, TurnState
from ottenok_desktop.engine.turns import HistoryLine, InboundText, Reply, Turn

from .chats import mark_needs_human
from .dialogue_state import apply_turn
from .models import Chat, Message, PhotoSent
from .outbox import SendJob, claim_next, queue_part
from .prepared import Prepared

_CHAT = Prepared(lambda p: Chat.select(Chat.id, Chat.owner, Chat.phone, Chat.name).where(Chat.chat_id == p.chat_id))
_PENDING = Prepared(lambda p: Message.select(
    Message.id, Message.text, Message.content_type, Message.created_at, Message.media_url, Message.media_name,
    Message.quoted_external_id,
).where((Message.chat == p.chat) & (Message.turn_state == TurnState.PENDING)).order_by(Message.id))
_HISTORY = Prepared(lambda p: Message.select(Message.sender_kind, Message.text, Message.created_at).where(
    (Message.chat == p.chat) & (Message.id < p.before) & (Message.deleted == False)  # noqa: E712
).order_by(Message.id.desc()).limit(p.limit))
# The usual turn answers one message: that case is compiled once like the statements above.
_ANSWER_ONE = Prepared(lambda p: Message.update(turn_state=TurnState.ANSWERED).where(
    (Message.id == p.id) & (Message.turn_state == TurnState.PENDING)))
_when = Message.created_at.python_value


def load_turn(chat_id: str, now: datetime, history_limit: int = 30) -> Turn | None:
    chat = _CHAT.first(chat_id=chat_id)
    if chat is None:
        return None
    chat_pk, owner, phone, name = chat
    pending = _PENDING.all(chat=chat_pk)
    if not pending:
        return None
    if owner != Owner.BOT:
        Message.update(turn_state=TurnState.SKIPPED).where(Message.id.in_([m[0] for m in pending])).execute()
        return None
    earlier = _HISTORY.all(chat=chat_pk, before=pending[0][0], limit=history_limit)
    history = tuple(HistoryLine(kind, text, _when(at)) for kind, text, at in reversed(earlier))
    messages = tuple(InboundText(m[0], m[1], m[2], _when(m[3]), m[4], m[5], m[6]) for m in pending)
    return Turn(chat_id=chat_id, phone=phone, customer_name=name, messages=messages, history=history, now=now)


@dataclass
class CommitResult:
    committed: bool
    queued: list[tuple[int, str]] = field(default_factory=list)  # (outbox id, text or file name)
    handoff: bool = False
    reason: str = ""
    created: CreatedIds = CreatedIds()
    claimed: SendJob | None = None  # with `claim`: the chat's next item, claimed for the sender


def commit_turn(chat_id: str, message_ids: tuple[int, ...], reply: Reply, now: datetime, *,
                claim: bool = False) -> CommitResult:
    """Commit the turn (see the module's docstring). With `claim` (the sender reserved this
    chat's drain and a send slot for it: greenapi/sender.py `reserve`), the chat's next due
    outbox item — in order, so an older one waiting for a retry comes first, or none — is
    claimed in the same transaction, saving the sender a scan and a claim of its own."""
    chat_pk, owner, _, _ = _CHAT.first(chat_id=chat_id)
    pending_ids = Message.id.in_(message_ids) & (Message.turn_state == TurnState.PENDING)
    if owner != Owner.BOT:
        Message.update(turn_state=TurnState.SKIPPED).where(pending_ids).execute()
        return CommitResult(committed=False, reason="chat taken by a manager")
    if len(message_ids) == 1:
        answered = _ANSWER_ONE.count(id=message_ids[0])
    else:
        answered = Message.update(turn_state=TurnState.ANSWERED).where(pending_ids).execute()
    if answered == 0:
        return CommitResult(committed=False, reason="already answered")
    created = CreatedIds()
    plan = reply.plan
    if plan is not None and plan.writes:
        # may raise ReservationRefused: the caller's transaction then rolls all of it back
        created = CreatedIds(*apply_turn(chat_id, now, plan.ops, plan.state_json))
    queued: list[tuple[int, str]] = []
    for part in reply.parts:
        if part.photo_key:
            if PhotoSent.select().where((PhotoSent.chat == chat_pk) & (PhotoSent.photo_key == part.photo_key)).exists():
                continue
            PhotoSent.insert(chat=chat_pk, photo_key=part.photo_key, sent_at=now).execute()
        item = queue_part(
            chat_id, now, text=part.text, sender_kind=SenderKind.BOT, file_path=part.file_path, file_url=part.file_url,
            file_name=part.file_name, chat_pk=chat_pk,
        )
        queued.append((item.id, part.text or part.file_name))
    handoff = bool(reply.handoff_reason) and mark_needs_human(chat_id, reply.handoff_reason, now)
    claimed = claim_next(chat_id, now, chat=(chat_pk, owner))[0] if claim and queued else None
    return CommitResult(committed=True, queued=queued, handoff=handoff, created=created, claimed=claimed)
