"""The Telegram channel adapter: sends outbox rows of "tg:<id>" chats through the Bot API.

Text goes as a message; a photo as a photo; two or three photos queued together for one
turn go as one album (sendMediaGroup): the first row's send claims the following photo
rows of the same turn, and all of them are recorded from the album's answer.

Errors become the engine's channel errors (engine/channels.py): 429 → retry after
`retry_after`; 5xx, an undecodable answer or no connection → retry; a timeout or a
connection dropped after the request was written → unconfirmed; 400/403 → rejected.

The rule for ambiguous sends: Telegram has no journal of what the bot sent (nothing like
GREEN-API's lastOutgoingMessages) and no idempotency key, so an unconfirmed send is never
repeated: the row fails with an "unconfirmed" reason the console shows, and a manager can
send it again by hand. At most once, never twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.channels import (
    TELEGRAM_PREFIX, OutgoingJob, RetryLater, SendRejected, SendUnconfirmed,
)
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob

from .album import Companion, claim_album, fail_companions, release_companions
from .client import TelegramApi
from .store import user_id_of

log = logging.getLogger(__name__)

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def classify(exc: Exception) -> Exception:
    """An aiogram error as the engine's channel error."""
    from aiogram.exceptions import (
        ClientDecodeError, TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter,
        TelegramServerError, TelegramUnauthorizedError,
    )

    if isinstance(exc, TelegramRetryAfter):
        return RetryLater(f"telegram 429: retry after {exc.retry_after}s", float(exc.retry_after))
    if isinstance(exc, (TelegramServerError, ClientDecodeError)):
        return RetryLater(f"telegram server error: {exc}", 1.0)
    if isinstance(exc, TelegramNetworkError):
        if exc.message.startswith(("ClientConnectorError", "ClientConnectorDNSError")):
            return RetryLater(f"telegram unreachable: {exc.message}", 2.0)
        return SendUnconfirmed(f"telegram: {exc.message}")
    if isinstance(exc, TelegramUnauthorizedError):
        return RetryLater("telegram: the bot token was rejected", 60.0)
    if isinstance(exc, (TelegramForbiddenError, TelegramBadRequest)):
        return SendRejected(f"telegram: {exc.message}")
    return SendRejected(f"telegram: {type(exc).__name__}: {exc}")


class TelegramAdapter:
    name = "telegram"
    resend_unconfirmed = False

    def __init__(self, api: TelegramApi, db: Database, bus: ev.EventBus, clock: Clock) -> None:
        self._api = api
        self._db = db
        self._bus = bus
        self._clock = clock
        self.sent_count = 0

    def handles(self, chat_id: str) -> bool:
        return chat_id.startswith(TELEGRAM_PREFIX)

    async def send(self, job: OutgoingJob) -> str:
        if not self._api.is_open:  # the sender may start before the channel has opened its client
            raise RetryLater("telegram channel not started yet", 2.0)
        from aiogram.exceptions import AiogramError

        user_id = user_id_of(job.chat_id)
        if user_id is None:
            raise SendRejected(f"not a Telegram chat id: {job.chat_id}")
        companions: list[Companion] = []
        if job.kind == "file_upload" and _is_image(job.file_path):
            companions = await self._db.atomic(claim_album, job.outbox_id, self._clock.now())
        try:
            if companions:
                return await self._send_album(user_id, job, companions)
            return str(await self._send_one(user_id, job))
        except AiogramError as exc:
            error = classify(exc)
            if companions:
                if isinstance(error, RetryLater):
                    await self._db.call(release_companions, [c.outbox_id for c in companions])
                else:
                    await self._db.call(fail_companions, [c.outbox_id for c in companions], str(error))
            raise error from exc

    async def _send_one(self, user_id: int, job: OutgoingJob) -> int:
        if job.kind == "text":
            return await self._api.send_text(user_id, job.text)
        source: Path | str = Path(job.file_path) if job.kind == "file_upload" else job.file_url
        if _is_image(job.file_path or job.file_url or job.file_name):
            return await self._api.send_photo(user_id, source, job.text)
        return await self._api.send_document(user_id, source, job.text)

    async def _send_album(self, user_id: int, job: OutgoingJob, companions: list[Companion]) -> str:
        photos = [(Path(job.file_path), job.text)] + [(Path(c.file_path), c.text) for c in companions]
        ids = await self._api.send_media_group(user_id, photos)
        now = self._clock.now()
        for companion, message_id in zip(companions, ids[1:]):
            row_id = await self._db.atomic(ob.mark_sent, companion.outbox_id, str(message_id), now)
            self._bus.publish(ev.MessageSent(job.chat_id, companion.outbox_id, row_id or 0, str(message_id)))
        self.sent_count += len(ids)
        return str(ids[0])


def _is_image(name: str) -> bool:
    return Path(name).suffix.lower() in _IMAGE_SUFFIXES
