"""Settings: one frozen object, loaded once at start-up.

Sources, later ones winning: built-in defaults, the settings file in the data dir
(`settings.json`, written by the console's settings dialog; its secrets live in the OS
credential store instead when there is one, see secret_store.py), a `.env` file in the
data dir, then one in the current directory, then the process environment. The names are the
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
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from .secret_store import SecretStore

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
    # downloaded voice notes kept in <data dir>/voice for the console's play button (issue 17)
    voice_cache_mb: int = 200
    voice_cache_days: int = 60
    google_drive_photos_folder_id: str = ""
    google_credentials_file: Path | None = None
    inventory_excel_path: Path | None = None
    promotions_excel_path: Path | None = None  # promotions.xlsx (issue 16); default in the data dir
    partners_excel_path: Path | None = None  # partners.xlsx (issue 16); default in the data dir
    knowledge_base_dir: Path | None = None
    photos_dir: Path | None = None
    manager_numbers: tuple[str, ...] = ()
    nudge_enabled: bool = True
    timezone: str = "Asia/Almaty"
    work_hours: WorkHours = field(default_factory=WorkHours)
    nudge1_text: str = DEFAULT_NUDGE1_TEXT
    nudge2_text: str = DEFAULT_NUDGE2_TEXT
    persona_name: str = "Алина"
    telegram_bot_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_api_url: str = "https://api.telegram.org"
    telegram_operators_chat_id: int | None = None
    telegram_operator_ids: tuple[int, ...] = ()
    telegram_owner_chat_id: int | None = None
    demo_telegram: bool = False  # demo mode also runs a Telegram sandbox (aiogram's import is slow: opt-in)
    # Analytics (issue 14): first reply slower than this many working minutes gets advice;
    # the daily report is made at this shop time ("" = the opening hour) for the day before,
    # the weekly one on Mondays at the same time for the week before.
    slow_first_reply_minutes: int = 10
    report_time: str = ""
    reports_enabled: bool = True
    demo: bool = False
    time_scale: float = 1.0
    start_time: str = ""
    database_url: Secret = field(default_factory=lambda: Secret(""))  # postgresql://… (may hold a password)
    seat_id: str = ""  # this seat's id (several seats); default the computer's name
    seat_name: str = ""  # this seat's manager name (several seats)
    seat_role: str = "leader-capable"  # leader-capable | console-only
    # a send whose answer was lost is looked up in GREEN-API's journal, which may lag up to two
    # minutes: only after this many seconds is it declared lost and sent again
    green_api_reconcile_grace: float = 120.0
    # announcements (issue 16): one chat every min..max shop seconds (jittered); a run of
    # max_failures failing sends pauses the announcement
    announce_min_seconds: float = 4.0
    announce_max_seconds: float = 8.0
    announce_max_failures: int = 3
    lease_seconds: float = 10.0  # the engine lease; another seat takes over within lease + lease/5 after the leader stops renewing

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
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

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
    def database_target(self) -> Path | str:
        """What `Database(...)` opens: the shared PostgreSQL URL when set, else the SQLite file."""
        return self.database_url.reveal() or self.database_path

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def photo_prints_dir(self) -> Path:
        """Fingerprints of the shop's photos for picture matching (a cache: safe to delete)."""
        return self.data_dir / "photo_prints"

    @property
    def inventory_path(self) -> Path:
        return self.inventory_excel_path or self.data_dir / "inventory.xlsx"

    @property
    def promotions_path(self) -> Path:
        return self.promotions_excel_path or self.data_dir / "promotions.xlsx"

    @property
    def partners_path(self) -> Path:
        return self.partners_excel_path or self.data_dir / "partners.xlsx"

    @property
    def knowledge_dir(self) -> Path:
        return self.knowledge_base_dir or self.data_dir / "knowledge_base"

    @property
    def voice_cache_dir(self) -> Path:
        return self.data_dir / "voice"

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
    "OTTENOK_VOICE_CACHE_MB": "voice_cache_mb",
    "OTTENOK_VOICE_CACHE_DAYS": "voice_cache_days",
    "GOOGLE_DRIVE_PHOTOS_FOLDER_ID": "google_drive_photos_folder_id",
    "GOOGLE_CREDENTIALS_FILE": "google_credentials_file",
    "INVENTORY_EXCEL_PATH": "inventory_excel_path",
    "PROMOTIONS_PATH": "promotions_excel_path",
    "PARTNERS_PATH": "partners_excel_path",
    "KNOWLEDGE_BASE_DIR": "knowledge_base_dir",
    "PHOTOS_DIR": "photos_dir",
    "MANAGER_NUMBERS": "manager_numbers",
    "NUDGE_ENABLED": "nudge_enabled",
    "OTTENOK_TIMEZONE": "timezone",
    "OTTENOK_WORK_HOURS": "work_hours",
    "OTTENOK_NUDGE1_TEXT": "nudge1_text",
    "OTTENOK_NUDGE2_TEXT": "nudge2_text",
    "OTTENOK_PERSONA_NAME": "persona_name",
    "TELEGRAM_BOT_TOKEN": "telegram_bot_token",
    "TELEGRAM_API_URL": "telegram_api_url",
    "TELEGRAM_OPERATORS_CHAT_ID": "telegram_operators_chat_id",
    "TELEGRAM_OPERATOR_IDS": "telegram_operator_ids",
    "TELEGRAM_OWNER_CHAT_ID": "telegram_owner_chat_id",
    "OTTENOK_DEMO_TELEGRAM": "demo_telegram",
    "OTTENOK_SLOW_FIRST_REPLY_MIN": "slow_first_reply_minutes",
    "OTTENOK_REPORT_TIME": "report_time",
    "OTTENOK_REPORTS_ENABLED": "reports_enabled",
    "DATABASE_URL": "database_url",
    "OTTENOK_SEAT_ID": "seat_id",
    "OTTENOK_SEAT_NAME": "seat_name",
    "OTTENOK_SEAT_ROLE": "seat_role",
    "OTTENOK_LEASE_SECONDS": "lease_seconds",
    "GREEN_API_RECONCILE_GRACE": "green_api_reconcile_grace",
    "OTTENOK_ANNOUNCE_MIN_SEC": "announce_min_seconds",
    "OTTENOK_ANNOUNCE_MAX_SEC": "announce_max_seconds",
    "OTTENOK_ANNOUNCE_MAX_FAILURES": "announce_max_failures",
}
SECRET_NAMES = frozenset({"GREEN_API_TOKEN", "OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN", "DATABASE_URL"})
SEAT_ROLES = ("leader-capable", "console-only")
_TRUE = {"1", "true", "yes", "on", "да"}
_FALSE = {"0", "false", "no", "off", "нет", ""}


