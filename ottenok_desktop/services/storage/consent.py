"""Consent to promotions (issue 16), sync for the DB thread.

A customer (or a manager in the customer card) opts in; an opt-out — "не присылайте акции",
"стоп", any follow-up opt-out (Chat.opted_out) — wins for good: a later opt-in is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .models import Chat


def record_promo_consent(chat_id: str, now: datetime, opt_in: bool, source: str) -> bool:
    """Record an opt-in or an opt-out with its time and source; False when nothing changed
    (already in that state, or an opt-in after an opt-out)."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return False
    if opt_in:
        if chat.opted_out or chat.promo_opt_out_at is not None or chat.promo_opt_in_at is not None:
            return False
        changes: dict[Any, Any] = {Chat.promo_opt_in_at: now, Chat.promo_opt_in_source: source[:64]}
    else:
        if chat.promo_opt_out_at is not None:
            return False
        changes = {Chat.promo_opt_out_at: now, Chat.promo_opt_out_source: source[:64]}
    return bool(Chat.update(changes).where(Chat.id == chat.id).execute())
