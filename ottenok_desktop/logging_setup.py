"""Logging, configured once at the entry point: a rotating file in the data dir and
stderr. A filter masks every secret value the settings know about, wherever it
appears in a message, an argument or a traceback."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path
from typing import Iterable

_TOKEN_IN_URL = re.compile(r"(/waInstance\d+/[A-Za-z]+/)([^/?\s\"']+)")
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]+")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = _TOKEN_IN_URL.sub(r"\1***", text)
        return _BEARER.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure_logging(logs_dir: Path | None, secrets: Iterable[str] = (), level: int = logging.INFO,
                      stderr: bool = True) -> RedactingFilter:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    redactor = RedactingFilter(secrets)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = []
    if stderr:
        handlers.append(logging.StreamHandler())
    if logs_dir is not None:
        logs_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            logs_dir / "ottenok.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(redactor)
        root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "chromadb", "aiohttp.access", "apscheduler", "openai", "urllib3", "googleapiclient"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return redactor
