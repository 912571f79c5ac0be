"""GREEN-API adapter: the HTTP client, its typed errors, and (imported explicitly,
because it pulls in aiohttp) the loopback sandbox in `sandbox.py`.

The poller, ingest and sender that use the client live beside it.
"""

from .client import GreenApiClient, ReceivedNotification
from .errors import (
    GreenApiAuthError,
    GreenApiBadRequest,
    GreenApiError,
    GreenApiTlsError,
    GreenApiInstanceNotReady,
    GreenApiNetworkError,
    GreenApiProtocolError,
    GreenApiQuotaExceeded,
    GreenApiRateLimited,
    GreenApiServerError,
    GreenApiTimeout,
)

__all__ = [
    "GreenApiAuthError",
    "GreenApiBadRequest",
    "GreenApiClient",
    "GreenApiError",
    "GreenApiTlsError",
    "GreenApiInstanceNotReady",
    "GreenApiNetworkError",
    "GreenApiProtocolError",
    "GreenApiQuotaExceeded",
    "GreenApiRateLimited",
    "GreenApiServerError",
    "GreenApiTimeout",
    "ReceivedNotification",
]