def default_data_dir() -> Path:
    """%LOCALAPPDATA%\\Ottenok on Windows (the local disk: SQLite and the indexes never on a
    roaming profile or a network share), ~/.local/share/Ottenok on Linux. data_dirs.py moves
    the data of older versions from %APPDATA%\\Ottenok once, at start-up (__main__)."""
    from .data_dirs import local_data_dir

    return local_data_dir()


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


def write_settings_file(data_dir: Path, values: Mapping[str, str], secret_store: "SecretStore | None" = None) -> Path:
    """Save console-edited values (names from ENV_NAMES) atomically; secrets go to the OS
    credential store when there is one (secret_store.py), else into the file as before."""
    from .secret_store import SecretStore, save_secrets

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SETTINGS_FILE_NAME
    taken = save_secrets(secret_store or SecretStore(data_dir), values, SECRET_NAMES)
    current = {k: v for k, v in read_settings_file(path).items() if k not in taken}
    current.update({k: v for k, v in values.items() if k in ENV_NAMES and k not in taken})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _hint(name: str, value: str) -> str:
    return "'***'" if name in SECRET_NAMES else repr(value)


_PHONE_RE = re.compile(r"^\d{10,15}$")
_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
_HOURS_RE = re.compile(r"^\s*(\d{1,2})\s*[-–]\s*(\d{1,2})\s*$")


def normalize_phone(value: str) -> str:
    """'+7 (701) 123-45-67' -> '77011234567'; '87011234567' (KZ trunk 8) -> '77011234567'."""
    digits = re.sub(r"\D", "", value.split("@", 1)[0])
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


