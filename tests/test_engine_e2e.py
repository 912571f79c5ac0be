"""The whole engine as `bootstrap.build_engine` makes it (offline «Алина», real stock file,
knowledge index, photos, SQLite) against the GREEN-API sandbox over loopback: a customer
buys, is refused honestly, reaches a human; staff drop in a new stock file and the
running engine uses it by itself."""

from __future__ import annotations

import asyncio
import shutil
from typing import AsyncIterator

import pytest
import pytest_asyncio

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine import events as ev
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.models import Order, Reservation, Ticket
from ottenok_desktop.settings import load_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Shop:
    def __init__(self, engine: Engine, recorder: ev.EventRecorder) -> None:
        self.engine = engine
        self.sandbox: GreenApiSandbox = engine.sandbox
        self.recorder = recorder

    async def say(self, chat_id: str, text: str, *, expect: int = 1, settle: float = 1.0) -> list[str]:
        before = len(self.sandbox.sent_to(chat_id))
        self.sandbox.inject_text(chat_id, text, "Айгерим")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while len(self.sandbox.sent_to(chat_id)) < before + expect:
            assert loop.time() < deadline, f"no answer to {text!r}"
            await asyncio.sleep(0.02)
        # the rest of a multi-part reply (photo uploads take a while): wait until nothing new came for `settle` s
        count, quiet_since = -1, loop.time()
        while loop.time() - quiet_since < settle:
            now_count = len(self.sandbox.sent_to(chat_id))
            if now_count != count:
                count, quiet_since = now_count, loop.time()
            await asyncio.sleep(0.05)
        return [m.text or f"[file] {m.file_name}" for m in self.sandbox.sent_to(chat_id)[before:]]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    data_dir = tmp_path_factory.mktemp("shop")
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env",
                             overrides={"MANAGER_NUMBERS": "77770000001"})
    sandbox = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, port=0)
    engine = build_engine(settings, sandbox=sandbox, debounce=0.0, state_interval=60)
    recorder = ev.EventRecorder(engine.bus)
    await engine.start()
    try:
        yield Shop(engine, recorder)
    finally:
        await engine.stop()


async def test_customer_buys_loafers_offline(shop: Shop) -> None:
    chat = "77015550001@c.us"
    first = await shop.say(chat, "Здравствуйте, есть лоферы шанель 38?", expect=3)
    joined = "\n".join(first)
    assert "285 000" in joined and "Лоферы Chanel" in joined
    assert any(t.startswith("[file]") for t in first)  # photos
    await shop.say(chat, "черные")
    await shop.say(chat, "в алматы")
    summary = "\n".join(await shop.say(chat, "ул. Абая 10, кв 5"))
    assert "Абая 10" in summary and "черный" in summary.lower()
    done = "\n".join(await shop.say(chat, "да, всё верно"))
    assert "оформ" in done.lower()

    def order_row() -> tuple:
        order = Order.select().order_by(Order.id.desc()).first()
        return order.state, order.product, order.size, order.color, order.city, int(order.price), \
            Reservation.select().where((Reservation.order == order) & Reservation.active).count()

    state, product, size, color, city, price, reserved = await shop.engine.db.call(order_row)
    assert (state, product, size, color, city, price, reserved) == ("confirmed", "Лоферы Chanel", "38", "черный", "Алматы", 285000, 1)


async def test_asks_for_a_human_gets_one(shop: Shop) -> None:
    chat = "77015550002@c.us"
    await shop.say(chat, "позовите менеджера пожалуйста")
    assert any(e.chat_id == chat for e in shop.recorder.of_type(ev.HandoffRequested))
    tickets = await shop.engine.db.call(lambda: Ticket.select().where(Ticket.status == "WAITING").count())
    assert tickets >= 1


async def test_shop_phone_silences_the_bot(shop: Shop) -> None:
    chat = "77015550003@c.us"
    await shop.say(chat, "добрый день, есть балетки миу миу?", expect=1)
    shop.sandbox.inject_phone_text(chat, "Здравствуйте! Сейчас подскажу")
    await asyncio.sleep(0.5)
    before = len(shop.sandbox.sent_to(chat))
    shop.sandbox.inject_text(chat, "жду")
    await asyncio.sleep(1.0)
    assert len(shop.sandbox.sent_to(chat)) == before


async def test_new_stock_file_is_picked_up_by_the_running_engine(shop: Shop) -> None:
    from openpyxl import load_workbook

    path = shop.engine.settings.inventory_path
    edited = path.with_name("edited.xlsx")
    shutil.copy2(path, edited)
    book = load_workbook(edited)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    col = {str(h).strip().lower(): i for i, h in enumerate(headers)}
    name_i = next(i for h, i in col.items() if h.startswith(("наимен", "товар", "product")))
    size_i = next(i for h, i in col.items() if h.startswith(("размер", "size")))
    qty_i = next(i for h, i in col.items() if h.startswith(("колич", "остат", "quantity")))
    for row in sheet.iter_rows(min_row=2):
        if row[name_i].value == "Лоферы Chanel" and str(row[size_i].value).strip() == "39":
            row[qty_i].value = 0
    book.save(edited)
    loaded_before = len(shop.recorder.of_type(ev.StockLoaded))
    shutil.move(edited, path)  # staff save the file over the old one
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while len(shop.recorder.of_type(ev.StockLoaded)) == loaded_before:
        assert loop.time() < deadline, "stock file change not picked up"
        await asyncio.sleep(0.05)
    chat = "77015550004@c.us"
    answer = "\n".join(await shop.say(chat, "лоферы шанель 39 есть?", expect=2))
    assert "нет" in answer.lower() or "закончил" in answer.lower()


async def test_opt_out_is_acknowledged_once_and_nothing_is_sold(shop: Shop) -> None:
    from ottenok_desktop.engine import texts

    chat = "77015550005@c.us"
    await shop.say(chat, "есть кроссовки баленсиага 37?", expect=1)
    answer = await shop.say(chat, "не пишите мне больше", expect=1, settle=1.0)
    assert answer == [texts.OPT_OUT_ACK]
