"""The «Проверить» buttons of the settings dialog: one real call each, a plain answer.

Each check builds a short-lived client from the values typed in the dialog (not the
running ones), so the manager can test before saving. Nothing here raises: the result is
(ok, Russian text), with secrets never in the text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Mapping

from ..settings import Secret
from . import strings as S

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 15.0


def _error_text(exc: BaseException, secrets: tuple[str, ...]) -> str:
    text = str(exc) or type(exc).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return S.CHECK_ERROR.format(error=text[:300])


async def check_whatsapp(values: Mapping[str, str]) -> tuple[bool, str]:
    instance, token = values.get("GREEN_API_INSTANCE_ID", "").strip(), values.get("GREEN_API_TOKEN", "").strip()
    if not instance or not token:
        return False, S.CHECK_WHATSAPP_NEED
    from ..services.greenapi.client import GreenApiClient

    url = values.get("GREEN_API_URL", "").strip() or "https://api.green-api.com"
    client = GreenApiClient(url, url, instance, Secret(token), max_attempts=1, timeout=CHECK_TIMEOUT)
    try:
        state = await asyncio.wait_for(client.get_state_instance(), CHECK_TIMEOUT)
    except Exception as exc:  # every failure is shown to the manager in plain words
        log.info("whatsapp check failed: %s", type(exc).__name__)
        return False, _error_text(exc, (token,))
    finally:
        await client.aclose()
    label = S.INSTANCE_STATES.get(state, state)
    return state == "authorized", S.CHECK_WHATSAPP_STATE.format(state=label)


async def check_llm(values: Mapping[str, str]) -> tuple[bool, str]:
    key, base = values.get("OPENAI_API_KEY", "").strip(), values.get("OPENAI_BASE_URL", "").strip()
    if not key and not base:
        return False, S.CHECK_LLM_NEED
    from ..services.llm.client import DEFAULT_BASE_URL, LlmClient

    client = LlmClient(Secret(key), base or DEFAULT_BASE_URL, values.get("OPENAI_MODEL", "").strip() or "gpt-4o",
                       timeout=CHECK_TIMEOUT, max_retries=0)
    try:
        model = await asyncio.wait_for(client.ping(), CHECK_TIMEOUT + 1)
    except Exception as exc:  # shown to the manager
        log.info("llm check failed: %s", type(exc).__name__)
        return False, _error_text(exc, (key,))
    finally:
        await client.close()
    return True, S.CHECK_LLM_OK.format(answer=model)


async def check_drive(values: Mapping[str, str], executor: Any) -> tuple[bool, str]:
    folder, credentials = values.get("GOOGLE_DRIVE_PHOTOS_FOLDER_ID", "").strip(), values.get("GOOGLE_CREDENTIALS_FILE", "").strip()
    if not folder or not credentials:
        return False, S.CHECK_DRIVE_NEED
    try:
        from ..services.photos import drive  # built by the photos issue
    except ImportError:
        return False, S.CHECK_UNAVAILABLE
    lister = getattr(drive, "list_folder_count", None) or getattr(drive, "check_folder", None)
    if lister is None:
        return False, S.CHECK_UNAVAILABLE
    try:
        loop = asyncio.get_running_loop()
        count = await asyncio.wait_for(loop.run_in_executor(executor, lister, credentials, folder), CHECK_TIMEOUT)
    except Exception as exc:  # shown to the manager
        log.info("drive check failed: %s", type(exc).__name__)
        return False, _error_text(exc, ())
    return True, S.CHECK_DRIVE_OK.format(count=count)


async def check_telegram(values: Mapping[str, str]) -> tuple[bool, str]:
    """getMe with the typed token; with a group id, also whether the bot is in that group."""
    token = values.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return False, S.CHECK_TELEGRAM_NEED
    from ..services.telegram.client import TelegramApi

    url = values.get("TELEGRAM_API_URL", "").strip() or "https://api.telegram.org"
    api = TelegramApi(url, Secret(token), request_timeout=CHECK_TIMEOUT)
    try:
        await api.open()  # imports aiogram on a worker thread
        me = await asyncio.wait_for(api.get_me(), CHECK_TIMEOUT)
        text = S.CHECK_TELEGRAM_BOT.format(username=me.get("username", "?"))
        group = values.get("TELEGRAM_OPERATORS_CHAT_ID", "").strip()
        if not group:
            return True, text
        try:
            status = await asyncio.wait_for(api.member_status(int(group), int(me["id"])), CHECK_TIMEOUT)
        except Exception as exc:  # the group id is wrong or the bot was never added
            return False, text + S.CHECK_TELEGRAM_GROUP_ERROR.format(error=_error_text(exc, (token,)))
        if status in ("creator", "administrator", "member"):
            return True, text + S.CHECK_TELEGRAM_IN_GROUP.format(status=status)
        return False, text + S.CHECK_TELEGRAM_NOT_IN_GROUP
    except Exception as exc:  # shown to the manager
        log.info("telegram check failed: %s", type(exc).__name__)
        return False, _error_text(exc, (token,))
    finally:
        await api.aclose()


async def check_database(values: Mapping[str, str], executor: Any) -> tuple[bool, str]:
    """Connect to the shared PostgreSQL database typed in the dialog: its version and how
    many seats have used it (0 for a new, empty database)."""
    url = values.get("DATABASE_URL", "").strip()
    if not url:
        return False, S.CHECK_DB_NEED
    from ..services.storage.urls import normalize_postgres_url, url_password

    def probe() -> tuple[str, int]:
        import psycopg

        with psycopg.connect(normalize_postgres_url(url), connect_timeout=int(CHECK_TIMEOUT), autocommit=True) as conn:
            version = str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]
            has_seats = conn.execute("SELECT to_regclass('seat') IS NOT NULL").fetchone()[0]
            seats = conn.execute("SELECT count(*) FROM seat").fetchone()[0] if has_seats else 0
            return version, int(seats)

    try:
        version, seats = await asyncio.wait_for(
            asyncio.get_running_loop().run_in_executor(executor, probe), CHECK_TIMEOUT + 5)
    except Exception as exc:  # shown to the manager in plain words, without the password
        log.info("database check failed: %s", type(exc).__name__)
        return False, _error_text(exc, (url, url_password(url)))
    return True, S.CHECK_DB_OK.format(version=version, seats=seats)
