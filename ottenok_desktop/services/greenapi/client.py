"""GREEN-API HTTP client (aiohttp): the calls the bot needs, typed errors, retries.

URLs are `{apiUrl}/waInstance{id}/{method}/{token}`; uploads go to the media host.
Idempotent calls (receive, delete, state, settings, readChat, lastOutgoingMessages)
retry transient failures with exponential backoff and full jitter (429 honours
Retry-After). Sends make exactly one attempt and raise the typed error: the persistent
outbox owns send retries, because a timed-out send may already have gone out and must
be reconciled first. The token never appears in a log line or an exception message.

Why aiohttp and not httpx (issue 18): the notification queue costs two round trips per
notification and every reply a third, so the HTTP client's CPU per call is most of the
engine's CPU per turn. Measured here, httpx/httpcore spent 1.9-3.9 ms of CPU per call
(anyio wrappers, the pool's per-request scan of every connection, socket liveness
checks) against 0.2-0.4 ms for aiohttp's keep-alive connector. The sessions are made
lazily on the running loop (aiohttp binds a session to its loop).
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
from urllib.parse import urlsplit

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

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
_HTTP_LOGGERS = ("aiohttp.client", "aiohttp.internal")
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


@dataclass(frozen=True)
class HttpAnswer:
    """A whole HTTP answer, read before the connection goes back to the pool."""

    status: int
    text: str
    retry_after: str | None = None

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass(frozen=True)
class Upload:
    """A multipart upload: plain form fields and one file."""

    fields: dict[str, str]
    file_name: str
    content: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One attempt of an API call, as the transport sends it. `url` holds the token: never
    log it unredacted."""

    method: str  # the API method (sendMessage, receiveNotification, …)
    http_method: str
    host: str
    url: str
    params: dict[str, Any] | None
    json_body: Any
    upload: Upload | None
    timeout: float
    is_send: bool  # a send: a failure after the request left is ambiguous
    gate: Gate | None = None  # the caller's last check right before the request (send_fence.py)


