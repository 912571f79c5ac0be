"""The customer card's small «Акции: …» label (issue 16)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
CHAT = "77011112233@c.us"


async def test_card_shows_subscribed_then_opt_out(tmp_path: Path) -> None:
    from ottenok_desktop.ui.order_card import CustomerCardBox

    db = await Database(tmp_path / "t.sqlite3").open()
    box = CustomerCardBox(SimpleNamespace(engine=SimpleNamespace(clock=ManualClock(NOW))))  # type: ignore[arg-type]
    try:
        await db.call(get_or_create_chat, CHAT, NOW, "Айгерим")
        box.show_card(await db.call(q.customer_card, CHAT))
        assert "Акции" not in box.label.text()
        await db.call(record_promo_consent, CHAT, NOW, True, "customer")
        box.show_card(await db.call(q.customer_card, CHAT))
        assert "Акции: подписан(а) 11:00 (сам(а) написал(а))" in box.label.text()
        await db.call(record_promo_consent, CHAT, NOW, False, "customer")
        box.show_card(await db.call(q.customer_card, CHAT))
        assert "Акции: отказ 11:00" in box.label.text() and "подписан" not in box.label.text()
    finally:
        box.deleteLater()
        await db.close()
