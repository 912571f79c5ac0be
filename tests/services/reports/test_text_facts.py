"""Reports read stored text facts, not texts (migration v7), on real SQLite and PostgreSQL:
the report from stored facts equals the report computed from the texts; rows written
before v7 (NULL) or by an older classifier (stale version) are computed on first use and
stored; the write paths store facts; the migration fills an older database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from ottenok_desktop.engine.analytics.compute import build_report
from ottenok_desktop.engine.analytics.facts import BITS_MASK, FACTS_VERSION, HIGH, LOW, QUESTION, stored_facts
from ottenok_desktop.engine.analytics.model import MessageColumns, Msg, ReportInput, Side, period_for
from ottenok_desktop.services.reports.loader import load_period
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import media, outbox
from ottenok_desktop.services.storage import models as m
from ottenok_desktop.services.storage.text_facts import facts_for
from ottenok_desktop.settings import WorkHours
from tests.fakes.postgres import BACKENDS

from .shop_db import ALMATY, fill, local

pytestmark = pytest.mark.parametrize("db_backend", BACKENDS)  # SQLite and PostgreSQL


def is_fresh(value: int | None) -> bool:
    """A stored value of the current classifier version."""
    return value is not None and LOW <= value < HIGH

# (chat, (day, hour, minute), direction, sender_kind, sender_name, text): sales talk with every
# SPIN stage, buying questions with and without a next step, a chat the manager only greets.
TALK = [
    ("77012220001@c.us", (24, 11, 0), "in", "customer", "", "Здравствуйте, сколько стоят лоферы Chanel?"),
    ("77012220001@c.us", (24, 11, 4), "out", "manager_app", "Асель",
     "Здравствуйте! 285 000 ₸. Какой размер вы обычно носите?"),
    ("77012220001@c.us", (24, 11, 6), "in", "customer", "", "37, но прошлые лоферы натирали"),
    ("77012220001@c.us", (24, 11, 9), "out", "manager_app", "Асель", "Что не устраивало в прошлой паре?"),
    ("77012220001@c.us", (24, 11, 12), "out", "manager_app", "Асель",
     "Из-за этого приходится брать сменную обувь? Было бы удобно, если бы туфли не натирали весь день?"),
    ("77012220001@c.us", (24, 11, 15), "in", "customer", "", "да, беру"),
    ("77012220001@c.us", (24, 11, 16), "out", "manager_app", "Асель", "Отлично, оформлю заказ, доставим завтра."),
    ("77012220002@c.us", (24, 12, 0), "in", "customer", "", "есть ли босоножки 38 размера?"),
    ("77012220002@c.us", (24, 12, 30), "out", "bot", "Алина", "Спасибо за ожидание."),
    ("77012220002@c.us", (24, 12, 31), "out", "bot", "Алина", "Хорошего дня!"),
    ("77012220003@c.us", (24, 15, 0), "in", "customer", "", "қайырлы күн, кроссовки бар ма?"),
    ("77012220003@c.us", (24, 15, 2), "out", "bot", "Алина", "Здравствуйте! Есть. В каком вы городе?"),
    ("77012220003@c.us", (24, 15, 20), "in", "customer", "", "Астана, спасибо, подумаю"),
]


def write_talk(db: Database, how: str) -> None:
    """The talk's rows, their facts stored as `how` says: fresh (the write path), NULL
    (written before v7) or stale (an older classifier's version, deliberately wrong bits)."""
    def write() -> None:
        chats: dict[str, m.Chat] = {}
        for i, (chat_id, when, direction, kind, name, text) in enumerate(TALK):
            if chat_id not in chats:
                chats[chat_id] = m.Chat.create(chat_id=chat_id, phone=chat_id.split("@")[0], name="Клиент",
                                               created_at=local(*when), updated_at=local(*when))
            facts = {"fresh": facts_for(direction, kind, text), "null": None,
                     "stale": ((FACTS_VERSION - 1) << 8) | QUESTION}[how]
            m.Message.create(chat=chats[chat_id], direction=direction, sender_kind=kind, sender_name=name, text=text,
                             external_id=f"t{i}", created_at=local(*when), text_facts=facts)

    db.atomic_sync(write)


def from_texts(report_input: ReportInput) -> ReportInput:
    """The same rows as `Msg`s carrying only their texts: facts computed from the texts."""
    cols = report_input.messages
    assert isinstance(cols, MessageColumns) and cols.text is not None
    msgs = []
    for i in range(len(cols)):
        r = int(cols.responder[i])
        kind, name = cols.responders[r] if r >= 0 else ("", "")
        msgs.append(Msg(cols.keys[int(cols.chat[i])], float(cols.at[i]), Side.CUSTOMER if r < 0 else Side.SHOP,
                        kind, name, cols.text[i]))
    return ReportInput(report_input.period, report_input.chats, msgs, report_input.earlier_customer,
                       report_input.converted, report_input.tickets, report_input.handoffs)


def as_json(report_input: ReportInput) -> dict:
    document = build_report(report_input, WorkHours(9, 19), generated_at=datetime(2026, 12, 1, tzinfo=timezone.utc)).as_json()
    assert document["chats"], "the period has chats"
    return document


def stored(db: Database) -> list[tuple[str, str, int | None]]:
    return db.call_sync(lambda: [(r.sender_kind, r.text, r.text_facts)
                                 for r in m.Message.select().order_by(m.Message.id)])


@pytest.mark.parametrize("how", ["fresh", "null", "stale"])
def test_report_from_stored_facts_equals_report_from_texts(database: Database, how: str) -> None:
    fill(database)  # written with Message.create and no facts: NULL, like rows older than v7
    write_talk(database, how)
    for kind in ("day", "week"):
        period = period_for(kind, date(2026, 11, 24), ALMATY)
        with_texts = database.call_sync(load_period, period, True)
        facts_only = database.call_sync(load_period, period)
        assert isinstance(facts_only.messages, MessageColumns) and facts_only.messages.text is None
        expected = as_json(from_texts(with_texts))
        assert as_json(facts_only) == expected
        spin = {c["chat"]: c["spin"] for c in expected["chats"]}
        assert spin["77012220001@c.us"] == ["situation", "problem", "implication", "need_payoff"]
        advice = {c["chat"]: c["advice"] for c in expected["chats"]}
        assert "no_next_step" in advice["77012220002@c.us"] and "no_questions" in advice["77012220002@c.us"]
        assert "no_next_step" not in advice["77012220001@c.us"]
    # what had to be computed is now stored, right (a stale value was replaced), and fresh
    for kind, text, value in stored(database):
        if kind == "system":
            assert value is None
        elif text != "ау":  # the 26th: outside both windows, never read
            assert is_fresh(value) and value == stored_facts(text, kind == "customer"), text


def test_write_paths_store_facts(database: Database) -> None:
    now = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
    queued = database.atomic_sync(outbox.queue_text, "77013330001@c.us", "Какой размер вы обычно носите?", "bot", now)
    manager = database.atomic_sync(outbox.queue_text, "77013330001@c.us", "Спасибо!", "manager_app",
                                   now + timedelta(minutes=1), "Асель")
    system = database.atomic_sync(outbox.queue_text, "77013330001@c.us", "Пришлите, пожалуйста, ещё раз", "system", now)

    def voice() -> int:
        chat = m.Chat.get(m.Chat.chat_id == "77013330001@c.us")
        row = m.Message.create(chat=chat, direction="in", sender_kind="customer", text="[голосовое сообщение]",
                               content_type="audio", created_at=now, text_facts=facts_for("in", "customer", ""))
        media.save_text(row.id, "а сколько стоят эти лоферы?")  # the transcript arrives later
        return row.id

    voice_id = database.call_sync(voice)
    facts = database.call_sync(lambda: {r.id: r.text_facts for r in m.Message.select()})
    assert facts[queued.message_id] & BITS_MASK == stored_facts("Какой размер вы обычно носите?", False) & BITS_MASK
    assert is_fresh(facts[queued.message_id]) and facts[queued.message_id] & QUESTION
    assert facts[manager.message_id] == stored_facts("Спасибо!", False)
    assert facts[system.message_id] is None
    assert facts[voice_id] == stored_facts("а сколько стоят эти лоферы?", True)


def test_migration_fills_the_facts_of_an_older_database(database: Database) -> None:
    fill(database)
    write_talk(database, "null")

    def make_it_v6() -> None:
        db = m.BaseModel._meta.database
        db.execute_sql('ALTER TABLE "message" DROP COLUMN "text_facts"')
        m.SchemaVersion.delete().where(m.SchemaVersion.version > 6).execute()

    database.call_sync(make_it_v6)
    database.close_sync()
    reopened = Database(database.url).open_sync()  # migrates v6 → latest
    try:
        rows = stored(reopened)
        assert rows and all((value is None) if kind == "system" else value == stored_facts(text, kind == "customer")
                            for kind, text, value in rows)
    finally:
        reopened.close_sync()
