"""Consoles on several PCs share one PostgreSQL database and are seats: each console's engine
serves its views all the time, and exactly one of them runs the channel (answers customers)
— the one holding the engine lease. When it closes, the other console takes the channel over
within the lease bound; every customer is answered exactly once throughout."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine.lease import LeaseState
from ottenok_desktop.seat_runner import ConsoleSeat
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.settings import load_settings
from tests.fakes.responders import EchoResponder

CUSTOMER = "77015559911@c.us"


def _settings(tmp_path: Path, name: str, url: str, api_url: str):  # type: ignore[no-untyped-def]
    return load_settings(data_dir=tmp_path / name, environ={"DATABASE_URL": url}, env_file=tmp_path / "none.env",
                         overrides={"GREEN_API_URL": api_url, "GREEN_API_INSTANCE_ID": "1101000001",
                                    "GREEN_API_TOKEN": "seat-test-token", "OTTENOK_SEAT_ID": name,
                                    "OTTENOK_SEAT_NAME": name.title(), "OTTENOK_LEASE_SECONDS": "3"})


async def _wait(predicate, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_two_consoles_one_channel_and_a_hand_over(tmp_path: Path, postgres_url: str) -> None:
    sandbox = GreenApiSandbox(instance_id="1101000001", token="seat-test-token", poll_scale=0.02, status_delay=0.01,
                              port=0)
    await sandbox.start()
    seats: list[tuple[object, ConsoleSeat]] = []
    states: dict[str, list[str]] = {"a": [], "b": []}
    seen: list[dict] = []
    try:
        for name in ("a", "b"):
            settings = _settings(tmp_path, name, postgres_url, sandbox.api_url)
            engine = build_engine(settings, responder=EchoResponder(), channel_only=True, debounce=0.0,
                                  receive_timeout=5)
            await engine.start(lead=False)
            seat = ConsoleSeat(engine, settings, interval=0.5,
                               observer=lambda change, n=name: states[n].append(str(change.state)),
                               on_seats=seen.append if name == "b" else None, seats_every=0.3)
            await seat.start()
            seats.append((engine, seat))
            if name == "a":
                await _wait(lambda: engine.leading, "console a to lead")
        (engine_a, seat_a), (engine_b, seat_b) = seats
        assert engine_a.leading and not engine_b.leading and seat_b.lease.state is LeaseState.FOLLOWER

        sandbox.inject_text(CUSTOMER, "лоферы шанель 38 есть?", "Айгерим")
        await _wait(lambda: len(sandbox.sent_to(CUSTOMER)) == 1, "one answer")
        await _wait(lambda: any(s["online"] for st in seen for s in st["seats"] if s["seat_id"] == "b"), "b online")

        # seat b's manager takes the chat and writes: the leading seat sends it
        await engine_b.take_over(CUSTOMER, "B")
        await engine_b.send_as_manager(CUSTOMER, "Здравствуйте, это менеджер Б", "B")
        await _wait(lambda: any(m.text == "Здравствуйте, это менеджер Б" for m in sandbox.sent_to(CUSTOMER)),
                    "the manager's message sent by the leading seat")
        await engine_b.return_to_bot(CUSTOMER, "B")

        # console a closes: b takes the channel over within the bound
        await seat_a.stop()
        await engine_a.stop()
        seats.pop(0)
        await _wait(lambda: engine_b.leading, "console b to take over", timeout=15)
        sandbox.inject_text(CUSTOMER, "а 39?", "Айгерим")
        await _wait(lambda: sum(1 for m in sandbox.sent_to(CUSTOMER) if m.text.startswith("Ответ:")) == 2,
                    "the second answer from seat b")
        await asyncio.sleep(1.0)
        replies = [m.text for m in sandbox.sent_to(CUSTOMER) if m.text.startswith("Ответ:")]
        assert replies == ["Ответ: лоферы шанель 38 есть?", "Ответ: а 39?"]  # each exactly once
        assert "leader" in states["b"]
        # the status bar's view of the seats: seat b saw both consoles online and who led
        assert any({s["seat_id"] for s in status["seats"] if s["online"]} == {"a", "b"} and status["leader"] == "a"
                   for status in seen)
    finally:
        for engine, seat in seats:
            await seat.stop()
            await engine.stop()  # type: ignore[attr-defined]
        await sandbox.stop()
