"""What `lastOutgoingMessages` (the instance's journal of sent messages) tells the engine.

With per-message status notifications switched off (see poller.InstanceNotifications:
each one costs two round trips in the queue every customer waits in), the console's
delivery ticks come from the journal instead: one call every half a minute, outside
the notification queue, applying each of our messages' furthest status
(sent → delivered → read, monotonically). GREEN-API says the journal may lag up to two
minutes, which is fine for ticks.

The same call shows API sends this program did not make — a second program (another
PC with its own data dir) answering on the same WhatsApp instance.

`apply_journal` runs on the DB thread (inside a transaction); nothing here talks to
the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.notifications import status_advances
from ottenok_desktop.services.storage.models import Chat, Message, OutboxItem
from ottenok_desktop.services.storage.prepared import Prepared

_OUR_MESSAGE = Prepared(lambda p: Message.select(Message.id, Message.status).join(Chat).where(
    (Message.external_id == p.external_id) & (Chat.chat_id == p.chat_id)).limit(1))
_SET_STATUS = Prepared(lambda p: Message.update(status=p.status).where(Message.id == p.id))
_IN_FLIGHT = Prepared(lambda p: OutboxItem.select(OutboxItem.id).join(Chat).where(
    (Chat.chat_id == p.chat_id) & OutboxItem.state.in_(("sending", "unknown", "pending"))
    & OutboxItem.external_id.is_null()).limit(1))

# The journal's statusMessage values that are delivery ticks (pending = not yet sent).
_TICKS = frozenset({"sent", "delivered", "read"})


@dataclass
class JournalResult:
    events: list[ev.Event] = field(default_factory=list)
    statuses_applied: int = 0
    foreign_sends: list[str] = field(default_factory=list)  # idMessage of API sends that are not ours


def apply_journal(records: Iterable[dict[str, Any]], since: float) -> JournalResult:
    """Advance our messages' ticks; list API sends (made since `since`, wall-clock seconds)
    that are not ours.

    A send of ours whose answer has not been recorded yet (in flight, timed out, or
    waiting to be reconciled) has an outbox item without an idMessage in that chat: such
    a record is not counted as foreign."""
    result = JournalResult()
    for record in records:
        external_id = record.get("idMessage")
        chat_id = record.get("chatId")
        if not isinstance(external_id, str) or not isinstance(chat_id, str):
            continue
        row = _OUR_MESSAGE.first(external_id=external_id, chat_id=chat_id)
        if row is not None:
            message_id, current = row
            status = record.get("statusMessage")
            if isinstance(status, str) and status in _TICKS and status_advances(current, status):
                _SET_STATUS.execute(status=status, id=message_id)
                result.statuses_applied += 1
                result.events.append(ev.StatusChanged(chat_id, external_id, status))
            continue
        if record.get("sendByApi") is not True:
            continue  # typed on the shop phone: its notification brings it
        stamp = record.get("timestamp")
        if not isinstance(stamp, (int, float)) or stamp < int(since) - 1:  # whole seconds
            continue  # from before this program started watching
        if _IN_FLIGHT.first(chat_id=chat_id) is not None:
            continue  # may be our own send whose answer is still on its way
        result.foreign_sends.append(external_id)
    return result