class GreenApiClient:
    """Async client of one GREEN-API instance. Close it with `aclose()`."""

    def __init__(
        self,
        api_url: str,
        media_url: str,
        instance_id: str,
        token: Secret,
        *,
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
        # Made on first use, on the running loop (see _session).
        self._sessions: dict[bool, aiohttp.ClientSession] = {}
        self._sessions_loop: asyncio.AbstractEventLoop | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}  # host -> proxy from the env
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
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()

    def _session(self, queue: bool) -> aiohttp.ClientSession:
        """The keep-alive session for sends and account calls, or the one of the notification
        queue (`queue`): receive and delete get connections of their own, so a dozen sends in
        flight never make the long poll or a delete — the round trips every customer waits
        on — wait for a free connection."""
        loop = asyncio.get_running_loop()
        if self._sessions_loop is not loop:  # a client reused on another loop (tests, checks)
            self._sessions, self._sessions_loop = {}, loop
        session = self._sessions.get(queue)
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(
                limit=4 if queue else 64, limit_per_host=0, ssl=client_ssl_context(),  # HTTPS via the OS store
                keepalive_timeout=15.0,
            )
            # The API sets no cookies, so none are parsed or kept. Proxies: see _proxy.
            session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
            self._sessions[queue] = session
        return session

    def _proxy(self, host: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """HTTP(S)_PROXY / NO_PROXY from the environment for this host, as httpx did. Looked up
        once per host: aiohttp's trust_env would do it (and read ~/.netrc) in a worker thread
        on every request — two thread hops per call on the hot path."""
        if host not in self._proxies:
            try:
                self._proxies[host] = get_env_proxy_for_url(URL(host))
            except (LookupError, ValueError):
                self._proxies[host] = (None, None)
        return self._proxies[host]

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
            upload=Upload({"chatId": chat_id, "caption": caption, "fileName": file_name}, file_name, content, mime),
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
        upload: Upload | None = None,
        timeout: float | None = None,
        gate: Gate | None = None,
    ) -> HttpAnswer:
        """Make the call, retrying transient errors of idempotent methods; 2xx only."""
        is_send = method in _SEND_METHODS
        attempts = 1 if is_send else self._max_attempts
        host = host or self.api_url
        request = ApiRequest(method, http_method, host, self._url(host, method, path_extra), params, json_body,
                             upload, timeout or self._timeout, is_send, gate)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._request_once(request)
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

    def _url(self, host: str, method: str, path_extra: str = "") -> str:
        url = f"{host}/waInstance{self.instance_id}/{method}/{self._token.reveal()}"
        return f"{url}/{path_extra}" if path_extra else url

    async def _request_once(self, request: ApiRequest) -> HttpAnswer:
        started = time.monotonic()
        answer = await self._transport(request)
        if log.isEnabledFor(logging.DEBUG):  # the URL holds the token: logged redacted, and only when asked
            log.debug("GREEN-API %s %s -> HTTP %d in %.0f ms", request.http_method,
                      redact(request.url, self._token.reveal()), answer.status, (time.monotonic() - started) * 1000)
        if answer.status >= 300:
            raise self._error_for(request.method, answer, request.is_send)
        return answer

    async def _transport(self, request: ApiRequest) -> HttpAnswer:
        """One HTTP exchange; transport failures become typed errors (no URL, no token)."""
        method, http_method, host, url = request.method, request.http_method, request.host, request.url
        upload, timeout, is_send, gate = request.upload, request.timeout, request.is_send, request.gate
        form: aiohttp.FormData | None = None
        if upload is not None:
            # quote_fields=False: a Cyrillic file name goes as UTF-8, not percent-encoded.
            form = aiohttp.FormData(upload.fields, quote_fields=False)
            form.add_field("file", upload.content, filename=upload.file_name, content_type=upload.mime)
        # sock_read bounds the wait for the answer (the long poll's included); connect bounds
        # the wait for a pooled connection plus the TCP/TLS set-up.
        limits = aiohttp.ClientTimeout(total=None, connect=timeout, sock_connect=min(10.0, timeout), sock_read=timeout)
        proxy, proxy_auth = self._proxy(host)
        # The caller's last check, with no await between it and the request (a leading
        # seat's engine lease: services/send_fence.py); it may refuse by raising. It says
        # how long the request may wait for a connection: the pool and the connect share it.
        start_within = gate() if gate is not None else None
        if start_within is not None:
            limits = aiohttp.ClientTimeout(total=None, connect=min(timeout, start_within / 2),
                                           sock_connect=min(10.0, timeout, start_within / 2), sock_read=timeout)
        try:
            async with self._session(method in _QUEUE_METHODS).request(
                http_method, url, params=request.params, json=request.json_body, data=form, timeout=limits, allow_redirects=False,
                proxy=proxy, proxy_auth=proxy_auth,
            ) as response:
                body = await response.read()
                answer = HttpAnswer(response.status, body.decode(response.charset or "utf-8", errors="replace"),
                                    response.headers.get("Retry-After"))
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
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
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            raise GreenApiNetworkError(
                f"GREEN-API {method}: bad API URL ({self._describe(exc)})", method=method, retryable=False,
            ) from None
        except asyncio.TimeoutError as exc:  # aiohttp's read timeout, or one of the event loop's
            raise GreenApiTimeout(
                f"GREEN-API {method}: no answer within {timeout:.1f}s ({self._describe(exc)})",
                method=method, ambiguous=is_send,
            ) from None
        except (aiohttp.ClientError, OSError) as exc:
            # Disconnected or broken after the request may have reached the server.
            raise GreenApiNetworkError(
                f"GREEN-API {method}: connection failed ({self._describe(exc)})",
                method=method, ambiguous=is_send,
            ) from None
        return answer

    def _error_for(self, method: str, response: HttpAnswer, is_send: bool) -> GreenApiError:
        status = response.status
        text = self._excerpt(response.text)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        common: dict[str, Any] = {"method": method, "status": status, "body": body, "body_text": text}
        detail = f": {text}" if text else ""
        if status == 429:
            retry_after = _parse_retry_after(response.retry_after)
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
            response = await self._request_once(ApiRequest(
                "getStateInstance", "GET", self.api_url, self._url(self.api_url, "getStateInstance"), None, None, None,
                min(self._timeout, 10.0), False,
            ))
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

    def _json(self, response: HttpAnswer, method: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._protocol_error(method, "a JSON answer", response.text) from None

    def _field(self, response: HttpAnswer, method: str, name: str) -> Any:
        data = self._json(response, method)
        if not isinstance(data, dict) or name not in data:
            raise self._protocol_error(method, f"a JSON object with {name!r}", response.text)
        return data[name]

    def _id_message(self, response: HttpAnswer, method: str) -> str:
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
        return urlsplit(host).hostname or host


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
