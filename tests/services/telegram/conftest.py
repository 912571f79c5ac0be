"""Fixtures: a Telegram Bot API sandbox on loopback and the program's client pointed at it."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from ottenok_desktop.services.telegram.client import TelegramApi
from ottenok_desktop.services.telegram.sandbox import DEFAULT_TOKEN, TelegramSandbox
from ottenok_desktop.settings import Secret

CUSTOMER = 5550001001  # a customer's Telegram user id (= their private chat id)
OPERATORS = -1001234567890  # the operators' group


@pytest.fixture
async def tg_sandbox() -> AsyncIterator[TelegramSandbox]:
    sandbox = TelegramSandbox(poll_scale=0.05)
    sandbox.add_group(OPERATORS, "Операторы Оттенок")
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def tg_api(tg_sandbox: TelegramSandbox) -> AsyncIterator[TelegramApi]:
    api = await TelegramApi(tg_sandbox.api_url, Secret(DEFAULT_TOKEN), request_timeout=5).open()
    yield api
    await api.aclose()
