"""A customer's message forwarded to Telegram operators: the words, or the media itself.

A photo / voice note / document goes as sendPhoto / sendVoice / sendDocument with the words
as its caption: a Telegram customer's file by its file_id (Telegram re-sends it, nothing is
downloaded), a file already downloaded into the media folder from disk, a WhatsApp
customer's file downloaded from its GREEN-API downloadUrl (size-capped, `MAX_BYTES`) and
uploaded. A voice note Telegram refuses as a voice (the operator's privacy settings) goes
as a document. When the media cannot be fetched or sent, the words go as text with a clear
note — the message is never lost (and the console has it in full).

Messages to operators are sent directly (429 and 5xx retried a few times), not through the
customers' outbox: they are copies of what the console already stores.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Awaitable, Callable, TypeVar
from urllib.parse import unquote, urlsplit

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.channels import RetryLater, SendRejected
from ottenok_desktop.engine.media import MediaError, MediaFetcher
from ottenok_desktop.services.storage.models import Message

from .client import TelegramApi
from .outbound import classify

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # what a bot may upload as a document is 50 MB; customers' files are far smaller
TG_FILE = "tg-file:"
KIND_OF_CONTENT = {"image": "photo", "audio": "voice", "document": "document", "video": "document"}
_CAPTION_LIMIT = 1024
T = TypeVar("T")


@dataclass(frozen=True)
class Inbound:
    """A stored customer message, as much of it as a forward needs."""

    text: str
    content_type: str
    media_url: str = ""
    media_name: str = ""

    @property
    def words(self) -> str:
        """The customer's own words (a media placeholder's line dropped), or the placeholder."""
        placeholder = texts.MEDIA_PLACEHOLDERS.get(self.content_type, "")
        lines = self.text.splitlines()
        if lines and placeholder and lines[0].startswith(placeholder):
            lines = lines[1:]
        return "\n".join(lines).strip() or placeholder or self.text

    @property
    def has_media(self) -> bool:
        return self.content_type in KIND_OF_CONTENT and bool(self.media_url)


def load_inbound(message_id: int) -> Inbound | None:
    """DB thread: the stored message (None when it is gone)."""
    row = Message.get_or_none(Message.id == message_id)
    if row is None:
        return None
    return Inbound(row.text or "", row.content_type or "text", row.media_url or "", row.media_name or "")


async def retrying(call: Callable[[], Awaitable[T]], attempts: int = 4) -> T:
    """`call()` with Telegram's 429 (`retry_after`) and 5xx retried; the last error is raised."""
    for attempt in range(attempts):
        try:
            return await call()
        except Exception as exc:
            error = classify(exc)
            if not isinstance(error, RetryLater) or attempt == attempts - 1:
                raise
            await asyncio.sleep(max(error.after, 0.5 * 2 ** attempt))
    raise AssertionError("unreachable")


class Forwarder:
    def __init__(self, api: TelegramApi, fetcher: MediaFetcher | None) -> None:
        self._api = api
        self._fetcher = fetcher

    async def text(self, chat_id: int, text: str) -> bool:
        try:
            await retrying(lambda: self._api.send_text(chat_id, text))
            return True
        except Exception as exc:
            log.warning("telegram message to %s not sent: %s", chat_id, classify(exc))
            return False

    async def message(self, chat_id: int, line: str, inbound: Inbound) -> bool:
        """`line` is the caption (who wrote, their words); the media itself when there is one."""
        if not inbound.has_media:
            return await self.text(chat_id, line)
        kind = KIND_OF_CONTENT[inbound.content_type]
        try:
            source, name = await self._source(inbound)
        except (MediaError, OSError) as exc:
            log.warning("customer's %s not fetched for the operator: %s", kind, exc)
            return await self.text(chat_id, texts.TG_MEDIA_NOT_FORWARDED.format(line=line))
        caption = line[:_CAPTION_LIMIT]
        for method in (kind, "document") if kind != "document" else (kind,):
            try:
                await retrying(partial(self._api.send_file, chat_id, method, source, name, caption))
                return True
            except Exception as exc:
                error = classify(exc)
                log.warning("customer's %s not sent to %s as %s: %s", kind, chat_id, method, error)
                if not isinstance(error, SendRejected):  # it may have gone out: never send it twice
                    break
                # refused (e.g. VOICE_MESSAGES_FORBIDDEN): try it as a document
        return await self.text(chat_id, texts.TG_MEDIA_NOT_FORWARDED.format(line=line))

    async def _source(self, inbound: Inbound) -> tuple[Path | str | bytes, str]:
        url = inbound.media_url
        if url.startswith(TG_FILE):
            return url[len(TG_FILE):], inbound.media_name
        if url.startswith(("http://", "https://")):
            if self._fetcher is None:
                raise MediaError("no downloader")
            name = inbound.media_name or unquote(Path(urlsplit(url).path).name) or "file"
            return await self._fetcher.fetch(url), name
        path = Path(url)
        if not path.is_file():
            raise MediaError(f"the local copy {path.name} is missing")
        return path, path.name
