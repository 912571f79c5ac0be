"""Typed GREEN-API errors, and the token redaction every message goes through.

The client maps each failure to one class so callers decide by type, not by parsing
text: `retryable` says whether the same call may succeed later, `ambiguous` says a send
may have gone out although no success answer arrived (the sender must reconcile with
`lastOutgoingMessages` before resending). The API token is part of every request URL,
so no message built here may contain it: the client redacts before constructing.
"""

from __future__ import annotations

import logging
from typing import Any

REDACTED = "***"


def redact(text: str, *secrets: str) -> str:
    """Replace every non-empty secret in `text` with '***'."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that removes a secret from a record's final message.

    Installed on third-party loggers (httpx logs each request URL at INFO level, and the
    URL contains the token) by the object that knows the secret.
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        if self.secret in message:
            record.msg = redact(message, self.secret)
            record.args = ()
        return True


class GreenApiError(Exception):
    """Any failure of a GREEN-API call. `method` is the API method name (no URL)."""

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        method: str,
        status: int | None = None,
        retryable: bool | None = None,
        ambiguous: bool = False,
        body: Any = None,
        body_text: str = "",
    ) -> None:
        super().__init__(message)
        self.method = method
        self.status = status
        self.retryable = self.default_retryable if retryable is None else retryable
        # True when a send may have been carried out despite the error (timeout, dropped
        # connection or 5xx after the request reached the server).
        self.ambiguous = ambiguous
        self.body = body  # parsed JSON body of the error response, if any
        self.body_text = body_text  # redacted, shortened response text

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class GreenApiNetworkError(GreenApiError):
    """Could not connect, or the connection broke (transport level)."""

    default_retryable = True


class GreenApiTlsError(GreenApiNetworkError):
    """The server's HTTPS certificate is not trusted here (antivirus/proxy HTTPS scanning,
    a wrong clock). Not retried quickly: it does not fix itself within seconds."""

    default_retryable = False


class GreenApiTimeout(GreenApiError):
    """The answer did not come in time. For sends `ambiguous` is True: it may have gone."""

    default_retryable = True


class GreenApiRateLimited(GreenApiError):
    """HTTP 429. `retry_after` is the server's Retry-After in seconds, if it sent one."""

    default_retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class GreenApiServerError(GreenApiError):
    """HTTP 5xx."""

    default_retryable = True


class GreenApiInstanceNotReady(GreenApiError):
    """HTTP 400 'instance is starting or not authorized': retry later, show the state.

    The client does not retry it by itself (it lasts minutes, until the phone is
    scanned or the instance boots); the poller/sender wait and show `state`.
    """

    default_retryable = True

    def __init__(self, message: str, *, state: str = "notAuthorized", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.state = state


class GreenApiAuthError(GreenApiError):
    """HTTP 401/403: wrong idInstance or apiTokenInstance. Not retryable."""


class GreenApiQuotaExceeded(GreenApiError):
    """HTTP 466: the plan's quota is used up. Not retryable; `body` keeps invokeStatus."""

    @property
    def invoke_status(self) -> dict[str, Any]:
        if isinstance(self.body, dict) and isinstance(self.body.get("invokeStatus"), dict):
            return self.body["invokeStatus"]
        return {}


class GreenApiBadRequest(GreenApiError):
    """Any other 4xx (or a request that cannot be built, e.g. an unreadable file)."""


class GreenApiProtocolError(GreenApiError):
    """A 2xx answer whose body is not the JSON the method documents."""
