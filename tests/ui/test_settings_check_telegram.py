"""«Проверить» for Telegram: getMe with the typed token, and the bot's place in the operators' group."""

from __future__ import annotations

from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from ottenok_desktop.ui import settings_checks


async def test_telegram_check_reports_the_bot_and_the_group() -> None:
    sandbox = TelegramSandbox()
    sandbox.add_group(-1001112223334)
    await sandbox.start()
    try:
        base = {"TELEGRAM_BOT_TOKEN": sandbox.token, "TELEGRAM_API_URL": sandbox.api_url}
        ok, text = await settings_checks.check_telegram(base)
        assert ok and text == "Бот @ottenok_shop_bot на связи"
        ok, text = await settings_checks.check_telegram({**base, "TELEGRAM_OPERATORS_CHAT_ID": "-1001112223334"})
        assert ok and "в группе операторов: administrator" in text
        ok, text = await settings_checks.check_telegram({**base, "TELEGRAM_OPERATORS_CHAT_ID": "-1009999999999"})
        assert not ok and "группа операторов недоступна" in text
        ok, text = await settings_checks.check_telegram({**base, "TELEGRAM_BOT_TOKEN": "123:wrong-token"})
        assert not ok and "wrong-token" not in text and text.startswith("Ошибка")
        assert await settings_checks.check_telegram({}) == (False, "Укажите токен бота")
    finally:
        await sandbox.stop()
