"""Every state machine's states, one `StrEnum` each, in one place.

Storage keeps the plain string values (a `StrEnum` member *is* its value), so rows
written before these enums existed read back unchanged. Import the enum, never spell a
state as a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Owner(StrEnum):
    """Who answers a chat."""

    BOT = "bot"
    MANAGER = "manager"


class OrderState(StrEnum):
    """draft ─▶ ready ─▶ confirmed; draft | ready ─▶ cancelled (engine/dialogue/state.py)."""

    DRAFT = "draft"
    READY = "ready"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


OPEN_ORDER_STATES: tuple[OrderState, ...] = (OrderState.DRAFT, OrderState.READY)


class TicketStatus(StrEnum):
    """WAITING ─▶ ASSIGNED (a manager took it) ─▶ CLOSED."""

    WAITING = "WAITING"
    ASSIGNED = "ASSIGNED"
    CLOSED = "CLOSED"


OPEN_TICKET_STATUSES: tuple[TicketStatus, ...] = (TicketStatus.WAITING, TicketStatus.ASSIGNED)


class TicketKind(StrEnum):
    WARRANTY = "warranty"
    RETURN = "return"
    OTHER = "other"
    HANDOFF = "handoff"  # the bot handed the chat to a person and no other ticket was open


class NudgeState(StrEnum):
    """scheduled ─▶ sending ─▶ sent; scheduled ─▶ cancelled."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class TurnState(StrEnum):
    """A customer message: waiting for the bot, answered in a turn, or left to a human."""

    PENDING = "pending"
    ANSWERED = "answered"
    SKIPPED = "skipped"


class SenderKind(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    MANAGER_APP = "manager_app"  # typed in the console
    MANAGER_PHONE = "manager_phone"  # typed on the shop's phone
    MANAGER_TELEGRAM = "manager_tg"  # an operator answering from Telegram
    SYSTEM = "system"


class ReplyClass(StrEnum):
    """What a customer's reply means for follow-ups (engine/followups/classify.py)."""

    THINK = "think"  # "подумаю": keep the second nudge
    OPT_OUT = "opt_out"  # "не пишите мне": never again
    REAL = "real"  # anything else: the conversation goes on


class AnnouncementState(StrEnum):
    """An announcement of a promotion (issue 16): draft ─▶ sending ⇄ paused ─▶ done;
    draft | sending | paused ─▶ cancelled."""

    DRAFT = "draft"
    SENDING = "sending"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_ANNOUNCEMENT_STATES: tuple[AnnouncementState, ...] = (
    AnnouncementState.DRAFT, AnnouncementState.SENDING, AnnouncementState.PAUSED)


class RecipientState(StrEnum):
    """One chat of an announcement: waiting for its turn ─▶ queued into the outbox (once);
    waiting ─▶ skipped (the customer opted out or a ticket opened meanwhile)."""

    WAITING = "waiting"
    QUEUED = "queued"
    SKIPPED = "skipped"
