"""Settings: one frozen object, loaded once at start-up.

Sources, later ones winning: built-in defaults, the settings file in the data dir
(`settings.json`, written by the console's settings dialog), a `.env` file in the
current directory or the data dir, then the process environment. The names are the
contract in DESIGN.md §3. An invalid value raises `SettingsError` naming the setting
and the expected form; secrets are wrapped in `Secret` so they never reach a log,
a repr or an exception message.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SETTINGS_FILE_NAME = "settings.json"
ENV_FILE_NAME = ".env"

DEFAULT_NUDGE1_TEXT = (
    "Хотела уточнить, актуальна ли модель? Если есть вопросы — с радостью подскажу"
)
DEFAULT_NUDGE2_TEXT = (
    "Добрый день! Вчера вы интересовались моделью из рекламы. Напомню: у нас в магазине "
    "есть примерка и возможность возврата — вы ничем не рискуете."
)


class SettingsError(ValueError):
    """A setting has a value the program cannot use; the message names it."""

    def __init__(self, name: str, value_hint: str, expected: str) -> None:
        self.name = name
        self.expected = expected
        super().__init__(f"Invalid setting {name}={value_hint}: expected {expected}")


class Secret:
    """A token or key. Its repr and str never show the value; `reveal()` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class WorkHours:
    """Shop opening hours in shop time, [start, end) in whole hours."""

    start: int = 9
    end: int = 19

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    green_api_instance_id: str = ""
    green_api_token: Secret = field(default_factory=lambda: Secret(""))
    green_api_url: str = "https://api.green-api.com"
    green_api_media_url: str = ""
    openai_api_key: Secret = field(default_factory=lambda: Secret(""))
    openai_base_url: str = ""
    openai_model: str = "gpt-4o"
    openai_embedding_model: str = "text-embedding-3-small"
    openai_transcribe_model: str = "gpt-4o-mini-transcribe"
    openai_vision: bool = True  # send unmatched customer pictures to the chat model (it must see images)
    google_drive_photos_folder_id: str = ""
    google_credentials_file: Path | None = None
    inventory_excel_path: Path | None = None
    knowledge_base_dir: Path | None = None
    photos_dir: Path | None = None
    manager_numbers: tuple[str, ...] = ()
    nudge_enabled: bool = True
    timezone: str = "Asia/Almaty"
    work_hours: WorkHours = field(default_factory=WorkHours)
    nudge1_text: str = DEFAULT_NUDGE1_TEXT
    nudge2_text: str = DEFAULT_NUDGE2_TEXT
    persona_name: str = "Алина"
    demo: bool = False
    time_scale: float = 1.0
    start_time: str = ""

    # ---- derived values -------------------------------------------------------
    @property
    def has_whatsapp_credentials(self) -> bool:
        return bool(self.green_api_instance_id and self.green_api_token)

    @property
    def demo_mode(self) -> bool:
        """Demo runs the embedded sandbox: asked for, or no WhatsApp credentials."""
        return self.demo or not self.has_whatsapp_credentials

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key) or bool(self.openai_base_url)

    @property
    def llm_mode(self) -> str:
        """'openai', 'local' (an OpenAI-compatible server) or 'offline'."""
        if self.openai_base_url and "openai.com" not in self.openai_base_url:
            return "local"
        return "openai" if self.openai_api_key else "offline"

    @property
    def media_url(self) -> str:
        return self.green_api_media_url or self.green_api_url

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "ottenok.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def inventory_path(self) -> Path:
        return self.inventory_excel_path or self.data_dir / "inventory.xlsx"

    @property
    def knowledge_dir(self) -> Path:
        return self.knowledge_base_dir or self.data_dir / "knowledge_base"

    @property
    def photos_path(self) -> Path:
        return self.photos_dir or self.data_dir / "photos"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / SETTINGS_FILE_NAME

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    def __repr__(self) -> str:  # dataclass repr would be fine (Secret hides), keep it short
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))
        return f"Settings({shown})"


# ---- loading --------------------------------------------------------------------

# name in env / .env / settings file  ->  Settings field
ENV_NAMES: dict[str, str] = {
    "GREEN_API_INSTANCE_ID": "green_api_instance_id",
    "GREEN_API_TOKEN": "green_api_token",
    "GREEN_API_URL": "green_api_url",
    "GREEN_API_MEDIA_URL": "green_api_media_url",
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "OPENAI_MODEL": "openai_model",
    "OPENAI_EMBEDDING_MODEL": "openai_embedding_model",
    "OPENAI_TRANSCRIBE_MODEL": "openai_transcribe_model",
    "OPENAI_VISION": "openai_vision",
    "GOOGLE_DRIVE_PHOTOS_FOLDER_ID": "google_drive_photos_folder_id",
    "GOOGLE_CREDENTIALS_FILE": "google_credentials_file",
    "INVENTORY_EXCEL_PATH": "inventory_excel_path",
    "KNOWLEDGE_BASE_DIR": "knowledge_base_dir",
    "PHOTOS_DIR": "photos_dir",
    "MANAGER_NUMBERS": "manager_numbers",
    "NUDGE_ENABLED": "nudge_enabled",
    "OTTENOK_TIMEZONE": "timezone",
    "OTTENOK_WORK_HOURS": "work_hours",
    "OTTENOK_NUDGE1_TEXT": "nudge1_text",
    "OTTENOK_NUDGE2_TEXT": "nudge2_text",
    "OTTENOK_PERSONA_NAME": "persona_name",
}
SECRET_NAMES = frozenset({"GREEN_API_TOKEN", "OPENAI_API_KEY"})
_TRUE = {"1", "true", "yes", "on", "да"}
_FALSE = {"0", "false", "no", "off", "нет", ""}


