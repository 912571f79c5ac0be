"""HTTPS goes through the OS trust store (truststore), and an untrusted certificate gives a
clear message instead of a bare CERTIFICATE_VERIFY_FAILED.

A real HTTPS server on loopback, with a certificate signed by a CA made here (as an
antivirus that scans HTTPS would do). On Linux, truststore reads the system store through
OpenSSL's default paths, which `SSL_CERT_FILE` points at; certifi's bundle never knows
the CA, so a client that trusted certifi only would fail where ours succeeds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from ottenok_desktop.services.greenapi import GreenApiClient, GreenApiTlsError
from ottenok_desktop.services.tls import client_ssl_context, tls_failure_reason
from ottenok_desktop.settings import Secret

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

pytestmark = pytest.mark.skipif(ssl.OPENSSL_VERSION.startswith("LibreSSL"), reason="OpenSSL paths")


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca_and_leaf(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) files, like an HTTPS-scanning antivirus."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Kaspersky Anti-Virus Personal Root (test)"))
          .issuer_name(_name("Kaspersky Anti-Virus Personal Root (test)")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


class _GreenApiLike(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps({"stateInstance": "authorized"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    ca_file, cert_file, key_file = make_ca_and_leaf(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GreenApiLike)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    # The handshake happens in each connection's own thread (not in accept), so a client
    # that gives up mid-handshake can never block the server's shutdown.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}", ca_file
    finally:
        server.shutdown()
        server.server_close()


def system_store_with(ca_file: Path, folder: Path) -> Path:
    """A copy of the system bundle plus the antivirus CA (what installing its root does)."""
    bundle = folder / "system-store.pem"
    system = ssl.get_default_verify_paths().openssl_cafile
    text = Path(system).read_text(encoding="utf-8") if system and Path(system).is_file() else ""
    bundle.write_text(text + "\n" + ca_file.read_text(encoding="utf-8"), encoding="utf-8")
    return bundle


def test_the_shared_context_is_truststore() -> None:
    truststore = pytest.importorskip("truststore")
    assert isinstance(client_ssl_context(), truststore.SSLContext)
    assert client_ssl_context() is client_ssl_context()


async def test_greenapi_trusts_a_root_in_the_system_store_that_certifi_does_not_know(
        https_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, ca_file = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(system_store_with(ca_file, tmp_path)))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    client = GreenApiClient(url, url, "1101000001", Secret("token-abcdef"), max_attempts=1)
    try:
        assert await client.get_state_instance() == "authorized"
    finally:
        await client.aclose()
    # certifi alone (httpx's default without truststore) rejects the same server
    import certifi

    async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=certifi.where())) as plain:
        with pytest.raises(httpx.ConnectError) as failure:
            await plain.get(url + "/waInstance1101000001/getStateInstance/token-abcdef")
    assert tls_failure_reason(failure.value) is not None


async def test_an_untrusted_certificate_is_named_clearly_and_not_retried(
        https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    url, _ca_file = https_server  # the CA is NOT installed anywhere
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = GreenApiClient(url, url, "1101000001", Secret("token-abcdef"), max_attempts=5, sleep=no_sleep)
    try:
        with pytest.raises(GreenApiTlsError) as failure:
            await client.get_state_instance()
    finally:
        await client.aclose()
    message = str(failure.value)
    assert "certificate" in message and "antivirus" in message and "localhost" in message
    assert "token-abcdef" not in message
    assert sleeps == []  # not retried: a certificate problem does not fix itself in seconds
    assert any("TLS certificate verification failed" in r.getMessage() for r in caplog.records)


def test_tls_failure_reason_ignores_other_connection_errors() -> None:
    assert tls_failure_reason(httpx.ConnectError("[Errno 111] Connection refused")) is None
    try:
        try:
            raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
        except ssl.SSLError as inner:
            raise httpx.ConnectError("handshake failed") from inner
    except httpx.ConnectError as outer:
        assert tls_failure_reason(outer) is not None


def test_google_drive_transport_uses_the_system_store(
        https_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop.services.photos.drive_http import os_trust_http

    url, ca_file = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(system_store_with(ca_file, tmp_path)))
    response, content = os_trust_http(timeout=10).request(url + "/drive/v3/files")
    assert response.status == 200 and json.loads(content) == {"stateInstance": "authorized"}


async def test_openai_chat_and_embeddings_name_an_untrusted_certificate(https_server: tuple[str, Path]) -> None:
    from ottenok_desktop.services.knowledge.embeddings import EmbeddingError, OpenAIEmbedder
    from ottenok_desktop.services.llm.client import LlmClient, LlmError

    url, _ca_file = https_server  # e.g. a local OpenAI-compatible server behind an HTTPS-scanning antivirus
    llm = LlmClient(Secret("sk-test-0123456789"), url + "/v1", "gpt-4o", timeout=5, max_retries=0)
    try:
        with pytest.raises(LlmError) as failure:
            await llm.ping()
    finally:
        await llm.close()
    assert failure.value.kind == "tls" and "certificate store" in str(failure.value)
    embedder = OpenAIEmbedder(Secret("sk-test-0123456789"), url + "/v1", timeout=5, max_retries=0)
    with pytest.raises(EmbeddingError, match="TLS certificate verification failed"):
        await asyncio.to_thread(embedder.embed_batch, ["лоферы шанель 38"])


async def test_openai_chat_trusts_a_root_in_the_system_store(
        https_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop.services.llm.client import LlmClient, LlmError

    url, ca_file = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(system_store_with(ca_file, tmp_path)))
    llm = LlmClient(Secret("sk-test-0123456789"), url + "/v1", "gpt-4o", timeout=5, max_retries=0)
    try:
        with pytest.raises(LlmError) as failure:
            await llm.ping()  # the TLS handshake succeeds; this little server has no POST endpoint
    finally:
        await llm.close()
    assert failure.value.kind != "tls" and failure.value.kind != "connection"


async def test_the_poller_reports_an_untrusted_certificate_as_its_own_state(
        https_server: tuple[str, Path], tmp_path: Path) -> None:
    from ottenok_desktop.engine import events as ev
    from ottenok_desktop.engine.clock import ShopClock
    from ottenok_desktop.services.greenapi.poller import Poller
    from ottenok_desktop.services.storage import Database

    url, _ca_file = https_server
    db = Database(tmp_path / "ottenok.sqlite3").open_sync()
    bus = ev.EventBus()
    states: list[ev.InstanceStateChanged] = []
    bus.subscribe(states.append)
    client = GreenApiClient(url, url, "1101000001", Secret("token-abcdef"), max_attempts=3)
    poller = Poller(client, db, bus, ShopClock(), on_ingested=lambda _result: None, receive_timeout=5,
                    state_interval=0.05)
    poller.start()
    try:
        for _ in range(200):
            if any(isinstance(e, ev.InstanceStateChanged) for e in states):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # several state checks: it must stay tls_untrusted, not "unreachable"
    finally:
        await poller.stop()
        await client.aclose()
        db.close_sync()
    changes = [e.state for e in states if isinstance(e, ev.InstanceStateChanged)]
    assert changes and set(changes) == {"tls_untrusted"}
    assert poller.instance_state == "tls_untrusted"
    from ottenok_desktop.ui import strings as S

    assert "сертификат" in S.INSTANCE_STATES["tls_untrusted"]
