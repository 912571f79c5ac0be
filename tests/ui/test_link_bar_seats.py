"""«Не связывать» on one seat hides the link offer on the other (real PostgreSQL, two seats):
seat B's console has the Telegram chat open with the offer; a manager on seat A dismisses it;
seat B's strip goes away (LiveSync: the audit row and both chats touched) and its customer card
offers linking by hand."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.engine.commands import Commands
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.models import Chat
from ottenok_desktop.services.storage.store import DbUnitOfWork
from tests.fakes.responders import EchoResponder

from .conftest import open_console, seat_b_settings, wait_until

WA = "77015552244@c.us"
TG = "tg:5550002244"


def _one_customer_on_two_channels() -> None:
    now = datetime.now(timezone.utc)
    get_or_create_chat(WA, now, "Алия")
    Chat.create(chat_id=TG, phone="77015552244", name="Алия", channel="telegram", created_at=now, updated_at=now)


async def test_a_dismissal_on_seat_a_hides_the_offer_on_seat_b(tmp_path: Path, postgres_url: str) -> None:
    seat_a = await Database(postgres_url, application_name="seat A").open()
    commands_a = Commands(DbUnitOfWork(seat_a), ev.EventBus(), ManualClock(datetime.now(timezone.utc)))
    try:
        async with open_console(seat_b_settings(tmp_path, postgres_url), EchoResponder(), lead=False) as console:
            await seat_a.atomic(_one_customer_on_two_channels)
            window = console.window
            bar, card_row = window.chat_panel.link_bar, window.right_panel.customer.link_row
            window.open_chat(TG)
            await wait_until(lambda: bar.chat_id == TG and bar.isVisible(), what="the offer on seat B")

            assert await commands_a.dismiss_link_offer(WA, TG, "Асель (касса)")  # on the other PC
            await wait_until(lambda: not bar.isVisible() and card_row.isVisible(), what="the offer gone on seat B")
            assert card_row.label.text().startswith("Есть и в WhatsApp: Алия")
    finally:
        await seat_a.close()
