"""A partner asking for a specialist opens a ticket marked partner (the predecessor's "appeals"):
stored with the turn, first among the waiting tickets in the console's queue, «партнёр» in the
tickets tab (tests/ui/test_partner_tickets_tab.py) and on the Telegram operators' card. Real shop, real partners.xlsx, SQLite.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine import texts
from ottenok_desktop.services.storage import queries as q

from .shop import Shop, close_shop, open_partner_shop, open_shop

PHONE = "77011234567"
PARTNER_PHONE = "77015550102"  # Динара (стилист)


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_partner_shop(tmp_path)
    yield opened
    await close_shop(opened)


async def _tickets(shop: Shop) -> list[dict[str, Any]]:
    from ottenok_desktop.services.storage import tickets

    return await shop.db.call(tickets.list_tickets)


async def test_partner_by_phone_asking_for_a_specialist_gets_a_partner_ticket_first_in_queue(shop: Shop) -> None:
    await shop.say(PHONE, "Здравствуйте, позовите менеджера пожалуйста")  # an ordinary customer, earlier
    reply = await shop.say(PARTNER_PHONE, "Добрый день, соедините со специалистом")  # the partner's first words
    assert reply.handoff_reason
    by_phone = {t["phone"]: t for t in await _tickets(shop)}
    assert by_phone[PARTNER_PHONE]["partner"] is True and by_phone[PHONE]["partner"] is False
    assert by_phone[PARTNER_PHONE]["details"]["partner_code"] == "7741"
    queue = await shop.db.call(q.tickets)
    assert [(t.chat_id, t.partner) for t in queue] == [(f"{PARTNER_PHONE}@c.us", True), (f"{PHONE}@c.us", False)]


async def test_partner_by_typed_code_asking_for_the_wholesale_manager(shop: Shop) -> None:
    phone = "77019990011"
    await shop.say(phone, "Здравствуйте, мой код партнёра AB-12")
    await shop.say(phone, "нужен менеджер по опту")
    (ticket,) = await _tickets(shop)
    assert ticket["partner"] is True and ticket["details"]["partner_code"] == "AB-12"


async def test_a_wrong_code_does_not_make_a_partner_ticket(shop: Shop) -> None:
    phone = "77017771122"
    await shop.say(phone, "мой код партнёра 1111")
    await shop.say(phone, "соедините со специалистом")
    (ticket,) = await _tickets(shop)
    assert ticket["partner"] is False and "partner_code" not in ticket["details"]


async def test_an_assigned_partner_ticket_no_longer_jumps_the_queue(shop: Shop) -> None:
    await shop.say(PARTNER_PHONE, "соедините со специалистом")
    await shop.say(PHONE, "позовите менеджера")
    partner_ticket = next(t for t in await _tickets(shop) if t["partner"])
    assert (await shop.commands.take_ticket(int(partner_ticket["id"]), "Айгуль")).won
    queue = await shop.db.call(q.tickets)
    assert [t.status for t in queue] == ["ASSIGNED", "WAITING"]  # by age again: the partner is being served
    assert await shop.db.call(q.tickets, ("WAITING",)) == [t for t in queue if t.status == "WAITING"]


async def test_telegram_card_names_the_partner(shop: Shop) -> None:
    from ottenok_desktop.services.telegram.cards import begin_card

    await shop.say(PARTNER_PHONE, "соедините со специалистом")
    await shop.say(PHONE, "позовите менеджера")
    cards = {t["phone"]: await shop.db.call(begin_card, int(t["id"]), -100500, shop.clock.now())
             for t in await _tickets(shop)}
    assert texts.TG_PARTNER_MARK in cards[PARTNER_PHONE].text  # type: ignore[union-attr]
    assert texts.TG_PARTNER_MARK not in cards[PHONE].text  # type: ignore[union-attr]


async def test_a_partner_taken_out_of_the_file_is_no_longer_one(tmp_path: Path) -> None:
    import os

    from ottenok_desktop.services.partners.loader import PartnersFile
    from ottenok_desktop.services.promotions.loader import WatchedFile
    from tests.services.partners.test_loader import ROWS, write_partners

    path = write_partners(tmp_path / "partners.xlsx", ROWS)
    opened = await open_shop(tmp_path, partners=WatchedFile(PartnersFile(path), ThreadPoolExecutor(max_workers=1),
                                                            check_seconds=0.0))
    try:
        phone = "77019990011"
        await opened.say(phone, "Здравствуйте, мой код партнёра AB-12")
        write_partners(path, [row for row in ROWS if row[0] != "AB-12"])
        stat = path.stat()
        os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # a later save, whatever the file system's clock
        await opened.say(phone, "соедините со специалистом")
        (ticket,) = await _tickets(opened)
        assert ticket["partner"] is False
    finally:
        await close_shop(opened)
