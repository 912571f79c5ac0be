"""OpenAI embeddings against the loopback fake OpenAI server: batching, the OpenAI
collection, fallback to offline vectors on HTTP 500 or a timeout, no key in messages."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine.events import EventBus, EventRecorder, KnowledgeBuilt
from ottenok_desktop.services.knowledge.service import KnowledgeBase
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer

from .docx_factory import small_shop

KEY = "fake-openai-key-" + "for-tests-only"


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(api_key=KEY, dimensions=64)
    await fake.start()
    yield fake
    await fake.stop()


def make_kb(tmp_path: Path, executor: ThreadPoolExecutor, base_url: str, **kwargs: float) -> tuple[KnowledgeBase, EventRecorder]:
    bus = EventBus()
    kb = KnowledgeBase(
        small_shop(tmp_path / "kb"), tmp_path / "index", bus, executor,
        openai_api_key=Secret(KEY), openai_base_url=base_url, embedding_model="text-embedding-3-small",
        embedding_batch_size=4, **kwargs,
    )
    return kb, EventRecorder(bus)


async def test_build_uses_openai_vectors_in_batches(tmp_path: Path, executor: ThreadPoolExecutor, server: FakeOpenAIServer) -> None:
    kb, events = make_kb(tmp_path, executor, server.base_url)
    await kb.start()
    built = events.of_type(KnowledgeBuilt)[0]
    assert built.embedding == "openai:text-embedding-3-small" and not built.warnings
    sizes = [len(r["input"]) for r in server.embedding_requests]
    assert sum(sizes) == built.chunks and max(sizes) <= 4 and len(sizes) == -(-built.chunks // 4)
    assert all(r["model"] == "text-embedding-3-small" for r in server.embedding_requests)

    server.embedding_requests.clear()
    hits = await kb.search("доставка по казахстану сдэк")
    assert hits[0].source == "scripts/delivery.docx" and "vectors" in hits[0].metadata["ranks"]
    assert len(server.embedding_requests) == 1  # the query itself was embedded by OpenAI
    await kb.search("доставка по казахстану сдэк")
    assert len(server.embedding_requests) == 1  # and cached
    await kb.stop()


async def test_openai_failure_mid_build_falls_back_to_offline(tmp_path: Path, executor: ThreadPoolExecutor, server: FakeOpenAIServer) -> None:
    kb, events = make_kb(tmp_path, executor, server.base_url)
    server.faults.clear()
    # The first batch succeeds, then the server fails (more faults than the client retries).
    original = server._take_fault
    calls = {"n": 0}

    def fault_after_first(route: str) -> str:
        calls["n"] += 1
        return "http500" if calls["n"] > 1 else original(route)

    server._take_fault = fault_after_first  # type: ignore[method-assign]
    await kb.start()
    built = events.of_type(KnowledgeBuilt)[0]
    assert built.embedding.startswith("offline:")
    assert len(built.warnings) == 1 and "OpenAI embeddings failed" in built.warnings[0] and "offline" in built.warnings[0]
    assert KEY not in " ".join(built.warnings)
    assert calls["n"] >= 2
    # Search still works (and does not ask OpenAI: this version has no OpenAI vectors).
    server._take_fault = original  # type: ignore[method-assign]
    server.embedding_requests.clear()
    assert (await kb.search("рассрочка каспи ред"))[0].source == "scripts/payment.docx"
    assert server.embedding_requests == []
    await kb.stop()


async def test_openai_timeout_falls_back_and_query_outage_uses_offline(
    tmp_path: Path, executor: ThreadPoolExecutor, server: FakeOpenAIServer
) -> None:
    server.timeout_seconds = 3.0
    kb, events = make_kb(tmp_path, executor, server.base_url, embedding_timeout=0.5)
    server.fail_next("timeout", 2, route="embeddings")  # the request and its one retry
    await kb.start()
    built = events.of_type(KnowledgeBuilt)[0]
    assert built.embedding.startswith("offline:") and "Timeout" in built.warnings[0]

    # A healthy rebuild gets OpenAI vectors; then OpenAI goes down for queries only.
    report = await kb.rebuild()
    assert report.ok and report.embedding.startswith("openai:")
    server.fail_next("http500", 1, route="embeddings")
    hits = await kb.search("кроссовки баленсиага большемерят")
    assert hits[0].source == "catalog/sneakers.docx" and "vectors" in hits[0].metadata["ranks"]
    await kb.stop()


async def test_wrong_key_is_reported_without_the_key(tmp_path: Path, executor: ThreadPoolExecutor, server: FakeOpenAIServer) -> None:
    server.api_key = "sk-another-key"
    kb, events = make_kb(tmp_path, executor, server.base_url)
    await kb.start()
    built = events.of_type(KnowledgeBuilt)[0]
    assert built.embedding.startswith("offline:") and "AuthenticationError" in built.warnings[0]
    assert KEY not in built.warnings[0]
    await kb.stop()
