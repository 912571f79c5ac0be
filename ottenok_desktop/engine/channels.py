"""Channels: the engine's view of a customer channel that carries the outbox (WhatsApp, Telegram).

Every outgoing message is an outbox row of a chat; the chat's channel decides which
adapter sends it. The GREEN-API sender keeps its own WhatsApp rules (echo and journal
reconciliation) and hands rows of other channels to a `ChannelAdapter` found through a
`ChannelRouter`. An adapter either returns the channel's id for the sent message or
raises one of the errors below, which tell the sender what to do next:

- `RetryLater`: nothing was sent (rate limit with its wait, a 5xx, no connection);
  the sender retries after at least `after` seconds.
- `SendRejected`: the channel refused for good (bad request, the customer blocked the
  bot); the row fails, nothing is retried.
- `SendUnconfirmed`: the request may have reached the channel (a read timeout, a
  dropped connection after the request was written). What happens next is the
  adapter's `resend_unconfirmed` rule: a channel with no way to look up what was sent
  (Telegram) says False — the row is failed as unconfirmed and shown, never sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, Sequence


class ChannelError(Exception):
    """Base of what an adapter raises from `send`."""


class RetryLater(ChannelError):
    def __init__(self, reason: str, after: float = 0.0) -> None:
        super().__init__(reason)
        self.after = after


class SendRejected(ChannelError):
    pass


class SendUnconfirmed(ChannelError):
    pass


class OutgoingJob(Protocol):
    """One outbox row as the sender claimed it (storage's SendJob has this shape)."""

    @property
    def outbox_id(self) -> int: ...
    @property
    def chat_id(self) -> str: ...
    @property
    def kind(self) -> str: ...  # text | file_upload | file_url
    @property
    def text(self) -> str: ...
    @property
    def file_path(self) -> str: ...
    @property
    def file_url(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class ChannelAdapter(Protocol):
    name: str  # the Chat.channel value it serves
    resend_unconfirmed: bool  # may an unconfirmed send be tried again?

    def handles(self, chat_id: str) -> bool: ...

    async def send(self, job: OutgoingJob) -> str:
        """Send one outbox row; returns the channel's message id (raises a ChannelError)."""
        ...


class ChannelRouter:
    """The adapters of the channels other than the built-in WhatsApp one."""

    def __init__(self, adapters: Sequence[ChannelAdapter] = ()) -> None:
        self._adapters = list(adapters)

    def add(self, adapter: ChannelAdapter) -> None:
        self._adapters.append(adapter)

    def adapter_for(self, chat_id: str) -> ChannelAdapter | None:
        for adapter in self._adapters:
            if adapter.handles(chat_id):
                return adapter
        return None


TELEGRAM_PREFIX = "tg:"


def channel_of(chat_id: str) -> str:
    """The channel a chat id belongs to: "tg:<id>" is Telegram, anything else WhatsApp."""
    return "telegram" if chat_id.startswith(TELEGRAM_PREFIX) else "whatsapp"
