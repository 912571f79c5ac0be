"""What a conversation turn is: the contract between the dispatcher and a responder.

The dispatcher collects a chat's unanswered customer messages into one `Turn`, asks the
`Responder` for a `Reply`, and — only if the bot still owns the chat at that moment —
commits in ONE transaction everything the turn decided (`Reply.plan`: order, holds,
tickets, dialogue state, audit), the reply's outbox rows and the messages marked
answered. The responder decides; it never writes and never sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .dialogue.plan import TurnPlan


@dataclass(frozen=True)
class InboundText:
    message_id: int  # Message row id
    text: str
    content_type: str  # text | image | video | document | audio | sticker | location | contact | poll | ...
    at: datetime
    media_url: str = ""
    media_name: str = ""
    quoted_external_id: str | None = None


@dataclass(frozen=True)
class HistoryLine:
    sender_kind: str  # customer | bot | manager_app | manager_phone | system
    text: str
    at: datetime


@dataclass(frozen=True)
class Turn:
    chat_id: str  # "77011234567@c.us"
    phone: str
    customer_name: str
    messages: tuple[InboundText, ...]  # oldest first; several quick messages become one turn
    history: tuple[HistoryLine, ...] = ()  # earlier conversation, oldest first, without `messages`
    now: datetime | None = None

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages if m.text)


@dataclass(frozen=True)
class OutgoingPart:
    """One message to send: text, or a file (local path or URL) with an optional caption."""

    text: str = ""
    file_path: Path | None = None
    file_url: str = ""
    file_name: str = ""
    photo_key: str = ""  # identifies a product photo, so none is sent twice to one customer

    @property
    def kind(self) -> str:
        if self.file_path is not None:
            return "file_upload"
        if self.file_url:
            return "file_url"
        return "text"


@dataclass(frozen=True)
class Reply:
    parts: tuple[OutgoingPart, ...] = ()
    handoff_reason: str = ""  # non-empty: the chat needs a human (the engine marks it and alerts)
    draft: str = ""  # what the bot would say, kept for a manager who takes over
    notes: tuple[str, ...] = field(default=())  # for logs / guard reports
    plan: "TurnPlan | None" = None  # the turn's writes and events, committed with the reply or not at all


class Responder(Protocol):
    async def respond(self, turn: Turn) -> Reply: ...
