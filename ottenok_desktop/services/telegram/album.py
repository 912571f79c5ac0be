"""Albums: the photo rows that go out together with the first one as one Telegram media group.

Sync functions for the DB thread. `claim_album` takes the next one or two photo rows of
the same chat queued in the same transaction (same created_at, consecutive, nothing else
in between) and marks them `sending` so the sender does not claim them on their own; if
the album cannot go now they are released, if it failed they fail with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ottenok_desktop.services.storage.models import Message, OutboxItem

MAX_EXTRA = 2  # albums of 2–3 photos
_IMAGES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


@dataclass(frozen=True)
class Companion:
    outbox_id: int
    file_path: str
    text: str


def claim_album(outbox_id: int, now: datetime) -> list[Companion]:
    first = OutboxItem.get_by_id(outbox_id)
    following = (OutboxItem.select().where(
        (OutboxItem.chat == first.chat_id) & (OutboxItem.id > outbox_id)
        & OutboxItem.state.in_(("pending", "sending", "unknown"))
    ).order_by(OutboxItem.id).limit(MAX_EXTRA))
    companions: list[Companion] = []
    for item in following:
        if (item.kind != "file_upload" or Path(item.file_path).suffix.lower() not in _IMAGES
                or item.created_at != first.created_at or item.state != "pending"):
            break
        companions.append(Companion(item.id, item.file_path, item.text))
    if companions:
        OutboxItem.update(state="sending", attempts=OutboxItem.attempts + 1).where(
            OutboxItem.id.in_([c.outbox_id for c in companions])).execute()
    return companions


def release_companions(outbox_ids: list[int]) -> None:
    OutboxItem.update(state="pending").where(OutboxItem.id.in_(outbox_ids) & (OutboxItem.state == "sending")).execute()


def fail_companions(outbox_ids: list[int], error: str) -> None:
    for item in OutboxItem.select().where(OutboxItem.id.in_(outbox_ids)):
        item.state = "failed"
        item.last_error = error[:500]
        item.save()
        if item.message_id:
            Message.update(status="failed", status_detail=error[:300]).where(Message.id == item.message_id).execute()
