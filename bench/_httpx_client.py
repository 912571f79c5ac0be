"""The GREEN-API client's previous transport (httpx), kept for benchmarks' A/B only.

Until issue 18 the client ran on httpx (two `httpx.AsyncClient`s: one for the
notification queue with 4 connections, one for everything else). This subclass puts that
transport back under the same client (same calls, retries and error mapping), so a
benchmark can measure both HTTP stacks in one run on one machine.
"""

from __future__ import annotations

from typing import Any

import httpx

from ottenok_desktop.services.greenapi.client import ApiRequest, GreenApiClient, HttpAnswer
from ottenok_desktop.services.greenapi.errors import GreenApiNetworkError, GreenApiTimeout

_QUEUE_METHODS = frozenset({"receiveNotification", "deleteNotification"})


class HttpxGreenApiClient(GreenApiClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        timeout = httpx.Timeout(30.0, connect=10.0)
        self._http = httpx.AsyncClient(timeout=timeout)
        self._queue_http = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=4))

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._queue_http.aclose()
        await super().aclose()

    async def _transport(self, request: ApiRequest) -> HttpAnswer:
        method, upload, timeout, is_send = request.method, request.upload, request.timeout, request.is_send
        if request.gate is not None:  # the lease gate, as the aiohttp transport asks it
            request.gate()
        data = files = None
        if upload is not None:
            data, files = upload.fields, {"file": (upload.file_name, upload.content, upload.mime)}
        http = self._queue_http if method in _QUEUE_METHODS else self._http
        try:
            response = await http.request(request.http_method, request.url, params=request.params,
                                          json=request.json_body, data=data, files=files,
                                          timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise GreenApiNetworkError(f"GREEN-API {method}: cannot connect", method=method) from None
        except httpx.TimeoutException:
            raise GreenApiTimeout(f"GREEN-API {method}: no answer", method=method, ambiguous=is_send) from None
        except httpx.HTTPError:
            raise GreenApiNetworkError(f"GREEN-API {method}: connection failed", method=method,
                                       ambiguous=is_send) from None
        return HttpAnswer(response.status_code, response.text, response.headers.get("Retry-After"))
