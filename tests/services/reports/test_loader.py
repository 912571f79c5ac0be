"""A day's report from a real SQLite database: the window around the period, system
messages, unnamed managers, chats that began earlier, orders, tickets and hand-offs."""

from __future__ import annotations

from datetime import date

from ottenok_desktop.engine.analytics import advice as A
from ottenok_desktop.engine.analytics.compute import build_report
from ottenok_desktop.engine.analytics.model import MessageColumns, period_for
from ottenok_desktop.services.reports.loader import load_period
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.migrations import LATEST_VERSION
from ottenok_desktop.settings import WorkHours

from .shop_db import ALMATY, fill


def test_day_report_from_the_database(database: Database) -> None:
    fill(database)
    report_input = database.call_sync(load_period, period_for("day", date(2026, 11, 24), ALMATY))
    assert isinstance(report_input.messages, MessageColumns)
    assert set(report_input.chats) == {"77011110001@c.us", "77011110002@c.us", "77011110003@c.us"}
    assert report_input.earlier_customer == {"77011110002@c.us"}
    assert len(report_input.messages) == 9  # the system line is left out; the 26th is outside the window
    assert len(report_input.tickets) == 1 and len(report_input.handoffs) == 1
    assert set(report_input.converted) == {"77011110001@c.us"}

    r = build_report(report_input, WorkHours(9, 19))
    assert [x.name for x in r.responders] == ["Бот", "Асель", "Менеджер"]
    bot, asel, unnamed = r.responders
    assert (bot.first_response.count, bot.first_response.median) == (1, 120.0)
    assert (asel.reply.count, asel.reply.median) == (1, 1200.0)
    assert (unnamed.reply.count, unnamed.reply.median) == (1, 900.0)  # 18:50 → 09:05: 10 + 5 working minutes
    assert unnamed.chats == 0  # it wrote on the 25th
    assert r.overall.first_response.count == 1  # Айгерим; Мадина got none; Дана began on the 20th
    assert r.overall.unanswered_inbound == 1
    assert (r.overall.customer_chats, r.overall.answered_chats) == (3, 2)
    assert (r.overall.converted_chats, r.handoffs, r.tickets) == (1, 1, 1)
    advice = {c.key: c.advice for c in r.chats}
    assert advice["77011110003@c.us"] == [A.NO_REPLY, A.NO_NEXT_STEP]
    # no first response of the period (she began on the 20th); «осталась?» got no next step
    assert advice["77011110002@c.us"] == [A.NO_NEXT_STEP]
    assert advice["77011110001@c.us"] == []
    assert dict(r.buckets)["1–5 мин"] == 1 and dict(r.buckets)["без ответа"] == 1


def test_an_announcement_answers_nobody(database: Database) -> None:
    """Мадина's 23:00 question stays unanswered when the promotion announcement reaches her
    the next morning: a broadcast is neither a reply nor the bot's first response."""
    from ottenok_desktop.engine.announcements import ANNOUNCEMENT_SENDER
    from ottenok_desktop.services.storage import models as m

    from .shop_db import local

    fill(database)

    def announce() -> None:
        chat = m.Chat.get(m.Chat.chat_id == "77011110003@c.us")
        m.Message.create(chat=chat, direction="out", sender_kind="bot", sender_name=ANNOUNCEMENT_SENDER,
                         text="Скидка −15 % на Balenciaga до воскресенья! Хотите подобрать размер?",
                         created_at=local(24, 23, 30), status="sent")

    database.call_sync(announce)
    r = build_report(database.call_sync(load_period, period_for("day", date(2026, 11, 24), ALMATY)),
                     WorkHours(9, 19))
    assert r.overall.unanswered_inbound == 1 and (r.overall.customer_chats, r.overall.answered_chats) == (3, 2)
    bot = next(x for x in r.responders if x.name == "Бот")
    assert bot.first_response.count == 1  # Айгерим's only
    assert {c.key: c.advice for c in r.chats}["77011110003@c.us"][0] == A.NO_REPLY


def test_empty_period(database: Database) -> None:
    fill(database)
    report_input = database.call_sync(load_period, period_for("day", date(2026, 10, 1), ALMATY))
    assert report_input.chats == {} and len(report_input.messages) == 0
    r = build_report(report_input, WorkHours(9, 19))
    assert r.overall.chats == 0 and r.overall.response_rate is None and r.responders == []


def test_migration_adds_the_time_index_to_an_older_database(data_dir) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = data_dir / "v1.sqlite3"
    Database(path).open_sync().close_sync()
    with sqlite3.connect(path) as conn:  # make it look like a v1 file: no index, version 1
        conn.execute('DROP INDEX "message_created_at_chat_id"')
        conn.execute("DELETE FROM schema_version WHERE version > 1")
    Database(path).open_sync().close_sync()
    with sqlite3.connect(path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "message_created_at_chat_id" in names
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == LATEST_VERSION


async def test_loading_in_steps_gives_the_same_report(database: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ottenok_desktop.services.reports import loader

    fill(database)
    monkeypatch.setattr(loader, "CHUNK", 2)  # three chats → two steps
    period = period_for("week", date(2026, 11, 24), ALMATY)
    whole = build_report(database.call_sync(load_period, period), WorkHours(9, 19))
    stepped = build_report(await loader.load_period_in_steps(database, period), WorkHours(9, 19))
    whole_json, stepped_json = whole.as_json(), stepped.as_json()
    whole_json.pop("generated_at"), stepped_json.pop("generated_at")
    assert stepped_json == whole_json and whole.overall.chats == 4
