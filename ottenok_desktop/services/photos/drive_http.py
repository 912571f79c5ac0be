"""httplib2 (the Google API client's transport) verifying HTTPS through the OS trust store.

httplib2 builds its own `ssl.SSLContext` from certifi's bundle for every connection and
takes no context argument; `os_trust_http()` returns an `httplib2.Http` whose HTTPS
connections use `services.tls.client_ssl_context()` instead (same reason as everywhere:
an antivirus that scans HTTPS installs its root certificate in the Windows store only).
"""

from __future__ import annotations

from typing import Any

import httplib2

from ..tls import client_ssl_context

DRIVE_TIMEOUT_S = 60


class OsTrustHTTPSConnection(httplib2.HTTPSConnectionWithTimeout):
    """httplib2's HTTPS connection with the OS-trust context swapped in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.disable_ssl_certificate_validation:
            self._context = client_ssl_context()


class OsTrustHttp(httplib2.Http):
    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None,
                redirections: int = httplib2.DEFAULT_MAX_REDIRECTS, connection_type: Any = None) -> Any:
        if connection_type is None and uri.lower().startswith("https:"):
            connection_type = OsTrustHTTPSConnection
        return super().request(uri, method, body=body, headers=headers, redirections=redirections,
                               connection_type=connection_type)


def os_trust_http(timeout: float = DRIVE_TIMEOUT_S) -> OsTrustHttp:
    return OsTrustHttp(timeout=timeout)
