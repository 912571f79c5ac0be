"""The sandbox itself: protocol edges, seeded faults, statuses, HTTP control, subprocess."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx
import pytest

from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.errors import GreenApiServerError
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.greenapi.sandbox_control import SandboxControlClient, SandboxControlError
from ottenok_desktop.settings import Secret

from .conftest import CUSTOMER, CUSTOMER2, FakeSleep, drain, make_client


async def test_protocol_edges(sandbox: GreenApiSandbox) -> None:
    base = f"{sandbox.api_url}/waInstance{sandbox.instance_id}"
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{base}/noSuchMethod/{sandbox.token}")).status_code == 404
        assert (await http.post(f"{base}/receiveNotification/{sandbox.token}")).status_code == 405
        assert (await http.get(f"{base}/receiveNotification/{sandbox.token}", params={"receiveTimeout": 61})).status_code == 400
        assert (await http.delete(f"{base}/deleteNotification/{sandbox.token}/abc")).status_code == 400
        assert (await http.post(f"{base}/sendMessage/{sandbox.token}", content=b"{not json")).status_code == 400
        assert (await http.post(f"{base}/sendMessage/{sandbox.token}", json={"chatId": CUSTOMER})).status_code == 400
        assert (await http.post(f"{base}/sendFileByUpload/{sandbox.token}", json={"chatId": CUSTOMER})).status_code == 400
        assert (await http.get(f"{sandbox.api_url}/waInstance{sandbox.instance_id}/getSettings")).status_code == 404
        empty = await http.get(f"{base}/receiveNotification/{sandbox.token}", params={"receiveTimeout": 5})
        assert empty.status_code == 200 and empty.text == "null"
    assert sandbox.sent == []


async def test_statuses_can_arrive_out_of_order(fake_sleep: FakeSleep) -> None:
    box = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=3, shuffle_statuses=True)
    await box.start()
    api = make_client(box, fake_sleep)
    try:
        orders = []
        for text in ("Первое", "Второе", "Третье"):
            id_message = await api.send_message(CUSTOMER, text)
            await asyncio.sleep(0.06)
            bodies = [b for b in await drain(api) if b["typeWebhook"] == "outgoingMessageStatus"]
            assert {b["idMessage"] for b in bodies} == {id_message}
            orders.append(tuple(b["status"] for b in bodies))
        assert all(sorted(order) == ["delivered", "read", "sent"] for order in orders)
        assert any(order != ("sent", "delivered", "read") for order in orders)
        # The instance's own record keeps the furthest status, whatever the order.
        assert {m["statusMessage"] for m in await api.last_outgoing_messages(5)} == {"read"}
    finally:
        await api.aclose()
        await box.stop()


async def _fault_pattern(seed: int) -> list[bool]:
    box = GreenApiSandbox(seed=seed)
    await box.start()
    box.set_fault_rate(0.3, methods=("getStateInstance",), statuses=(500,))
    api = GreenApiClient(box.api_url, box.api_url, box.instance_id, Secret(box.token), max_attempts=1)
    pattern = []
    try:
        for _ in range(30):
            try:
                await api.get_state_instance()
                pattern.append(False)
            except GreenApiServerError:
                pattern.append(True)
        assert await api.get_settings()  # not in `methods`: never faulted
    finally:
        await api.aclose()
        await box.stop()
    return pattern


async def test_seeded_fault_rate_is_reproducible() -> None:
    first, again, other = await _fault_pattern(11), await _fault_pattern(11), await _fault_pattern(12)
    assert first == again
    assert first != other
    assert 3 <= sum(first) <= 18


async def test_client_rides_through_random_faults(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    api = make_client(sandbox, fake_sleep, max_attempts=8)
    sandbox.set_fault_rate(0.3, methods=("receiveNotification", "deleteNotification"), statuses=(429, 500, 502, 503))
    ids = [sandbox.inject_text(CUSTOMER, f"сообщение {n}") for n in range(10)]
    try:
        bodies = await drain(api)
    finally:
        await api.aclose()
    assert [b["idMessage"] for b in bodies] == ids
    assert fake_sleep.delays  # some faults happened and were retried


async def test_wait_sent_times_out(sandbox: GreenApiSandbox) -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        await sandbox.wait_sent(1, timeout=0.05)


async def test_stop_ends_a_pending_long_poll() -> None:
    box = GreenApiSandbox(poll_scale=1.0)
    await box.start()
    async with httpx.AsyncClient() as http:
        poll = asyncio.create_task(http.get(
            f"{box.api_url}/waInstance{box.instance_id}/receiveNotification/{box.token}", params={"receiveTimeout": 30}
        ))
        await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await box.stop()
        response = await poll
    assert response.text == "null"
    assert loop.time() - started < 2.0


async def test_http_control_mirrors_in_process_control(sandbox: GreenApiSandbox, client: GreenApiClient) -> None:
    control = SandboxControlClient(sandbox.api_url)
    try:
        id_message = await control.inject_text(CUSTOMER, "скинь фото бежевых", "Мадина")
        phone_id = await control.inject_phone_text(CUSTOMER2, "Добрый день, это Дана")
        await control.duplicate_next(1)
        receipt = await control.inject_body({"typeWebhook": "incomingCall", "from": CUSTOMER})
        poison = await control.inject_raw("{broken")
        assert receipt + 1 < poison
        assert await control.pending_notifications() >= 5
        bodies = []
        while (note := await client.receive_notification(5)) is not None:
            bodies.append(note.body)
            await client.delete_notification(note.receipt_id)
        # (the phone message's statuses come in between, on their own timers)
        bodies = [b for b in bodies if not (isinstance(b, dict) and b["typeWebhook"] == "outgoingMessageStatus")]
        kinds = [b["typeWebhook"] if isinstance(b, dict) else b for b in bodies]
        assert kinds[:5] == ["incomingMessageReceived", "outgoingMessageReceived", "incomingCall", "incomingCall", None]
        assert bodies[0]["idMessage"] == id_message and bodies[1]["idMessage"] == phone_id
        assert bodies[0]["senderData"]["senderName"] == "Мадина"

        await control.add_fault("sendMessage", 503)
        with pytest.raises(GreenApiServerError):
            await client.send_message(CUSTOMER, "не дойдёт")
        await control.set_state("notAuthorized")
        assert await client.get_state_instance() == "notAuthorized"
        await control.set_state("authorized")
        await control.set_fault_rate(0.0)

        waiter = asyncio.create_task(control.sent(CUSTOMER, after=0, wait=5.0))
        await asyncio.sleep(0.05)
        sent_id = await client.send_message(CUSTOMER, "Вот фото бежевых 👇")
        total, messages = await waiter
        assert total == 1 and messages[0]["id_message"] == sent_id and messages[0]["text"] == "Вот фото бежевых 👇"
        assert (await control.sent(CUSTOMER2))[1] == []
        with pytest.raises(SandboxControlError):
            await control.inject_body("oops")  # type: ignore[arg-type]
        with pytest.raises(SandboxControlError):
            await control.add_fault("sendMessage", count="many")  # type: ignore[arg-type]
    finally:
        await control.aclose()


async def test_sandbox_runs_as_a_subprocess(fake_sleep: FakeSleep) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ottenok_desktop.services.greenapi.sandbox", "--token", "sub-token", "--poll-scale", "0.02"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline)
        info = json.loads(line)
        api = GreenApiClient(info["api_url"], info["api_url"], info["instance_id"], Secret("sub-token"), sleep=fake_sleep)
        control = SandboxControlClient(info["api_url"])
        try:
            await control.inject_text(CUSTOMER, "есть 36 размер?")
            note = await api.receive_notification(5)
            assert note is not None and note.body["messageData"]["textMessageData"]["textMessage"] == "есть 36 размер?"
            await api.send_message(CUSTOMER, "Да, есть")
            total, messages = await control.sent(CUSTOMER)
            assert total == 1 and messages[0]["text"] == "Да, есть"
        finally:
            await api.aclose()
            await control.aclose()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
