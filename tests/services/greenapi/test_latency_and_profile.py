"""The channel at real-world latency: the sandbox's round trip, the lean notification
profile set at start, delivery ticks from the journal, a lost send never resent before
the journal has had time to show it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from ottenok_desktop.services.greenapi.poller import InstanceNotifications
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.greenapi.sandbox_control import SandboxControlClient
from tests.engine.channel_harness import start_channel

from .conftest import CUSTOMER, FakeSleep, make_client

AIGERIM = "77015550001@c.us"


def test_round_trips_stay_within_latency_and_jitter() -> None:
    box = GreenApiSandbox(latency_ms=120, jitter_ms=40, seed=4)
    trips = [box.round_trip() for _ in range(500)]
    assert all(0.080 <= t <= 0.160 for t in trips)
    assert max(trips) - min(trips) > 0.060  # jitter really varies them
    box.set_latency(0)
    assert box.round_trip() == 0.0


async def test_latency_set_over_control_delays_every_api_call(fake_sleep: FakeSleep) -> None:
    box = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=2)
    await box.start()
    control = SandboxControlClient(box.api_url)
    api = make_client(box, fake_sleep)
    try:
        await control.set_latency(150, 20)
        assert (box.latency_ms, box.jitter_ms) == (150.0, 20.0)
        started = time.monotonic()
        await api.send_message(CUSTOMER, "Здравствуйте! Лоферы 38 есть в наличии")
        assert time.monotonic() - started >= 0.130  # half a trip each way, at least 130 ms in all
        started = time.monotonic()
        await control.inject_text(CUSTOMER, "спасибо")  # control calls are not delayed...
        assert box.pending_notifications() >= 1
        async with httpx.AsyncClient() as http:
            bad = await http.post(f"{box.api_url}/sandbox/latency", json={"latencyMs": -5})
        assert bad.status_code == 400
    finally:
        await api.aclose()
        await control.aclose()
        await box.stop()


async def test_lean_profile_is_set_at_start_and_costs_one_notification_per_message(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        await ch.wait_until(lambda: ch.sandbox.settings["outgoingAPIMessageWebhook"] == "no", what="settings check")
        assert ch.sandbox.settings["outgoingWebhook"] == "no"
        assert ch.sandbox.settings["incomingWebhook"] == "yes" and ch.sandbox.settings["outgoingMessageWebhook"] == "yes"
        ch.sandbox.inject_text(AIGERIM, "здравствуйте есть кроссы найк 40?", "Айгерим")
        await ch.sandbox.wait_sent(1)
        await asyncio.sleep(0.2)  # statuses would have been queued by now (10 ms apart)
        assert ch.sandbox.pending_notifications() == 0
        assert ch.engine.poller.received == 1  # the customer's message only: no echo, no statuses
        # The console still gets the ticks: from the instance's journal.
        await ch.wait_until(lambda: _bot_status(ch, "read"), what="read tick from the journal")
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_full_profile_switches_echoes_and_statuses_back_on(data_dir: Path) -> None:
    sandbox = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=3)
    sandbox.settings.update(outgoingWebhook="no", outgoingAPIMessageWebhook="no")
    await sandbox.start()
    ch = await start_channel(data_dir, sandbox=sandbox)
    try:
        ch.engine.poller.notifications = InstanceNotifications(api_echoes=True, delivery_statuses=True)
        await ch.engine.poller.check_instance_settings()
        assert sandbox.settings["outgoingWebhook"] == "yes" and sandbox.settings["outgoingAPIMessageWebhook"] == "yes"
        sandbox.inject_text(AIGERIM, "а доставка в астану есть?", "Айгерим")
        await sandbox.wait_sent(1)
        await ch.wait_until(lambda: ch.engine.poller.received >= 5, what="message, echo and three statuses")
        await ch.wait_until(lambda: _bot_status(ch, "read"), what="read status")
        assert [r[1] for r in await ch.messages()] == ["customer", "bot"]  # the echo is not a second message
    finally:
        await ch.engine.stop()
        await sandbox.stop()


async def test_lost_send_is_not_resent_before_the_journal_has_had_time(data_dir: Path) -> None:
    ch = await start_channel(data_dir, client_timeout=0.5)
    ch.engine.sender._reconcile_grace = 3.0  # a real instance gets 120 s (its journal may lag)
    ch.sandbox.add_fault("sendMessage", 503, delay=2)  # times out, and really was not sent
    try:
        ch.sandbox.inject_text(AIGERIM, "мюли 37 есть?", "Айгерим")
        await ch.wait_until(lambda: _outbox_has(ch, "unknown"), timeout=10, what="ambiguous send")
        await asyncio.sleep(1.5)  # checked against the journal meanwhile: not there, but it may still come
        assert ch.sandbox.sent == []
        sent = await ch.sandbox.wait_sent(1, timeout=20)
        await asyncio.sleep(0.3)
        assert len(ch.sandbox.sent) == 1 and sent[0].chat_id == AIGERIM
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def _bot_status(ch, status: str) -> bool:
    return any(r[1] == "bot" and r[3] == status for r in await ch.messages())


async def _outbox_has(ch, state: str) -> bool:
    return state in await ch.outbox_states()
