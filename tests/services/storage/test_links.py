"""Linked chats on SQLite and PostgreSQL (migration 11): a partner code the customer gave on one
channel is carried to the linked chat — at link time for a code given before, and when given
later in a turn's transaction — audited, shown as «партнёр» on both; unlinking stops carrying."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.links import give_partner_code, link, unlink
from ottenok_desktop.services.storage.migrations import migrate
from ottenok_desktop.services.storage.models import AuditLog, Chat, SchemaVersion
from tests.fakes.postgres import BACKENDS

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
WA = "77015553311@c.us"
TG = "tg:5550007777"


def _customer_on_both_channels(wa_state: dict[str, Any] | None = None) -> None:
    wa = get_or_create_chat(WA, NOW, "Динара")
    if wa_state is not None:
        Chat.update(state_json=json.dumps(wa_state, ensure_ascii=False)).where(Chat.id == wa.id).execute()
    Chat.create(chat_id=TG, phone="77015553311", name="Динара", channel="telegram", created_at=NOW, updated_at=NOW)


def _codes() -> tuple[str, str]:
    return Chat.get(Chat.chat_id == WA).partner_code, Chat.get(Chat.chat_id == TG).partner_code


def _audit(action: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(a.actor, a.entity_id, json.loads(a.details_json))
            for a in AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)]


def _partner_badges() -> dict[str, bool]:
    return {row.chat_id: row.partner for row in q.chat_rows([WA, TG])}


@pytest.mark.parametrize("db_backend", BACKENDS)
def test_a_code_typed_before_the_link_is_carried_when_linking(database: Any) -> None:
    def scenario() -> None:
        # typed on WhatsApp by a version before migration 11: only the dialogue state has it
        _customer_on_both_channels({"step": "offer", "partner_code": "AB-12"})
        assert _partner_badges() == {WA: True, TG: False}
        assert link(TG, WA, "Асель", NOW + timedelta(minutes=1)) is True
        assert _codes() == ("AB-12", "AB-12")
        assert _partner_badges() == {WA: True, TG: True}
        assert _audit("partner_code_carried") == [("Асель", TG, {"code": "AB-12", "source": WA})]

    database.atomic_sync(scenario)


@pytest.mark.parametrize("db_backend", BACKENDS)
def test_a_code_given_after_the_link_reaches_both_chats_until_unlinked(database: Any) -> None:
    def scenario() -> None:
        _customer_on_both_channels()
        assert link(WA, TG, "Асель", NOW) is True
        assert _audit("partner_code_carried") == []  # nobody had given a code
        assert give_partner_code(TG, "7741", NOW + timedelta(minutes=5)) == WA
        assert _codes() == ("7741", "7741")
        assert _partner_badges()[WA] is True  # the typing chat's own state is the turn's to write
        assert _audit("partner_code_given") == [("customer", TG, {"code": "7741", "carried_to": WA})]

        assert unlink(WA, "Асель", NOW + timedelta(hours=1)) == TG
        assert _codes() == ("7741", "7741")  # what was carried stays, like the other shared facts
        assert give_partner_code(WA, "X9", NOW + timedelta(hours=2)) == ""
        assert _codes() == ("X9", "7741")  # a new code no longer crosses over
        assert _audit("partner_code_given")[-1] == ("customer", WA, {"code": "X9", "carried_to": ""})

    database.atomic_sync(scenario)


@pytest.mark.parametrize("db_backend", BACKENDS)
def test_v11_adds_the_partner_code_and_the_dismissals_to_an_older_database(database: Any) -> None:
    def back_to_v10() -> None:
        get_or_create_chat(WA, NOW, "Динара")
        database.peewee.execute_sql('ALTER TABLE "chat" DROP COLUMN "partner_code"')
        database.peewee.execute_sql('DROP TABLE "link_offer_dismissal"')
        SchemaVersion.delete().where(SchemaVersion.version >= 11).execute()

    database.call_sync(back_to_v10)
    applied = database.call_sync(lambda: migrate(database.peewee))
    assert applied[0] == 11
    assert database.call_sync(lambda: database.peewee.table_exists("link_offer_dismissal"))
    assert database.call_sync(lambda: (Chat.get(Chat.chat_id == WA).name, Chat.get(Chat.chat_id == WA).partner_code)) \
        == ("Динара", "")


@pytest.mark.parametrize("db_backend", BACKENDS)
def test_a_dismissed_offer_never_comes_back_but_linking_by_hand_stays_possible(database: Any) -> None:
    from ottenok_desktop.services.storage.links import dismiss_offer, link_info
    from ottenok_desktop.services.storage.models import LinkOfferDismissal

    later = NOW + timedelta(minutes=3)

    def scenario() -> None:
        _customer_on_both_channels()
        assert (link_info(TG).state, link_info(TG).chat_id) == ("candidate", WA)
        assert dismiss_offer(TG, WA, "Асель", later) is True
        assert dismiss_offer(WA, TG, "Айгуль", later) is False  # the pair is dismissed already, either way round
        assert dismiss_offer(WA, WA, "Асель", later) is False
        for chat_id, other in ((TG, WA), (WA, TG)):  # no offer on either chat; the card still knows the other
            info = link_info(chat_id)
            assert (info.state, info.chat_id) == ("dismissed", other)
        assert _audit("link_offer_dismissed") == [("Асель", TG, {"other": WA})]
        assert {c.chat_id: c.updated_at for c in Chat.select()} == {WA: later, TG: later}  # other seats look again

        # another Telegram chat with the same phone is a new pair: offered
        Chat.create(chat_id="tg:5550001111", phone="77015553311", name="Динара", channel="telegram",
                    created_at=later, updated_at=later + timedelta(seconds=1))
        assert (link_info(WA).state, link_info(WA).chat_id) == ("candidate", "tg:5550001111")
        Chat.delete().where(Chat.chat_id == "tg:5550001111").execute()

        # by hand (the customer card): linking supersedes the «Не связывать»
        assert link(WA, TG, "Айгуль", later + timedelta(minutes=1)) is True
        assert link_info(TG).state == "linked" and LinkOfferDismissal.select().count() == 0
        assert unlink(TG, "Айгуль", later + timedelta(minutes=2)) == WA
        assert link_info(TG).state == "candidate"

    database.atomic_sync(scenario)


async def test_a_dismissal_on_one_seat_is_seen_by_the_other(postgres_url: str) -> None:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.links import dismiss_offer, link_info

    seat_a = await Database(postgres_url, application_name="seat A").open()
    seat_b = await Database(postgres_url, application_name="seat B").open()
    try:
        await seat_a.atomic(_customer_on_both_channels)
        assert (await seat_b.call(link_info, WA)).state == "candidate"
        assert await seat_a.atomic(dismiss_offer, WA, TG, "Асель", NOW) is True
        assert (await seat_b.call(link_info, WA)).state == "dismissed"
        assert (await seat_b.call(link_info, TG)).state == "dismissed"
    finally:
        await seat_a.close()
        await seat_b.close()
