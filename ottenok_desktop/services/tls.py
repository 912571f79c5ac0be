"""HTTPS trust: the operating system's certificate store, and a clear TLS failure message.

Python's HTTP clients trust certifi's bundle by default. A shop laptop's antivirus that
scans HTTPS (Kaspersky, ESET, Dr.Web) or a corporate proxy re-signs every certificate
with its own root, which it installs into the Windows certificate store only; with
certifi, GREEN-API and OpenAI calls then fail with CERTIFICATE_VERIFY_FAILED and the bot
goes silent. `truststore` verifies through the OS store instead (Windows CryptoAPI, macOS
Security framework, OpenSSL's system paths on Linux), exactly like the browser.

Every HTTPS client the program builds takes `client_ssl_context()`: the GREEN-API client,
the OpenAI chat and embeddings clients, the Google Drive client (drive.py). When
verification still fails, `tls_failure_reason` recognises it and `TLS_FAILURE_LOG` says in
the log what to do; the console shows the Russian text from ui/strings.py.
"""

from __future__ import annotations

import logging
import ssl
from functools import lru_cache

log = logging.getLogger(__name__)

TLS_FAILURE_LOG = (
    "TLS certificate verification failed for {host}: the server's certificate is not trusted by this "
    "computer's certificate store ({reason}). If an antivirus or proxy scans HTTPS, its root certificate "
    "must be installed in the Windows certificate store (or HTTPS scanning turned off for this program); "
    "also check the computer's date and time."
)
_VERIFY_MARKERS = ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed", "self-signed certificate",
                   "self signed certificate", "unable to get local issuer certificate")


@lru_cache(maxsize=1)
def client_ssl_context() -> ssl.SSLContext:
    """One client context for the whole process (building one costs milliseconds; share it)."""
    try:
        import truststore
    except ImportError:  # never in the packaged build; keeps a stripped-down source install running
        log.warning("truststore is not installed: HTTPS trusts the certifi bundle only")
        return ssl.create_default_context()
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def tls_failure_reason(exc: BaseException | None) -> str | None:
    """The verification error's text if `exc` (or anything in its cause chain) is one; else None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLCertVerificationError):
            return getattr(exc, "verify_message", None) or str(exc)
        text = str(exc)
        if any(marker in text for marker in _VERIFY_MARKERS):
            return text
        exc = exc.__cause__ or exc.__context__
    return None


def describe_tls_failure(host: str, reason: str) -> str:
    return TLS_FAILURE_LOG.format(host=host, reason=reason)