def _convert(name: str, value: str) -> Any:
    value = value.strip()
    if name == "DATABASE_URL":
        if value and not re.match(r"^postgres(ql)?://\S+$", value, re.IGNORECASE):
            raise SettingsError(name, _hint(name, value), "a PostgreSQL URL, e.g. postgresql://ottenok:password@192.168.1.10:5432/ottenok")
        return Secret(value)
    if name in SECRET_NAMES:
        return Secret(value)
    if name == "OTTENOK_SEAT_ROLE":
        if value not in SEAT_ROLES:
            raise SettingsError(name, _hint(name, value), " or ".join(SEAT_ROLES))
        return value
    if name == "GREEN_API_RECONCILE_GRACE":
        try:
            grace = float(value)
        except ValueError:
            grace = -1.0
        if not 0.0 <= grace <= 600.0:
            raise SettingsError(name, _hint(name, value), "seconds between 0 and 600, e.g. 120")
        return grace
    if name in {"OTTENOK_ANNOUNCE_MIN_SEC", "OTTENOK_ANNOUNCE_MAX_SEC"}:
        try:
            pace = float(value)
        except ValueError:
            pace = -1.0
        if not 0.5 <= pace <= 3600.0:
            raise SettingsError(name, _hint(name, value), "seconds between 0.5 and 3600, e.g. 4 (min) and 8 (max)")
        return pace
    if name == "OTTENOK_ANNOUNCE_MAX_FAILURES":
        if not value.isdigit() or not 1 <= int(value) <= 100:
            raise SettingsError(name, _hint(name, value), "a whole number of failed sends from 1 to 100, e.g. 3")
        return int(value)
    if name == "OTTENOK_LEASE_SECONDS":
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 2.0 <= seconds <= 600.0:
            raise SettingsError(name, _hint(name, value), "seconds between 2 and 600, e.g. 10")
        return seconds
    if name == "GREEN_API_INSTANCE_ID":
        if value and not value.isdigit():
            raise SettingsError(name, _hint(name, value), "the numeric idInstance, e.g. 1101000001")
        return value
    if name in {"TELEGRAM_OPERATORS_CHAT_ID", "TELEGRAM_OWNER_CHAT_ID"}:
        if not value:
            return None
        if not re.match(r"^-?\d{1,20}$", value):
            raise SettingsError(name, _hint(name, value), "a numeric Telegram chat id, e.g. -1001234567890")
        return int(value)
    if name == "TELEGRAM_OPERATOR_IDS":
        ids = [p.strip() for p in value.split(",") if p.strip()]
        if any(not re.match(r"^\d{1,20}$", i) for i in ids):
            raise SettingsError(name, _hint(name, value), "comma-separated Telegram user ids, e.g. 123456789,987654321")
        return tuple(int(i) for i in ids)
    if name in {"GREEN_API_URL", "GREEN_API_MEDIA_URL", "OPENAI_BASE_URL", "TELEGRAM_API_URL"}:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise SettingsError(name, _hint(name, value), "an http(s) URL, e.g. https://api.green-api.com")
        return value.rstrip("/")
    if name in {"GOOGLE_CREDENTIALS_FILE", "INVENTORY_EXCEL_PATH", "KNOWLEDGE_BASE_DIR", "PHOTOS_DIR",
                "PROMOTIONS_PATH", "PARTNERS_PATH"}:
        return Path(value).expanduser() if value else None
    if name == "MANAGER_NUMBERS":
        phones = tuple(normalize_phone(p) for p in value.split(",") if p.strip())
        for phone in phones:
            if not _PHONE_RE.match(phone):
                raise SettingsError(name, _hint(name, value), "comma-separated phone numbers, e.g. 77011234567,77017654321")
        return phones
    if name == "OTTENOK_SLOW_FIRST_REPLY_MIN":
        if not value.isdigit() or not 1 <= int(value) <= 1440:
            raise SettingsError(name, _hint(name, value), "whole minutes from 1 to 1440, e.g. 10")
        return int(value)
    if name in {"OTTENOK_VOICE_CACHE_MB", "OTTENOK_VOICE_CACHE_DAYS"}:
        if not value.isdigit() or not 1 <= int(value) <= 100_000:
            unit = "megabytes, e.g. 200" if name.endswith("MB") else "days, e.g. 60"
            raise SettingsError(name, _hint(name, value), f"a whole number of {unit}")
        return int(value)
    if name == "OTTENOK_REPORT_TIME":
        if value and not _CLOCK_RE.match(value):
            raise SettingsError(name, _hint(name, value), "a shop time HH:MM, e.g. 09:00 (empty: the opening hour)")
        return value
    if name in {"NUDGE_ENABLED", "OTTENOK_REPORTS_ENABLED", "OTTENOK_DEMO_TELEGRAM", "OPENAI_VISION"}:
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
    secret_store: "SecretStore | None" = None,
) -> Settings:
    """Build the one Settings object. Raises SettingsError on any invalid value."""
    from .secret_store import SecretStore, move_plaintext_secrets

    env = dict(os.environ if environ is None else environ)
    root = resolve_data_dir(data_dir, env)
    merged: dict[str, str] = {}
    file_values = read_settings_file(root / SETTINGS_FILE_NAME)
    store = secret_store or SecretStore(root)
    for moved in move_plaintext_secrets(root / SETTINGS_FILE_NAME, file_values, store, sorted(SECRET_NAMES)):
        file_values.pop(moved)  # plaintext secrets leave settings.json for the credential store
    merged.update(file_values)
    merged.update(store.read_all(sorted(SECRET_NAMES)))  # the store stands where settings.json stood
    merged.update(parse_env_file(root / ENV_FILE_NAME))
    merged.update(parse_env_file(env_file if env_file is not None else Path.cwd() / ENV_FILE_NAME))
    merged.update({k: v for k, v in env.items() if k in ENV_NAMES})
    merged.update(overrides or {})
    kwargs: dict[str, Any] = {}
    for name, attr in ENV_NAMES.items():
        if name in merged:
            converted = _convert(name, merged[name])
            if converted == "" and attr in {"green_api_url", "telegram_api_url"}:
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
