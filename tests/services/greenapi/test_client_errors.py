"""GreenApiClient error mapping and retry policy, against faults the sandbox injects."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest

from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.errors import (
    GreenApiAuthError,
    GreenApiBadRequest,
    GreenApiInstanceNotReady,
    GreenApiNetworkError,
    GreenApiProtocolError,
    GreenApiQuotaExceeded,
    GreenApiRateLimited,
    GreenApiServerError,
    GreenApiTimeout,
)
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.settings import Secret

from .conftest import CUSTOMER, FakeSleep, drain, make_client


async def test_429_honours_retry_after(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    sandbox.add_fault("getStateInstance", 429, retry_after=2.5)
    assert await client.get_state_instance() == "authorized"
    assert fake_sleep.delays == [2.5]


async def test_5xx_retried_with_growing_jittered_backoff(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    sandbox.inject_text(CUSTOMER, "есть доставка в Шымкент?")
    sandbox.add_fault("receiveNotification", 500, count=3)
    note = await client.receive_notification(5)
    assert note is not None and note.body["senderData"]["chatId"] == CUSTOMER
    assert len(fake_sleep.delays) == 3
    for attempt, delay in enumerate(fake_sleep.delays, start=1):
        assert 0.0 <= delay <= 0.5 * 2 ** (attempt - 1)


async def test_retries_stop_after_max_attempts(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    api = make_client(sandbox, fake_sleep, max_attempts=3)
    sandbox.add_fault("deleteNotification", 503, count=5)
    try:
        with pytest.raises(GreenApiServerError) as info:
            await api.delete_notification(1)
    finally:
        await api.aclose()
    assert info.value.status == 503 and info.value.retryable and not info.value.ambiguous
    assert len(fake_sleep.delays) == 2


async def test_429_without_retry_after_uses_backoff(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    sandbox.add_fault("lastOutgoingMessages", 429, count=1)
    assert await client.last_outgoing_messages(5) == []
    assert len(fake_sleep.delays) == 1 and 0 <= fake_sleep.delays[0] <= 0.5


async def test_send_is_never_retried(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    sandbox.add_fault("sendMessage", 429, retry_after=1)
    with pytest.raises(GreenApiRateLimited) as info:
        await client.send_message(CUSTOMER, "Добрый день!")
    assert info.value.retry_after == 1.0 and info.value.retryable and not info.value.ambiguous
    sandbox.add_fault("sendMessage", 502)
    with pytest.raises(GreenApiServerError) as info2:
        await client.send_message(CUSTOMER, "Добрый день!")
    # A 5xx reached the server: for a send it may have gone out, so it is ambiguous.
    assert info2.value.ambiguous
    assert fake_sleep.delays == [] and sandbox.sent == []


async def test_466_quota_not_retried_and_body_kept(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep, shared_fixtures: Path) -> None:
    fixture = json.loads((shared_fixtures / "greenapi" / "http466_error_body_invokeStatus.json").read_text("utf-8"))
    sandbox.add_fault("sendMessage", 466, body=fixture)
    with pytest.raises(GreenApiQuotaExceeded) as info:
        await client.send_message(CUSTOMER, "Здравствуйте")
    assert info.value.status == 466 and not info.value.retryable
    assert info.value.body == fixture
    assert info.value.invoke_status["status"] == "QUOTE_EXCEEDED"
    sandbox.add_fault("getSettings", 466)  # idempotent, but a quota is not transient
    with pytest.raises(GreenApiQuotaExceeded) as info2:
        await client.get_settings()
    assert info2.value.invoke_status["method"] == "getSettings"
    assert fake_sleep.delays == []


async def test_wrong_credentials_give_auth_error(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    api = GreenApiClient(sandbox.api_url, sandbox.api_url, sandbox.instance_id, Secret("wrong-token"), sleep=fake_sleep)
    other = GreenApiClient(sandbox.api_url, sandbox.api_url, "1101999999", Secret(sandbox.token), sleep=fake_sleep)
    try:
        with pytest.raises(GreenApiAuthError) as info:
            await api.get_state_instance()
        with pytest.raises(GreenApiAuthError):
            await other.receive_notification(5)
    finally:
        await api.aclose()
        await other.aclose()
    assert info.value.status == 401 and not info.value.retryable
    assert fake_sleep.delays == []


@pytest.mark.parametrize("state", ["starting", "notAuthorized"])
async def test_instance_not_ready(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep, state: str) -> None:
    sandbox.set_state(state)
    with pytest.raises(GreenApiInstanceNotReady) as info:
        await client.receive_notification(5)
    assert info.value.status == 400 and info.value.state == state and info.value.retryable
    with pytest.raises(GreenApiInstanceNotReady):
        await client.send_message(CUSTOMER, "алло")
    assert fake_sleep.delays == []  # it lasts minutes: the caller waits, not the client
    assert await client.get_state_instance() == state
    sandbox.set_state("authorized")
    bodies = await drain(client)
    assert [b["stateInstance"] for b in bodies] == [state, "authorized"]
    assert all(b["typeWebhook"] == "stateInstanceChanged" for b in bodies)


async def test_send_timeout_is_ambiguous_and_the_message_went_out(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    api = make_client(sandbox, fake_sleep, timeout=0.3)
    sandbox.add_fault("sendMessage", delay=1.0, after_effect=True)
    try:
        with pytest.raises(GreenApiTimeout) as info:
            await api.send_message(CUSTOMER, "Ваш заказ оформлен, ожидайте звонка курьера")
        assert info.value.ambiguous and info.value.method == "sendMessage"
        assert fake_sleep.delays == []
        [sent] = sandbox.sent
        assert sent.text == "Ваш заказ оформлен, ожидайте звонка курьера"
        # What the sender does next: reconcile instead of resending blindly.
        recent = await api.last_outgoing_messages(5)
        assert [m["idMessage"] for m in recent] == [sent.id_message]
    finally:
        await api.aclose()


async def test_send_fault_without_after_effect_sends_nothing(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    sandbox.add_fault("sendFileByUrl", 500)
    with pytest.raises(GreenApiServerError):
        await client.send_file_by_url(CUSTOMER, "https://example.com/a.jpg", "a.jpg")
    assert sandbox.sent == [] and sandbox.pending_notifications() == 0


async def test_idempotent_timeout_is_retried(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    api = make_client(sandbox, fake_sleep, timeout=0.3)
    sandbox.add_fault("getStateInstance", delay=1.0)
    try:
        assert await api.get_state_instance() == "authorized"
    finally:
        await api.aclose()
    assert len(fake_sleep.delays) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused(fake_sleep: FakeSleep) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    api = GreenApiClient(url, url, "1101000001", Secret("tok-refused-123"), sleep=fake_sleep, max_attempts=3)
    try:
        with pytest.raises(GreenApiNetworkError) as info:
            await api.get_state_instance()
        assert len(fake_sleep.delays) == 2 and info.value.retryable
        with pytest.raises(GreenApiNetworkError) as info2:
            await api.send_message(CUSTOMER, "текст")
        assert not info2.value.ambiguous  # never connected: safe to resend
        assert len(fake_sleep.delays) == 2
    finally:
        await api.aclose()


async def test_bad_request_and_protocol_errors(client: GreenApiClient, sandbox: GreenApiSandbox, fake_sleep: FakeSleep, tmp_path: Path) -> None:
    with pytest.raises(GreenApiBadRequest) as info:
        await client.send_message("87011234567", "неправильный chatId")
    assert info.value.status == 400 and "chatId" in str(info.value)
    sandbox.add_fault("getStateInstance", 200, body="<html>maintenance</html>")
    with pytest.raises(GreenApiProtocolError) as info2:
        await client.get_state_instance()
    assert "maintenance" in str(info2.value)
    sandbox.add_fault("sendMessage", 200, body={"unexpected": True})
    with pytest.raises(GreenApiProtocolError):
        await client.send_message(CUSTOMER, "ответ без idMessage")
    with pytest.raises(GreenApiBadRequest):
        await client.send_file_by_upload(CUSTOMER, tmp_path / "нет_такого.jpg", "нет_такого.jpg")
    with pytest.raises(ValueError):
        await client.receive_notification(3)
    assert await client.set_settings({"webhookUrl": "https://example.com/hook"})
    with pytest.raises(GreenApiBadRequest) as info3:
        await client.receive_notification(5)
    assert "webhook" in str(info3.value)
    assert fake_sleep.delays == []


async def test_token_never_leaks(fake_sleep: FakeSleep, caplog: pytest.LogCaptureFixture) -> None:
    token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0TOKEN"
    caplog.set_level(logging.DEBUG)
    box = GreenApiSandbox(token=token, poll_scale=0.02)
    await box.start()
    api = make_client(box, fake_sleep, timeout=0.3, max_attempts=2)
    wrong = GreenApiClient(box.api_url, box.api_url, box.instance_id, Secret(token + "x"), sleep=fake_sleep)
    refused_url = f"http://127.0.0.1:{_closed_port()}"
    refused = GreenApiClient(refused_url, refused_url, box.instance_id, Secret(token), sleep=fake_sleep, max_attempts=2)
    errors: list[Exception] = []
    try:
        assert await api.get_state_instance() == "authorized"
        box.add_fault("sendMessage", 500, body=f"upstream failed: /waInstance{box.instance_id}/sendMessage/{token}")
        box.add_fault("getSettings", 404, count=2, body={"path": f"/waInstance{box.instance_id}/getSettings/{token}"})
        box.add_fault("sendFileByUrl", delay=1.0)
        box.add_fault("getStateInstance", 200, body=f"not json {token}")
        for call in (
            lambda: api.send_message(CUSTOMER, "x"),
            lambda: api.get_settings(),
            lambda: api.send_file_by_url(CUSTOMER, "https://example.com/a.jpg", "a.jpg"),
            lambda: api.get_state_instance(),
            lambda: wrong.get_state_instance(),
            lambda: refused.get_state_instance(),
            lambda: refused.send_message(CUSTOMER, "x"),
        ):
            with pytest.raises(Exception) as info:
                await call()
            errors.append(info.value)
    finally:
        for c in (api, wrong, refused):
            await c.aclose()
        await box.stop()
    assert len(errors) == 7
    for error in errors:
        assert token not in str(error) and token not in repr(error)
        assert token not in str(getattr(error, "body", "")) or isinstance(error, GreenApiBadRequest)
        assert token not in getattr(error, "body_text", "")
        # no httpx exception (its request holds the URL) rides along in a traceback
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    assert "***" in str(errors[0])  # the echoed path was redacted, not dropped
    assert token not in caplog.text
    # each request's URL was logged (DEBUG), with the token redacted
    assert f"GET {box.api_url}/waInstance{box.instance_id}/getStateInstance/***" in caplog.text
