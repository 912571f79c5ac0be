"""Database URLs: which backend a target names, and how to show it without its password."""

from __future__ import annotations

import re
from pathlib import Path

_SCHEMES = ("postgresql://", "postgres://")
_PASSWORD = re.compile(r"^(?P<head>[a-z]+://[^:/@]*):(?P<password>[^@]*)@")
_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&\s]*")


def is_postgres_url(target: Path | str) -> bool:
    return isinstance(target, str) and target.lower().startswith(_SCHEMES)


def normalize_postgres_url(url: str) -> str:
    """`postgres://` is accepted too; peewee and libpq both want `postgresql://`."""
    if url.lower().startswith("postgres://"):
        return "postgresql://" + url[len("postgres://"):]
    return url


def redact_url(url: str) -> str:
    """`postgresql://ottenok:secret@host/db` → `postgresql://ottenok:***@host/db`."""
    url = _PASSWORD.sub(lambda m: f"{m.group('head')}:***@", url)
    return _PASSWORD_PARAM.sub(r"\1***", url)


def url_password(url: str) -> str:
    """The password in a URL (for the log filter's list of secrets), or ''."""
    match = _PASSWORD.match(url)
    return match.group("password") if match else ""
