"""`db copy --to postgresql://…` through the real command line entry point: a shop's
SQLite database moves into an empty PostgreSQL database, ids and counts intact."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ottenok_desktop.__main__ import main
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import orders, tickets
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.chats import audit, set_owner
from ottenok_desktop.services.storage.copy import copied_models
from ottenok_desktop.services.storage.models import Chat, InboxItem, Message, Nudge, OutboxItem, PhotoSent, Reservation

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
AIGERIM = "77011234567@c.us"
DANA = "77478889900@c.us"


def fill_shop(db: Database) -> None:
    def work() -> None:
        ob.queue_text(AIGERIM, "Здравствуйте! Да, лоферы Шанель есть в 37 и 38 🙂", "bot", NOW)
        ob.queue_text(DANA, "Добрый день! Сумка Prada есть в чёрном", "bot", NOW)
        chat = Chat.get(Chat.chat_id == AIGERIM)
        Message.create(chat=chat, direction="in", sender_kind="customer", text="шанель лоферы есть 37й? скока стоят",
                       external_id="BAE5F4886F6F2D05", turn_state="answered", created_at=NOW - timedelta(minutes=1))
        InboxItem.create(receipt_id=1, type_webhook="incomingMessageReceived", dedupe_key=f"{AIGERIM}:BAE5F4886F6F2D05",
                         chat_id=AIGERIM, external_id="BAE5F4886F6F2D05", raw="{}", state="done", received_at=NOW)
        order = orders.create_order(AIGERIM, NOW, "bot", {"product": "Лоферы Chanel", "size": "37", "color": "черный",
                                                          "city": "Алматы", "price": Decimal("45900.00")})
        Reservation.create(order=order, item_key="лоферы chanel|37|черный", quantity=1, stock_version="v1", created_at=NOW)
        ticket = tickets.create_ticket(DANA, "return", "Возврат: каблук шатается", {"order": "неизвестно"}, NOW)
        tickets.take(ticket.id, "Айгерим", NOW)
        Nudge.create(chat=chat, cycle_start=NOW, number=1, due_at=NOW + timedelta(hours=3), reason="silence")
        PhotoSent.create(chat=chat, photo_key="chanel-loafers/1.jpg", sent_at=NOW)
        set_owner(DANA, "manager", "Айгерим", NOW, reason="возврат")
        audit(NOW, "Айгерим", "note", "chat", DANA, text="позвонить после обеда")

    db.atomic_sync(work)


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "db", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def shop_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = tmp_path / "data"
    db = Database(data / "ottenok.sqlite3").open_sync()
    fill_shop(db)
    db.close_sync()
    return data


def test_copy_moves_every_table_with_ids_and_the_next_id_follows(
    shop_file: Path, postgres_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, shop_file, "copy", "--to", postgres_url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["verified"] and report["tables"]["chat"] == 2 and report["tables"]["outbox_item"] == 2
    assert report["tables"]["ticket"] == 1 and report["tables"]["reservation"] == 1 and report["tables"]["nudge"] == 1
    assert set(report["tables"]) == {model._meta.table_name for model in copied_models()}

    db = Database(postgres_url).open_sync()
    try:
        ticket = db.call_sync(lambda: tickets.list_tickets())[0]
        assert ticket["status"] == "ASSIGNED" and ticket["manager"] == "Айгерим"
        order = db.call_sync(lambda: orders.list_orders())[0]
        assert order["product"] == "Лоферы Chanel" and Decimal(str(order["price"])) == Decimal("45900.00")
        dana = db.call_sync(lambda: Chat.get(Chat.chat_id == DANA))
        assert dana.owner == "manager" and dana.owner_name == "Айгерим" and dana.created_at == NOW
        before = db.call_sync(lambda: OutboxItem.select().count())
        queued = db.atomic_sync(ob.queue_text, AIGERIM, "Какой город доставки?", "bot", NOW)  # sequences moved on
        assert queued.id == before + 1
    finally:
        db.close_sync()


def test_copy_refuses_a_database_that_already_has_shop_data(
    shop_file: Path, postgres_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, shop_file, "copy", "--to", postgres_url)[0] == 0
    code, out, err = run(capsys, shop_file, "copy", "--to", postgres_url)
    assert code == 1 and out == ""
    assert "already holds shop data" in err and "Traceback" not in err


def test_a_failed_connection_never_prints_the_password(shop_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.fakes.postgres import free_port

    url = f"postgresql://ottenok:Zh4nar-S3cret@127.0.0.1:{free_port()}/ottenok"
    code, out, err = run(capsys, shop_file, "copy", "--to", url)
    assert code == 1 and "Zh4nar-S3cret" not in out + err
    assert "postgresql://ottenok:***@127.0.0.1" in err


def test_text_summary_and_bad_arguments(shop_file: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, shop_file, "copy", "--to", postgres_url)
    assert code == 0 and "message" in out and "row counts verified" in out
    code, _, err = run(capsys, shop_file, "copy", "--to", "sqlite:///x.db")
    assert code == 2 and "postgresql://" in err
    code, _, err = run(capsys, shop_file, "copy", "--to", postgres_url, "--from", str(shop_file / "nope.sqlite3"))
    assert code == 2 and "no database file" in err
