"""The promised price through the whole engine as `bootstrap.build_engine` makes it (offline
«Алина», the sample stock file, promotions.xlsx and partners.xlsx at their default places in the
data dir, SQLite) against the GREEN-API sandbox over loopback: the order keeps the promotion
price the customer was told, `orders export` carries the discount, a partner's request for a
specialist becomes a partner ticket."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.__main__ import main
from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.models import Order, Ticket
from ottenok_desktop.settings import load_settings
from tests.services.partners.test_loader import ROWS, write_partners
from tests.services.promotions.xlsx import RU_HEADERS, write_promotions


async def _say(sandbox: GreenApiSandbox, chat_id: str, text: str, settle: float = 1.0) -> str:
    before = len(sandbox.sent_to(chat_id))
    sandbox.inject_text(chat_id, text, "Айгерим")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while len(sandbox.sent_to(chat_id)) <= before:
        assert loop.time() < deadline, f"no answer to {text!r}"
        await asyncio.sleep(0.02)
    count, quiet_since = -1, loop.time()
    while loop.time() - quiet_since < settle:
        now_count = len(sandbox.sent_to(chat_id))
        if now_count != count:
            count, quiet_since = now_count, loop.time()
        await asyncio.sleep(0.05)
    return "\n".join(m.text or "" for m in sandbox.sent_to(chat_id)[before:])


async def test_order_keeps_the_promotion_price_and_partner_ticket(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                                   ) -> None:
    today = datetime.now(ZoneInfo("Asia/Almaty")).date()
    write_promotions(tmp_path / "promotions.xlsx", [[
        "Chanel −10%", "", (today - timedelta(days=1)).strftime("%d.%m.%Y"),
        (today + timedelta(days=1)).strftime("%d.%m.%Y"), "Chanel", "10%"]], RU_HEADERS)
    write_partners(tmp_path / "partners.xlsx", ROWS)
    settings = load_settings(data_dir=tmp_path, environ={}, env_file=tmp_path / "none.env")
    sandbox = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, port=0)
    engine = build_engine(settings, sandbox=sandbox, debounce=0.0, state_interval=60, with_followups=False)
    await engine.start()
    try:
        chat = "77015550001@c.us"
        first = await _say(sandbox, chat, "Здравствуйте, есть лоферы шанель 38 черные?")
        assert "цена по акции — 256 500 ₸" in first
        await _say(sandbox, chat, "в алматы")
        summary = await _say(sandbox, chat, "ул. Абая 10, кв 5")
        assert "256 500 ₸ по акции «Chanel −10%» (обычная цена 285 000 ₸)" in summary
        done = await _say(sandbox, chat, "да, всё верно")
        assert "Цена — 256 500 ₸ по акции «Chanel −10%»" in done

        partner = "77015550102@c.us"
        await _say(sandbox, partner, "Добрый день, соедините со специалистом")

        def rows() -> tuple[tuple[str, int, int, str], list[tuple[str, bool]]]:
            order = Order.select().order_by(Order.id.desc()).first()
            tickets = [(t.chat.chat_id, bool(t.partner)) for t in Ticket.select()]
            return (order.state, int(order.price), int(order.regular_price), order.discount_label), tickets

        order, tickets = await engine.db.call(rows)
        assert order == ("confirmed", 256500, 285000, "Chanel −10%")
        assert tickets == [(partner, True)]
    finally:
        await engine.stop()
    assert main(["--data-dir", str(tmp_path), "orders", "export"]) == 0
    (exported,) = json.loads(capsys.readouterr().out)["orders"]
    assert (exported["price"], exported["discount_kind"], exported["discount_label"]) == (
        "256500", "promotion", "Chanel −10%")
