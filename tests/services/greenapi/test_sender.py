"""The sender against the sandbox: never a blind resend, no busy loop while a chat waits
for its retry, a bot reply for a taken chat is dropped even after a timed-out send."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ottenok_desktop.engine.turns import OutgoingPart, Reply, Turn
from ottenok_desktop.services.storage import outbox as ob
from tests.engine.channel_harness import start_channel

ANNA = "77011234567@c.us"


class TwoParts:
    async def respond(self, turn: Turn) -> Reply:
        return Reply(parts=(OutgoingPart(text="Здравствуйте!"), OutgoingPart(text="Какой размер нужен?")))


async def test_failed_reconcile_never_resends_blindly(data_dir: Path) -> None:
    ch = await start_channel(data_dir, client_timeout=0.5)
    ch.sandbox.add_fault("sendMessage", None, delay=3, after_effect=True)  # goes out, answer lost
    ch.sandbox.add_fault("lastOutgoingMessages", 500, count=20)  # and it cannot be checked for a while
    ch.sandbox.add_fault("lastOutgoingMessages", 502, count=1)
    try:
        ch.sandbox.inject_text(ANNA, "есть 39 размер?")
        await ch.wait_until(lambda: len(ch.sandbox.sent) >= 1, what="the send")
        await asyncio.sleep(2.0)  # reconciliation keeps failing meanwhile
        assert len(ch.sandbox.sent) == 1
        await ch.wait_until(lambda: _all_sent(ch), timeout=60, what="reconciled")
        assert len(ch.sandbox.sent) == 1
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def _all_sent(ch) -> bool:
    states = await ch.outbox_states()
    return bool(states) and set(states) == {"sent"}


async def test_no_busy_loop_while_a_chat_waits_for_its_retry(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ch = await start_channel(data_dir, TwoParts(), retry_base=3.0)
    ch.sandbox.add_fault("sendMessage", 429, count=1, retry_after=3)
    calls = {"claim": 0}
    claim = ob.claim_next

    def counting_claim(*args, **kwargs):
        calls["claim"] += 1
        return claim(*args, **kwargs)

    monkeypatch.setattr(ob, "claim_next", counting_claim)
    try:
        ch.sandbox.inject_text(ANNA, "привет")
        await ch.wait_until(lambda: calls["claim"] >= 1, what="first claim")
        await asyncio.sleep(1.5)  # the first part waits ~3 s for its retry; the second waits behind it
        assert calls["claim"] <= 3, f"{calls['claim']} claims while waiting"
        sent = await ch.sandbox.wait_sent(2, timeout=20)
        assert [m.text for m in sent] == ["Здравствуйте!", "Какой размер нужен?"]
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_timed_out_bot_reply_for_a_taken_chat_is_dropped_not_resent(data_dir: Path) -> None:
    ch = await start_channel(data_dir, client_timeout=0.5, retry_base=1.0)
    ch.sandbox.add_fault("sendMessage", 503, delay=2)  # times out and really was not sent
    try:
        ch.sandbox.inject_text(ANNA, "есть мюли?")
        await ch.wait_until(lambda: _state_is(ch, "unknown"), timeout=10, what="ambiguous send")
        await ch.engine.take_over(ANNA, "Айгерим")
        await ch.wait_until(lambda: _state_is(ch, "dropped"), timeout=20, what="dropped after checking")
        await asyncio.sleep(0.5)
        assert ch.sandbox.sent == []
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def _state_is(ch, state: str) -> bool:
    return state in await ch.outbox_states()


async def test_a_reply_is_claimed_in_its_turns_commit_and_sent_without_a_scan(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A turn's reply needs no outbox scan and no separate claim: its commit claims it and
    hands it to the sender; the second part follows in order through the same drain."""
    ch = await start_channel(data_dir, TwoParts())
    scans = {"n": 0}
    scan = ob.due_scan

    def counting_scan(*args, **kwargs):
        scans["n"] += 1
        return scan(*args, **kwargs)

    try:
        await asyncio.sleep(0.3)  # the start-up scan has run
        monkeypatch.setattr(ob, "due_scan", counting_scan)
        ch.sandbox.inject_text(ANNA, "здравствуйте, лоферы 37 есть?")
        sent = await ch.sandbox.wait_sent(2, timeout=20)
        assert [m.text for m in sent] == ["Здравствуйте!", "Какой размер нужен?"]
        await ch.wait_until(lambda: _all_sent(ch), what="both recorded")
        assert ch.engine.sender.handed_over == 1
        assert scans["n"] == 0
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_a_reply_waits_behind_an_older_item_of_its_chat_waiting_for_a_retry(data_dir: Path) -> None:
    """The commit claims the chat's next due item only: an older reply waiting for its retry
    goes first, the new one after it, never the other way round."""
    ch = await start_channel(data_dir, retry_base=2.0)
    ch.sandbox.add_fault("sendMessage", 429, count=1, retry_after=2)
    try:
        ch.sandbox.inject_text(ANNA, "есть ботильоны 38?")
        await ch.wait_until(lambda: _state_is(ch, "pending"), timeout=10, what="first reply waiting for its retry")
        ch.sandbox.inject_text(ANNA, "и какие цвета?")
        sent = await ch.sandbox.wait_sent(2, timeout=30)
        assert [m.text for m in sent] == ["Ответ: есть ботильоны 38?", "Ответ: и какие цвета?"]
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()
