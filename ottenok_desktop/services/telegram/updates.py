"""What each stored Telegram update means, and who handles it.

- A private message from an operator (TELEGRAM_OPERATOR_IDS, or a member of the
  operators' group) → the operators' desk (operators.py).
- Any other private message → a customer message on the chat "tg:<id>" (store.py); the
  dispatcher gets the turn, the sender the /start greeting.
- A button press → the operators' desk.
- Group messages and anything else → ignored (customers are served in private chats only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Protocol

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.services.storage import Database

from .client import TelegramApi
from .store import Applied, apply_customer_message, mark_update

log = logging.getLogger(__name__)


class OperatorDesk(Protocol):
    async def is_operator(self, user_id: int) -> bool: ...
    async def on_operator_message(self, update_id: int, message: dict[str, Any]) -> None: ...
    async def on_callback(self, update_id: int, query: dict[str, Any]) -> None: ...


class TelegramUpdates:
    def __init__(self, db: Database, bus: ev.EventBus, clock: Clock, *, on_customer: Callable[[Applied], None],
                 operators: OperatorDesk | None = None, api: TelegramApi | None = None,
                 media_dir: Path | None = None) -> None:
        self._api = api
        self.media_dir = media_dir
        self._db = db
        self._bus = bus
        self._clock = clock
        self._on_customer = on_customer
        self.operators = operators

    async def handle(self, update_id: int, update: dict[str, Any]) -> None:
        message = update.get("message")
        if isinstance(message, dict):
            chat = message.get("chat") or {}
            if chat.get("type") != "private":
                await self._db.call(mark_update, update_id, "ignored", f"{chat.get('type')} chat")
                return
            sender = message.get("from") or {}
            if self.operators is not None and await self.operators.is_operator(int(sender.get("id", 0))):
                await self.operators.on_operator_message(update_id, message)
                return
            await fetch_photo(self._api, self.media_dir, message)
            applied = await self._db.atomic(apply_customer_message, update_id, message, self._clock.now())
            for event in applied.events:
                self._bus.publish(event)
            if not applied.duplicate:
                self._on_customer(applied)
            return
        query = update.get("callback_query")
        if isinstance(query, dict) and self.operators is not None:
            await self.operators.on_callback(update_id, query)
            return
        await self._db.call(mark_update, update_id, "ignored", "not a private message or a button press")


async def fetch_photo(api: TelegramApi | None, media_dir: Path | None, message: dict[str, Any]) -> Path | None:
    """Download a message's photo (largest size) into `media_dir`; the local path is kept in
    the message as "_local_media" (the console and the photo matcher read local files).
    A failed download leaves the Telegram file reference: nothing is lost, only not shown."""
    photos = message.get("photo") or []
    if api is None or media_dir is None or not photos:
        return None
    file_id = str(photos[-1].get("file_id", ""))
    target = media_dir / f"{message['chat']['id']}_{message['message_id']}.jpg"
    try:
        if not target.exists():
            await api.download(file_id, target)
    except Exception as exc:
        log.warning("telegram photo not downloaded: %s", type(exc).__name__)
        return None
    message["_local_media"] = str(target)
    return target
