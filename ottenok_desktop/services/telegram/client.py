"""The Bot API client: aiogram's `Bot` pointed at `{TELEGRAM_API_URL}/bot{token}/{method}`.

aiogram does the HTTP, the request encoding (uploads, inline keyboards) and the answer
models; this wrapper gives the program the few calls it needs with plain values in and
out (chat ids, message ids, raw update dicts for the inbox) so no aiogram type leaks into
the rest of the program. aiogram's own polling loop and its in-memory offset are not used:
the poller asks `get_updates` itself and keeps the offset in the database.
Errors are aiogram's (`aiogram.exceptions`): see `outbound.classify` for what each means.

Importing aiogram is slow (it builds a pydantic schema for every Bot API type: measured
17–33 s on a loaded 2-core machine where pydantic + aiohttp alone take 2 s), so `open()`
imports it on a worker thread and the loop never waits for it; call `open()` first.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ottenok_desktop.settings import Secret


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # callback data, at most 64 bytes


_AIOGRAM_MODULES = ("aiogram", "aiogram.types", "aiogram.exceptions", "aiogram.client.session.aiohttp",
                    "aiogram.client.telegram")


async def import_aiogram() -> None:
    """Import aiogram off the loop (slow: see the module docstring); cheap once done."""
    await asyncio.to_thread(lambda: [importlib.import_module(m) for m in _AIOGRAM_MODULES])


class TelegramApi:
    def __init__(self, api_url: str, token: Secret, *, request_timeout: float = 30.0) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.request_timeout = request_timeout
        self._bot_instance: Any = None

    async def open(self) -> "TelegramApi":
        if self._bot_instance is None:
            await import_aiogram()
            from aiogram import Bot
            from aiogram.client.session.aiohttp import AiohttpSession
            from aiogram.client.telegram import TelegramAPIServer

            session = AiohttpSession(api=TelegramAPIServer.from_base(self.api_url), timeout=self.request_timeout)
            self._bot_instance = Bot(self._token.reveal(), session=session)
        return self

    @property
    def is_open(self) -> bool:
        return self._bot_instance is not None

    @property
    def _bot(self) -> Any:
        if self._bot_instance is None:
            raise RuntimeError("TelegramApi.open() was not awaited")
        return self._bot_instance

    async def aclose(self) -> None:
        """Close the HTTP session; calls after this fail (the adapter then keeps rows queued)."""
        bot, self._bot_instance = self._bot_instance, None
        if bot is not None:
            await bot.session.close()

    # ---- reading ---------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        me = await self._bot.get_me()
        return me.model_dump(mode="json", exclude_none=True, by_alias=True)

    async def delete_webhook(self) -> None:
        await self._bot.delete_webhook(drop_pending_updates=False)

    async def get_updates(self, offset: int, timeout: int, limit: int = 100) -> list[dict[str, Any]]:
        """One long poll; the updates as plain JSON dicts (what the inbox stores)."""
        updates = await self._bot.get_updates(
            offset=offset or None, timeout=timeout, limit=limit, allowed_updates=["message", "callback_query"],
            request_timeout=int(timeout + 10),
        )
        return [u.model_dump(mode="json", exclude_none=True, by_alias=True) for u in updates]

    async def member_status(self, chat_id: int, user_id: int) -> str:
        member = await self._bot.get_chat_member(chat_id, user_id)
        return str(member.status.value if hasattr(member.status, "value") else member.status)


    async def download(self, file_id: str, destination: Path) -> Path:
        """Fetch a file a user sent (getFile, then the file host) into `destination`."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        await self._bot.download(file_id, destination=destination, timeout=int(self.request_timeout))
        return destination

    # ---- sending -------------------------------------------------------------------------
    async def send_text(self, chat_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> int:
        message = await self._bot.send_message(chat_id, text, reply_markup=_keyboard(buttons))
        return message.message_id

    async def send_photo(self, chat_id: int, photo: Path | str, caption: str = "") -> int:
        message = await self._bot.send_photo(chat_id, _input_file(photo), caption=caption or None)
        return message.message_id

    async def send_photo_bytes(self, chat_id: int, content: bytes, file_name: str, caption: str = "") -> int:
        from aiogram.types import BufferedInputFile

        message = await self._bot.send_photo(chat_id, BufferedInputFile(content, file_name), caption=caption or None)
        return message.message_id

    async def send_document(self, chat_id: int, document: Path | str, caption: str = "") -> int:
        message = await self._bot.send_document(chat_id, _input_file(document), caption=caption or None)
        return message.message_id

    async def send_file(self, chat_id: int, kind: str, source: Path | str | bytes, file_name: str = "",
                        caption: str = "") -> int:
        """sendPhoto / sendVoice / sendDocument (`kind` photo | voice | document); the source is a
        local file, a file_id or URL (Telegram fetches it), or bytes uploaded as `file_name`."""
        senders = {"photo": self._bot.send_photo, "voice": self._bot.send_voice, "document": self._bot.send_document}
        if isinstance(source, bytes):
            from aiogram.types import BufferedInputFile

            media: Any = BufferedInputFile(source, file_name or "file")
        else:
            media = _input_file(source)
        message = await senders[kind](chat_id, media, caption=caption or None)
        return message.message_id

    async def send_media_group(self, chat_id: int, photos: Sequence[tuple[Path | str, str]]) -> list[int]:
        """2–10 photos as one album; a caption per photo (empty: none)."""
        from aiogram.types import InputMediaPhoto

        media = [InputMediaPhoto(media=_input_file(p), caption=c or None) for p, c in photos]
        messages = await self._bot.send_media_group(chat_id, media)
        return [m.message_id for m in messages]

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> None:
        await self._bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                          reply_markup=_keyboard(buttons))

    async def answer_callback(self, callback_id: str, text: str, *, alert: bool = False) -> None:
        await self._bot.answer_callback_query(callback_id, text=text, show_alert=alert)


def _keyboard(buttons: Sequence[Sequence[Button]]) -> Any:
    if not buttons:
        return None
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b.text, callback_data=b.data) for b in row] for row in buttons
    ])


def _input_file(photo: Path | str) -> Any:
    if isinstance(photo, Path):
        from aiogram.types import FSInputFile

        return FSInputFile(photo, filename=photo.name)
    return photo  # a URL or a file_id: Telegram fetches it
