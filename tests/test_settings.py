"""Settings: sources and precedence, validation messages, secrets never shown."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from ottenok_desktop.logging_setup import RedactingFilter, configure_logging
from ottenok_desktop.settings import (
    Secret, SettingsError, WorkHours, load_settings, normalize_phone, resolve_data_dir, write_settings_file,
)

TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"


def load(data_dir: Path, environ: dict[str, str] | None = None, **kwargs):
    return load_settings(data_dir=data_dir, environ=environ or {}, env_file=data_dir / "absent.env", **kwargs)


def test_defaults(data_dir: Path) -> None:
    s = load(data_dir)
    assert s.green_api_url == "https://api.green-api.com" and s.media_url == s.green_api_url
    assert s.openai_model == "gpt-4o" and s.openai_embedding_model == "text-embedding-3-small"
    assert s.timezone == "Asia/Almaty" and s.work_hours == WorkHours(9, 19)
    assert s.nudge_enabled and s.demo_mode and s.llm_mode == "offline"
    assert s.inventory_path == data_dir / "inventory.xlsx"
    assert s.knowledge_dir == data_dir / "knowledge_base" and s.photos_path == data_dir / "photos"


def test_precedence_file_then_dotenv_then_environment(data_dir: Path) -> None:
    (data_dir / "settings.json").write_text(json.dumps({"OPENAI_MODEL": "from-file", "OTTENOK_WORK_HOURS": "10-20"}))
    (data_dir / ".env").write_text('OPENAI_MODEL="from-dotenv"\n# comment\nexport MANAGER_NUMBERS=+7 701 111 22 33\n')
    s = load(data_dir, {"OPENAI_MODEL": "from-env"})
    assert s.openai_model == "from-env"
    assert s.work_hours == WorkHours(10, 20)
    assert s.manager_numbers == ("77011112233",)


def test_announcement_pace_settings(data_dir: Path) -> None:
    s = load(data_dir)
    assert (s.announce_min_seconds, s.announce_max_seconds, s.announce_max_failures) == (4.0, 8.0, 3)
    s = load(data_dir, {"OTTENOK_ANNOUNCE_MIN_SEC": "10", "OTTENOK_ANNOUNCE_MAX_SEC": "15.5",
                        "OTTENOK_ANNOUNCE_MAX_FAILURES": "5"})
    assert (s.announce_min_seconds, s.announce_max_seconds, s.announce_max_failures) == (10.0, 15.5, 5)


def test_credentials_switch_demo_off(data_dir: Path) -> None:
    s = load(data_dir, {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": TOKEN})
    assert s.has_whatsapp_credentials and not s.demo_mode
    assert load(data_dir, {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": TOKEN}, demo=True).demo_mode


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("GREEN_API_INSTANCE_ID", "abc", "numeric idInstance"), ("GREEN_API_URL", "api.green-api.com", "http(s) URL"),
     ("OPENAI_BASE_URL", "localhost:11434", "http(s) URL"), ("NUDGE_ENABLED", "maybe", "1 or 0"),
     ("OTTENOK_TIMEZONE", "Almaty", "IANA time zone"), ("OTTENOK_WORK_HOURS", "9to19", "START-END"),
     ("OTTENOK_WORK_HOURS", "19-9", "START < END"), ("MANAGER_NUMBERS", "7701,abc", "phone numbers"),
     ("OPENAI_MODEL", "", "non-empty"), ("OTTENOK_ANNOUNCE_MIN_SEC", "быстро", "seconds between 0.5 and 3600"),
     ("OTTENOK_ANNOUNCE_MAX_SEC", "0", "seconds between 0.5 and 3600"),
     ("OTTENOK_ANNOUNCE_MAX_FAILURES", "0", "from 1 to 100")],
)
def test_invalid_values_name_setting_and_form(data_dir: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as info:
        load(data_dir, {name: value})
    assert info.value.name == name and expected in str(info.value)


def test_bad_command_line_values(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match="--time-scale"):
        load(data_dir, time_scale=0)
    with pytest.raises(SettingsError, match="--start-time"):
        load(data_dir, start_time="вчера")


def test_broken_settings_file_is_reported(data_dir: Path) -> None:
    (data_dir / "settings.json").write_text("{broken")
    with pytest.raises(SettingsError, match="settings.json"):
        load(data_dir)


def test_secrets_hidden_in_repr_and_errors(data_dir: Path) -> None:
    s = load(data_dir, {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": TOKEN, "OPENAI_API_KEY": "sk-test-" + "x" * 30})
    assert TOKEN not in repr(s) and "sk-test" not in repr(s) and TOKEN not in str(s.green_api_token)
    assert s.green_api_token.reveal() == TOKEN
    with pytest.raises(SettingsError) as info:
        load(data_dir, {"GREEN_API_TOKEN": TOKEN, "GREEN_API_INSTANCE_ID": "oops"})
    assert TOKEN not in str(info.value)
    assert Secret("a") == Secret("a") and not Secret("")


def test_data_dir_resolution(tmp_path: Path) -> None:
    assert resolve_data_dir(tmp_path / "cli", {"OTTENOK_DATA_DIR": str(tmp_path / "env")}) == (tmp_path / "cli").resolve()
    assert resolve_data_dir(None, {"OTTENOK_DATA_DIR": str(tmp_path / "env")}) == (tmp_path / "env").resolve()
    assert resolve_data_dir(None, {}).name == "Ottenok"


def test_write_settings_file_round_trip(data_dir: Path) -> None:
    write_settings_file(data_dir, {"OPENAI_MODEL": "llama3.1", "UNKNOWN": "x"})
    assert json.loads((data_dir / "settings.json").read_text()) == {"OPENAI_MODEL": "llama3.1"}
    assert load(data_dir).openai_model == "llama3.1"


@pytest.mark.parametrize(("raw", "phone"), [("+7 (701) 123-45-67", "77011234567"), ("87011234567", "77011234567"),
                                            ("77011234567@c.us", "77011234567")])
def test_phone_normalisation(raw: str, phone: str) -> None:
    assert normalize_phone(raw) == phone


def test_secrets_absent_from_logs(tmp_path: Path) -> None:
    configure_logging(tmp_path, [TOKEN])
    log = logging.getLogger("ottenok.test")
    log.error("calling https://api.green-api.com/waInstance1101/sendMessage/%s failed", TOKEN)
    try:
        raise RuntimeError(f"boom at /waInstance1101/receiveNotification/{TOKEN}")
    except RuntimeError:
        log.exception("with traceback")
    log.warning("auth header Bearer sk-abcdefabcdefabcdef")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / "ottenok.log").read_text(encoding="utf-8")
    assert TOKEN not in text and "sk-abcdef" not in text
    assert "sendMessage/***" in text and "Bearer ***" in text


def test_redactor_masks_unknown_tokens_in_urls() -> None:
    assert RedactingFilter().redact("/waInstance77/getSettings/abcdef123") == "/waInstance77/getSettings/***"


def test_unreadable_env_file_and_zone_directory_are_reported(data_dir: Path) -> None:
    (data_dir / ".env").write_bytes("OTTENOK_NUDGE1_TEXT=Здравствуйте\n".encode("cp1251"))  # saved as ANSI in Notepad
    with pytest.raises(SettingsError, match="UTF-8"):
        load(data_dir)
    (data_dir / ".env").unlink()
    with pytest.raises(SettingsError, match="IANA time zone"):
        load(data_dir, {"OTTENOK_TIMEZONE": "Asia"})
