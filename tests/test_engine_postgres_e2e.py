"""The whole engine as `bootstrap.build_engine` makes it (offline «Алина», the sample stock
file, knowledge, photos, follow-ups) on a shared PostgreSQL database, as the leading seat:
a customer buys loafers (order confirmed, stock reserved), a return ticket is opened and a
manager on another seat takes it first; the leader's writes are fenced with its epoch."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine.lease import LeaseLost
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import lease as lease_repo
from ottenok_desktop.services.storage import tickets
from ottenok_desktop.services.storage.models import EngineLease, Order, Reservation, Ticket
from ottenok_desktop.settings import load_settings

REPO = Path(__file__).resolve().parents[1]


async def say(sandbox: GreenApiSandbox, chat_id: str, text: str, expect: int = 1) -> list[str]:
    before = len(sandbox.sent_to(chat_id))
    sandbox.inject_text(chat_id, text, "Айгерим")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while len(sandbox.sent_to(chat_id)) < before + expect:
        assert loop.time() < deadline, f"no answer to {text!r}"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.4)  # the rest of a multi-part reply
    return [m.text or f"[file] {m.file_name}" for m in sandbox.sent_to(chat_id)[before:]]


async def test_a_sale_and_a_ticket_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    settings = load_settings(data_dir=tmp_path / "data", environ={"DATABASE_URL": postgres_url},
                             env_file=tmp_path / "none.env", overrides={
                                 "INVENTORY_EXCEL_PATH": str(REPO / "data" / "inventory.xlsx"),
                                 "KNOWLEDGE_BASE_DIR": str(REPO / "data" / "knowledge_base"),
                                 "PHOTOS_DIR": str(REPO / "data" / "photos")})
    sandbox = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, port=0)
    engine = build_engine(settings, sandbox=sandbox, debounce=0.0, state_interval=60)
    other_seat = await Database(postgres_url, application_name="seat laptop").open()
    # a lease that outlasts the test on a loaded machine: nothing renews it here, and every
    # send checks it first (services/send_fence.py)
    await other_seat.call(lease_repo.acquire_or_renew, "server", "server-1", 600)
    engine.db.set_fence(1)  # as the seat runner does: the engine writes under epoch 1
    await engine.start()
    try:
        chat = "77015550001@c.us"
        first = "\n".join(await say(sandbox, chat, "Здравствуйте, есть лоферы шанель 38?", expect=3))
        assert "285 000" in first and "Лоферы Chanel" in first
        await say(sandbox, chat, "черные")
        await say(sandbox, chat, "в алматы")
        await say(sandbox, chat, "ул. Абая 10, кв 5")
        assert "оформ" in "\n".join(await say(sandbox, chat, "да, всё верно")).lower()

        def order_row() -> tuple:
            order = Order.select().order_by(Order.id.desc()).first()
            held = Reservation.select().where((Reservation.order == order) & Reservation.active).count()
            return order.state, order.size, order.color, order.city, int(order.price), held

        assert await other_seat.call(order_row) == ("confirmed", "38", "черный", "Алматы", 285000, 1)

        now = datetime.now(timezone.utc)
        ticket = await engine.db.atomic(tickets.create_ticket, "77015550002@c.us", "return",
                                        "Возврат: туфли натирают", {"order": "вчера"}, now)  # fenced, epoch 1
        ticket_id = ticket.id
        assert await other_seat.atomic(tickets.take, ticket_id, "Дана", now)  # the laptop's manager is first
        assert not await engine.desk.take_ticket(ticket_id, "Айгерим")  # the second is told it is taken
        assert await other_seat.call(lambda: Ticket.get_by_id(ticket_id).manager) == "Дана"
        await other_seat.call(lambda: EngineLease.update(epoch=2).execute())  # another seat took over
        with pytest.raises(LeaseLost):
            await engine.db.atomic(tickets.create_ticket, "77015550003@c.us", "other", "Гарантия: отклеилась подошва",
                                   {}, now)
        assert await other_seat.call(lambda: Ticket.select().count()) == 1
    finally:
        await engine.stop()
        await other_seat.close()
