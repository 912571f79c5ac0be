"""Consent to promotions in SQLite (migration v6): opt-in and opt-out with time and source,
an opt-out wins for good, and the customer card shows it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.services.storage.nudges import set_opted_out

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
CHAT = "77011112233@c.us"


async def test_opt_in_then_out_and_never_back(tmp_path: Path) -> None:
    db = await Database(tmp_path / "t.sqlite3").open()
    try:
        await db.call(get_or_create_chat, CHAT, NOW, "Айгерим")
        assert (await db.call(q.customer_card, CHAT)).promo_consent == ""
        assert await db.call(record_promo_consent, CHAT, NOW, True, "customer") is True
        assert await db.call(record_promo_consent, CHAT, NOW, True, "customer") is False  # already
        card = await db.call(q.customer_card, CHAT)
        assert (card.promo_consent, card.promo_consent_at, card.promo_consent_source) == ("subscribed", NOW, "customer")
        later = NOW + timedelta(days=2)
        assert await db.call(record_promo_consent, CHAT, later, False, "customer") is True
        assert await db.call(record_promo_consent, CHAT, later + timedelta(days=1), True, "manager:Айгуль") is False
        card = await db.call(q.customer_card, CHAT)
        assert (card.promo_consent, card.promo_consent_at) == ("opted_out", later)
    finally:
        await db.close()


async def test_the_follow_up_opt_out_also_blocks_consent(tmp_path: Path) -> None:
    db = await Database(tmp_path / "t.sqlite3").open()
    try:
        await db.call(get_or_create_chat, CHAT, NOW, "Айгерим")
        assert await db.call(set_opted_out, CHAT, NOW)
        assert await db.call(record_promo_consent, CHAT, NOW, True, "customer") is False
        assert (await db.call(q.customer_card, CHAT)).promo_consent == "opted_out"
    finally:
        await db.close()


async def test_a_v5_database_gets_the_consent_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = await Database(path).open()
    await db.call(get_or_create_chat, CHAT, NOW, "Айгерим")
    await db.close()
    with sqlite3.connect(path) as raw:  # back to the v5 schema: no consent columns, version 5
        for column in ("promo_opt_in_at", "promo_opt_in_source", "promo_opt_out_at", "promo_opt_out_source"):
            raw.execute(f'ALTER TABLE chat DROP COLUMN "{column}"')
        raw.execute("DELETE FROM schema_version WHERE version >= 6")  # later migrations run again too
    db = await Database(path).open()
    try:
        assert await db.call(record_promo_consent, CHAT, NOW, True, "customer") is True
        assert (await db.call(q.customer_card, CHAT)).name == "Айгерим"
    finally:
        await db.close()
