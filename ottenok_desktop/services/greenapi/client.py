"""GREEN-API HTTP client (httpx): the calls the bot needs, typed errors, retries.

URLs are `{apiUrl}/waInstance{id}/{method}/{token}`; uploads go to the media host.
Idempotent calls (receive, delete, state, settings, readChat, lastOutgoingMessages)
retry transient failures with exponential backoff and full jitter (429 honours
Retry-After). Sends make exactly one attempt and raise the typed error: the persistent
outbox owns send retries, because a timed-out send may already have gone out and must
be reconciled first. The token never appears in a log line or an exception message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import random
import re
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx

from ottenok_desktop.settings import Secret

from ..tls import client_ssl_context, describe_tls_failure, tls_failure_reason

from .errors import (
    GreenApiAuthError,
    GreenApiBadRequest,
    GreenApiError,
    GreenApiInstanceNotReady,
    GreenApiNetworkError,
    GreenApiProtocolError,
    GreenApiQuotaExceeded,
    GreenApiRateLimited,
    GreenApiServerError,
    GreenApiTimeout,
    GreenApiTlsError,
    RedactingFilter,
    redact,
)

log = logging.getLogger(__name__)

# Loggers of the HTTP stack that may print a request URL (and so the token).
_HTTP_LOGGERS = ("httpx", "httpcore")
_SEND_METHODS = frozenset({"sendMessage", "sendFileByUpload", "sendFileByUrl"})
_RECEIPT_RE = re.compile(r'"receiptId"\s*:\s*(\d+)')
_NOT_READY_RE = re.compile(r"starting|not\s*authori[sz]ed", re.IGNORECASE)
_MAX_RETRY_AFTER = 300.0
_BODY_EXCERPT = 300


@dataclass(frozen=True)
class ReceivedNotification:
    """One queued notification. `body` is None when it could not be decoded."""

    receipt_id: int
    body: Any
    raw: str
    decode_error: str | None = None


_QUEUE_METHODS = frozenset({"receiveNotification", "deleteNotification"})
# A send's last check before its request; returns the seconds it may wait for a connection.
Gate = Callable[[], "float | None"]


class GreenApiClient:
    """Async client of one GREEN-API instance. Close it with `aclose()`."""

    def __init__(
        self,
        api_url: str,
        media_url: str,
        instance_id: str,
        token: Secret,
        *,
        http: httpx.AsyncClient | None = None,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        timeout: float = 30.0,
        upload_timeout: float = 120.0,
        executor: Executor | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.api_url = api_url.rstrip("/")
        self.media_url = (media_url or api_url).rstrip("/")
        self.instance_id = str(instance_id)
        self._token = token
        self._owns_http = http is None
        # HTTPS verified through the OS certificate store (services/tls.py).
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=10.0),
                                               verify=client_ssl_context())
        # The notification queue (receive, delete) gets a connection pool of its own: the
        # pool's bookkeeping runs over every connection under one lock, so with a dozen
        # sends in flight each receive/delete — the round trips every customer waits on —
        # would pay for the sends' connections too.
        self._queue_http = (
            httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=10.0), limits=httpx.Limits(max_connections=4),
                              verify=client_ssl_context())
            if http is None else http
        )
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._timeout = timeout
        self._upload_timeout = upload_timeout
        self._executor = executor  # for reading upload files off the loop
        self._log_filter = RedactingFilter(token.reveal())
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)

    def __repr__(self) -> str:
        return f"GreenApiClient(api_url={self.api_url!r}, instance_id={self.instance_id!r})"

    async def aclose(self) -> None:
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)
        if self._owns_http:
            await self._http.aclose()
            await self._queue_http.aclose()

    # ---- receiving ---------------------------------------------------------------
    async def receive_notification(self, receive_timeout: int = 20) -> ReceivedNotification | None:
        """Long-poll the queue head; None when nothing came within `receive_timeout` s."""
        if not 5 <= receive_timeout <= 60:
            raise ValueError("receive_timeout must be within 5..60 seconds")
        response = await self._call(
            "receiveNotification",
            "GET",
            params={"receiveTimeout": receive_timeout},
            timeout=receive_timeout + 10.0,
        )
        text = response.text
        try:
            data = json.loads(text)
        except ValueError as exc:
            # A poison body makes the whole answer invalid JSON; its receiptId can still
            # be read so the caller can record and delete it instead of looping forever.
            match = _RECEIPT_RE.search(text)
            if match is None:
                raise self._protocol_error("receiveNotification", "an answer without receiptId", text) from None
            return ReceivedNotification(int(match.group(1)), None, text, f"invalid JSON: {exc}")
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("receiptId"), int):
            raise self._protocol_error("receiveNotification", "an answer without receiptId", text)
        return ReceivedNotification(data["receiptId"], data.get("body"), text)

    async def delete_notification(self, receipt_id: int) -> bool:
        response = await self._call("deleteNotification", "DELETE", path_extra=str(int(receipt_id)))
        return bool(self._field(response, "deleteNotification", "result"))

    # ---- sending (one attempt each) ----------------------------------------------
    async def send_message(self, chat_id: str, message: str, quoted_message_id: str | None = None, *,
                           gate: Gate | None = None) -> str:
        payload: dict[str, Any] = {"chatId": chat_id, "message": message}
        if quoted_message_id:
            payload["quotedMessageId"] = quoted_message_id
        response = await self._call("sendMessage", "POST", json_body=payload, gate=gate)
        return self._id_message(response, "sendMessage")

    async def send_file_by_upload(self, chat_id: str, file: Path | bytes, file_name: str, caption: str = "", *,
                                  gate: Gate | None = None) -> str:
        if isinstance(file, (bytes, bytearray)):
            content = bytes(file)
        else:
            try:
                loop = asyncio.get_running_loop()
                content = await loop.run_in_executor(self._executor, Path(file).read_bytes)
            except OSError as exc:
                raise GreenApiBadRequest(
                    f"GREEN-API sendFileByUpload: cannot read the file {Path(file).name!r}: {exc.strerror}",
                    method="sendFileByUpload",
                ) from None
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        response = await self._call(
            "sendFileByUpload",
            "POST",
            host=self.media_url,
            data={"chatId": chat_id, "caption": caption, "fileName": file_name},
            files={"file": (file_name, content, mime)},
            timeout=self._upload_timeout,
            gate=gate,
        )
        return self._id_message(response, "sendFileByUpload")

    async def send_file_by_url(self, chat_id: str, url: str, file_name: str, caption: str = "", *,
                               gate: Gate | None = None) -> str:
        payload = {"chatId": chat_id, "urlFile": url, "fileName": file_name, "caption": caption}
        response = await self._call("sendFileByUrl", "POST", json_body=payload, gate=gate)
        return self._id_message(response, "sendFileByUrl")

    # ---- account and chats -------------------------------------------------------
    async def get_state_instance(self) -> str:
        response = await self._call("getStateInstance", "GET")
        state = self._field(response, "getStateInstance", "stateInstance")
        if not isinstance(state, str):
            raise self._protocol_error("getStateInstance", "stateInstance as a string", response.text)
        return state

    async def get_settings(self) -> dict[str, Any]:
        response = await self._call("getSettings", "GET")
        data = self._json(response, "getSettings")
        if not isinstance(data, dict):
            raise self._protocol_error("getSettings", "a JSON object", response.text)
        return data

    async def set_settings(self, values: dict[str, Any]) -> bool:
        response = await self._call("setSettings", "POST", json_body=dict(values))
        return bool(self._field(response, "setSettings", "saveSettings"))

    async def read_chat(self, chat_id: str, id_message: str | None = None) -> bool:
        payload: dict[str, Any] = {"chatId": chat_id}
        if id_message:
            payload["idMessage"] = id_message
        response = await self._call("readChat", "POST", json_body=payload)
        return bool(self._field(response, "readChat", "setRead"))

    async def last_outgoing_messages(self, minutes: int = 60) -> list[dict[str, Any]]:
        response = await self._call("lastOutgoingMessages", "GET", params={"minutes": int(minutes)})
        data = self._json(response, "lastOutgoingMessages")
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise self._protocol_error("lastOutgoingMessages", "a JSON list of messages", response.text)
        return data

    # ---- machinery ---------------------------------------------------------------
    async def _call(
        self,
        method: str,
        http_method: str,
        *,
        host: str | None = None,
        path_extra: str = "",
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        timeout: float | None = None,
        gate: Gate | None = None,
    ) -> httpx.Response:
        """Make the call, retrying transient errors of idempotent methods; 2xx only."""
        is_send = method in _SEND_METHODS
        attempts = 1 if is_send else self._max_attempts
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._request_once(
                    method, http_method, host or self.api_url, path_extra, params, json_body, data, files,
                    timeout or self._timeout, is_send, gate,
                )
            except GreenApiInstanceNotReady as err:
                # It lasts minutes: the caller waits and shows it, no tight retry here.
                err.state = await self._not_ready_state(err.body_text, method)
                err.args = (f"{err.message} [state: {err.state}]",)
                raise
            except GreenApiError as err:
                if not err.retryable or attempt >= attempts:
                    raise
                delay = self._backoff_delay(attempt, err)
                log.warning(
                    "GREEN-API %s failed (%s); retry %d of %d in %.2fs",
                    method, err, attempt, attempts - 1, delay,
                )
                await self._sleep(delay)

    async def _request_once(
        self,
        method: str,
        http_method: str,
        host: str,
        path_extra: str,
        params: dict[str, Any] | None,
        json_body: Any,
        data: dict[str, str] | None,
        files: dict[str, tuple[str, bytes, str]] | None,
        timeout: float,
        is_send: bool,
        gate: Gate | None = None,
    ) -> httpx.Response:
        url = f"{host}/waInstance{self.instance_id}/{method}/{self._token.reveal()}"
        if path_extra:
            url = f"{url}/{path_extra}"
        limits = httpx.Timeout(timeout, connect=min(10.0, timeout))
        # The caller's last check, with no await between it and the request (a leading
        # seat's engine lease: services/send_fence.py); it may refuse by raising. It says
        # how long the request may wait for a connection: the pool and the connect share it.
        start_within = gate() if gate is not None else None
        if start_within is not None:
            limits = httpx.Timeout(timeout, connect=min(10.0, timeout, start_within / 2),
                                   pool=min(timeout, start_within / 2))
        started = time.monotonic()
        try:
            http = self._queue_http if method in _QUEUE_METHODS else self._http
            response = await http.request(
                http_method, url, params=params, json=json_body, data=data, files=files, timeout=limits,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            tls_reason = tls_failure_reason(exc)
            if tls_reason is not None:
                message = describe_tls_failure(self._host_name(host), redact(tls_reason, self._token.reveal()))
                log.error("GREEN-API %s: %s", method, message)
                raise GreenApiTlsError(f"GREEN-API {method}: {message}", method=method) from None
            # The request never reached the server: safe to retry, even a send.
            raise GreenApiNetworkError(
                f"GREEN-API {method}: cannot connect to {self._host_name(host)} ({self._describe(exc)})",
                method=method,
            ) from None
        except httpx.TimeoutException as exc:
            raise GreenApiTimeout(
                f"GREEN-API {method}: no answer within {timeout:.1f}s ({self._describe(exc)})",
                method=method, ambiguous=is_send,
            ) from None
        except httpx.UnsupportedProtocol as exc:
            raise GreenApiNetworkError(
                f"GREEN-API {method}: bad API URL ({self._describe(exc)})", method=method, retryable=False,
            ) from None
        except httpx.HTTPError as exc:
            raise GreenApiNetworkError(
                f"GREEN-API {method}: connection failed ({self._describe(exc)})",
                method=method, ambiguous=is_send,
            ) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("GREEN-API %s -> HTTP %d in %.0f ms", method, response.status_code, elapsed_ms)
        if response.status_code >= 300:
            raise self._error_for(method, response, is_send)
        return response

    def _error_for(self, method: str, response: httpx.Response, is_send: bool) -> GreenApiError:
        status = response.status_code
        text = self._excerpt(response.text)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        common: dict[str, Any] = {"method": method, "status": status, "body": body, "body_text": text}
        detail = f": {text}" if text else ""
        if status == 429:
            retry_after = _parse_retry_after(response.headers.get("Retry-After"))
            return GreenApiRateLimited(f"GREEN-API {method}: rate limited (HTTP 429){detail}", retry_after=retry_after, **common)
        if status == 466:
            return GreenApiQuotaExceeded(f"GREEN-API {method}: quota exceeded (HTTP 466){detail}", **common)
        if status in (401, 403):
            return GreenApiAuthError(
                f"GREEN-API {method}: wrong idInstance or apiTokenInstance (HTTP {status})", **common
            )
        if status == 400 and _NOT_READY_RE.search(response.text):
            return GreenApiInstanceNotReady(f"GREEN-API {method}: instance is not ready (HTTP 400){detail}", **common)
        if status >= 500:
            # The request reached the server: for a send the message may have gone out.
            return GreenApiServerError(f"GREEN-API {method}: server error (HTTP {status}){detail}", ambiguous=is_send, **common)
        return GreenApiBadRequest(f"GREEN-API {method}: request rejected (HTTP {status}){detail}", **common)

    async def _not_ready_state(self, text: str, method: str) -> str:
        """Which state the 400 means. The API's usual text ("instance is starting or not
        authorized") does not say, so ask getStateInstance once (best effort)."""
        lowered = text.lower()
        starting = "starting" in lowered
        not_authorized = bool(re.search(r"not\s*authori[sz]ed", lowered))
        if starting != not_authorized:
            return "starting" if starting else "notAuthorized"
        if method == "getStateInstance":
            return "notAuthorized"
        try:
            response = await self._request_once(
                "getStateInstance", "GET", self.api_url, "", None, None, None, None, min(self._timeout, 10.0), False
            )
            state = response.json().get("stateInstance")
        except (GreenApiError, ValueError, AttributeError):
            return "notAuthorized"
        # "authorized" here means it just became ready: report the transition as starting.
        return state if isinstance(state, str) and state != "authorized" else "starting"

    def _backoff_delay(self, attempt: int, err: GreenApiError) -> float:
        if isinstance(err, GreenApiRateLimited) and err.retry_after is not None:
            return min(max(err.retry_after, 0.0), _MAX_RETRY_AFTER)
        ceiling = min(self._backoff_max, self._backoff_base * (2 ** (attempt - 1)))
        return self._rng.uniform(0.0, ceiling)  # full jitter

    def _json(self, response: httpx.Response, method: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._protocol_error(method, "a JSON answer", response.text) from None

    def _field(self, response: httpx.Response, method: str, name: str) -> Any:
        data = self._json(response, method)
        if not isinstance(data, dict) or name not in data:
            raise self._protocol_error(method, f"a JSON object with {name!r}", response.text)
        return data[name]

    def _id_message(self, response: httpx.Response, method: str) -> str:
        value = self._field(response, method, "idMessage")
        if not isinstance(value, str) or not value:
            raise self._protocol_error(method, "a non-empty idMessage", response.text)
        return value

    def _protocol_error(self, method: str, expected: str, text: str) -> GreenApiProtocolError:
        excerpt = self._excerpt(text)
        return GreenApiProtocolError(
            f"GREEN-API {method}: expected {expected}, got {excerpt!r}", method=method, status=200, body_text=excerpt,
        )

    def _excerpt(self, text: str) -> str:
        text = redact(text.strip(), self._token.reveal())
        return text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "…"

    def _describe(self, exc: BaseException) -> str:
        detail = str(exc) or type(exc).__name__
        return redact(f"{type(exc).__name__}: {detail}" if str(exc) else detail, self._token.reveal())

    @staticmethod
    def _host_name(host: str) -> str:
        return httpx.URL(host).host or host


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
