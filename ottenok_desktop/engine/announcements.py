"""Announcements of promotions as rules (issue 16): what may be announced, the pace, the
working-hours wait, when a failing send pauses the announcement, and the results' shape.

Pure: no database, no clock reads (callers pass the time and a random generator). The
durable process — the announcement's rows, the pacer that queues one chat at a time into
the outbox — is `services/storage/announcements.py` and `services/announcements.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

from ottenok_desktop.settings import WorkHours

from . import texts
from .followups.rules import is_work_time, next_allowed
from .promotions import Promotion

MAX_PHOTOS = 3
ANNOUNCEMENT_SENDER = "announcement"  # the outbox rows' sender_name: sent as the bot, not an answer
MAX_TEXT = 4000  # WhatsApp takes far more; an announcement longer than this is a mistake

# why an announcement was paused (shown in Russian by the console: ui/strings.py)
PAUSE_MANAGER = "manager"
PAUSE_FAILURES = "failures"

# a recipient's send as the failure check sees it
OUTCOME_SENT = "sent"
OUTCOME_FAILED = "failed"  # failed for good, or being retried after an error
OUTCOME_PENDING = "pending"  # not tried yet: says nothing


class AnnouncementError(ValueError):
    """An announcement that cannot be composed; `code` names the reason (texts in the views)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Pacing:
    """One chat every `min_seconds`..`max_seconds` shop seconds (uniform jitter); a run of
    `max_failures` failing recipients pauses the announcement."""

    min_seconds: float = 4.0
    max_seconds: float = 8.0
    max_failures: int = 3

    def next_delay(self, rng: random.Random) -> float:
        low, high = sorted((self.min_seconds, self.max_seconds))
        return rng.uniform(low, high)


def check_composition(text: str, photos: Sequence[Path]) -> tuple[str, tuple[Path, ...]]:
    """The text (stripped) and photos an announcement may carry; raises AnnouncementError."""
    clean = text.strip()
    if not clean:
        raise AnnouncementError("empty_text", "the announcement has no text")
    if len(clean) > MAX_TEXT:
        raise AnnouncementError("text_too_long", f"the text is longer than {MAX_TEXT} characters")
    if len(photos) > MAX_PHOTOS:
        raise AnnouncementError("too_many_photos", f"at most {MAX_PHOTOS} photos")
    return clean, tuple(photos)


def draft_text(promo: Promotion) -> str:
    """The announcement's text prefilled from its promotion (the manager edits it freely)."""
    discount = promo.discount_text()
    offer = (texts.ANNOUNCEMENT_OFFER_FIXED.format(price=discount) if promo.fixed_price is not None
             else texts.ANNOUNCEMENT_OFFER_PERCENT.format(percent=discount))
    text = texts.ANNOUNCEMENT_DRAFT.format(title=promo.title.strip(), description=promo.description.strip(),
                                           offer=offer, start=promo.start.strftime("%d.%m"),
                                           end=promo.end.strftime("%d.%m.%Y"))
    return text.replace("! \n", "!\n")


def seconds_until_open(local_now: datetime, hours: WorkHours) -> float:
    """0 inside working hours; otherwise the shop seconds to the next opening."""
    if is_work_time(local_now, hours):
        return 0.0
    return max(0.0, (next_allowed(local_now, hours) - local_now).total_seconds())


def should_pause(outcomes_newest_first: Sequence[str], max_failures: int) -> bool:
    """Pause when the last `max_failures` recipients whose send has an outcome all failed
    (recipients not tried yet are skipped: they say nothing either way)."""
    known = [o for o in outcomes_newest_first if o != OUTCOME_PENDING][:max_failures]
    return max_failures > 0 and len(known) == max_failures and all(o == OUTCOME_FAILED for o in known)


@dataclass(frozen=True)
class AnnouncementResults:
    """What an announcement achieved: recipients queued, sent, delivered (or read), read,
    customers who wrote within 24 h of the send, and confirmed orders within 7 days."""

    announcement_id: int
    recipients: int
    queued: int
    sent: int
    delivered: int
    read: int
    replied_24h: int
    orders_7d: int
    failed: int = 0
    skipped: int = 0

    def as_json(self) -> dict[str, int]:
        return {"announcement": self.announcement_id, "recipients": self.recipients, "queued": self.queued,
                "sent": self.sent, "delivered": self.delivered, "read": self.read, "replied_24h": self.replied_24h,
                "orders_7d": self.orders_7d, "failed": self.failed, "skipped": self.skipped}