def default_data_dir() -> Path:
    import platformdirs

    # roaming=True gives %APPDATA%\Ottenok on Windows (issue 8), ~/.local/share/Ottenok on Linux.
    return Path(platformdirs.user_data_dir("Ottenok", appauthor=False, roaming=True))


def resolve_data_dir(cli_value: str | Path | None, environ: Mapping[str, str]) -> Path:
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    if environ.get("OTTENOK_DATA_DIR"):
        return Path(environ["OTTENOK_DATA_DIR"]).expanduser().resolve()
    return default_data_dir()


def parse_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (comments, `export`, quotes allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(str(path), "<unreadable>", f"a UTF-8 text file of NAME=value lines ({type(exc).__name__})") from None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def read_settings_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(str(path), "<unreadable>", f"a JSON object ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise SettingsError(str(path), "<not an object>", "a JSON object of NAME: value")
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def write_settings_file(data_dir: Path, values: Mapping[str, str]) -> Path:
    """Save console-edited values (names from ENV_NAMES) atomically."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SETTINGS_FILE_NAME
    current = read_settings_file(path)
    current.update({k: v for k, v in values.items() if k in ENV_NAMES})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _hint(name: str, value: str) -> str:
    return "'***'" if name in SECRET_NAMES else repr(value)


_PHONE_RE = re.compile(r"^\d{10,15}$")
_HOURS_RE = re.compile(r"^\s*(\d{1,2})\s*[-–]\s*(\d{1,2})\s*$")


def normalize_phone(value: str) -> str:
    """'+7 (701) 123-45-67' -> '77011234567'; '87011234567' (KZ trunk 8) -> '77011234567'."""
    digits = re.sub(r"\D", "", value.split("@", 1)[0])
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


def _convert(name: str, value: str) -> Any:
    value = value.strip()
    if name in SECRET_NAMES:
        return Secret(value)
    if name == "GREEN_API_INSTANCE_ID":
        if value and not value.isdigit():
            raise SettingsError(name, _hint(name, value), "the numeric idInstance, e.g. 1101000001")
        return value
    if name in {"GREEN_API_URL", "GREEN_API_MEDIA_URL", "OPENAI_BASE_URL"}:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise SettingsError(name, _hint(name, value), "an http(s) URL, e.g. https://api.green-api.com")
        return value.rstrip("/")
    if name in {"GOOGLE_CREDENTIALS_FILE", "INVENTORY_EXCEL_PATH", "KNOWLEDGE_BASE_DIR", "PHOTOS_DIR"}:
        return Path(value).expanduser() if value else None
    if name == "MANAGER_NUMBERS":
        phones = tuple(normalize_phone(p) for p in value.split(",") if p.strip())
        for phone in phones:
            if not _PHONE_RE.match(phone):
                raise SettingsError(name, _hint(name, value), "comma-separated phone numbers, e.g. 77011234567,77017654321")
        return phones
    if name in ("NUDGE_ENABLED", "OPENAI_VISION"):
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise SettingsError(name, _hint(name, value), "1 or 0")
    if name == "OTTENOK_TIMEZONE":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a directory of zones
            raise SettingsError(name, _hint(name, value), "an IANA time zone name, e.g. Asia/Almaty") from None
        return value
    if name == "OTTENOK_WORK_HOURS":
        match = _HOURS_RE.match(value)
        if not match:
            raise SettingsError(name, _hint(name, value), "opening and closing hours as START-END, e.g. 9-19")
        start, end = int(match.group(1)), int(match.group(2))
        if not (0 <= start < end <= 24):
            raise SettingsError(name, _hint(name, value), "0 <= START < END <= 24, e.g. 9-19")
        return WorkHours(start, end)
    if name in {"OPENAI_MODEL", "OPENAI_EMBEDDING_MODEL", "OTTENOK_PERSONA_NAME"} and not value:
        raise SettingsError(name, _hint(name, value), "a non-empty name")
    return value


def load_settings(
    *,
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
    demo: bool = False,
    time_scale: float = 1.0,
    start_time: str = "",
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Build the one Settings object. Raises SettingsError on any invalid value."""
    env = dict(os.environ if environ is None else environ)
    root = resolve_data_dir(data_dir, env)
    merged: dict[str, str] = {}
    merged.update(read_settings_file(root / SETTINGS_FILE_NAME))
    merged.update(parse_env_file(root / ENV_FILE_NAME))
    merged.update(parse_env_file(env_file if env_file is not None else Path.cwd() / ENV_FILE_NAME))
    merged.update({k: v for k, v in env.items() if k in ENV_NAMES})
    merged.update(overrides or {})
    kwargs: dict[str, Any] = {}
    for name, attr in ENV_NAMES.items():
        if name in merged:
            converted = _convert(name, merged[name])
            if converted == "" and attr in {"green_api_url"}:
                continue
            kwargs[attr] = converted
    if time_scale <= 0:
        raise SettingsError("--time-scale", repr(time_scale), "a positive number")
    if start_time:
        from datetime import datetime

        try:
            datetime.fromisoformat(start_time)
        except ValueError:
            raise SettingsError("--start-time", repr(start_time), "an ISO date-time, e.g. 2026-11-23T09:00+05:00") from None
    return Settings(data_dir=root, demo=demo, time_scale=time_scale, start_time=start_time, **kwargs)
