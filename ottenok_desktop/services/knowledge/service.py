"""`KnowledgeBase`: the engine-facing knowledge service.

Owns the current index version and swaps it atomically (a reference assignment) when a
build or an incremental add succeeds; searches run against whichever version is current,
so a failed build never takes knowledge away. Every blocking step (parsing, indexing,
Chroma, OpenAI) runs in the executor passed in; events go to the bus on the loop thread.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
from collections import OrderedDict
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Callable

from ottenok_desktop.engine.events import EventBus, KnowledgeBuilt, KnowledgeProgress, KnowledgeRejected
from ottenok_desktop.settings import Secret

from .models import BuildReport, DocumentStatus, KnowledgeHit

log = logging.getLogger(__name__)

QUERY_EMBED_TIMEOUT = 3.0  # seconds; a slow OpenAI must not stall a customer's reply
# RRF weights, measured with bench/retrieval.py: offline hashed vectors are weak at 10k
# chunks (hit@5 ~.3 alone) and only break ties; OpenAI vectors are a full vote.
OFFLINE_WEIGHTS = {"stems": 1.0, "chargrams": 1.2, "vectors": 0.15}
OPENAI_WEIGHTS = {"stems": 1.0, "chargrams": 1.2, "vectors": 1.0}
# Fused hits kept behind the routed sections (routing.py puts the answering sections first).
ROUTE_POOL = 10


class KnowledgeBase:
    def __init__(
        self,
        source_dir: Path,
        index_dir: Path,
        bus: EventBus,
        executor: Executor,
        *,
        openai_api_key: Secret = Secret(""),
        openai_base_url: str = "",
        embedding_model: str = "text-embedding-3-small",
        embedding_batch_size: int = 128,
        embedding_timeout: float = 30.0,
    ) -> None:
        self.source_dir = Path(source_dir)
        self.index_dir = Path(index_dir)
        self._bus = bus
        self._executor = executor
        self._openai_key = openai_api_key
        self._openai_base_url = openai_base_url
        self._embedding_model = embedding_model
        self._embedding_batch_size = embedding_batch_size
        self._embedding_timeout = embedding_timeout
        self._version: Any = None  # IndexVersion
        self._statuses: list[DocumentStatus] = []
        self._lock = asyncio.Lock()  # one build or add at a time
        self._sync_lock = threading.RLock()  # the same for callers without a loop (CLI)
        self._offline: Any = None
        self._openai: Any = None
        self._openai_query: Any = None
        self._query_cache: OrderedDict[str, Any] = OrderedDict()
        self._openai_query_failed_at = 0.0
        self._router: tuple[Any, Any] | None = None

    # ---- wiring --------------------------------------------------------------------
    @property
    def openai_enabled(self) -> bool:
        return bool(self._openai_key) or bool(self._openai_base_url)

    def _embedders(self) -> tuple[Any, Any]:
        if self._offline is None:
            from .embeddings import HashedNgramEmbedder, OpenAIEmbedder

            self._offline = HashedNgramEmbedder()
            if self.openai_enabled:
                self._openai = OpenAIEmbedder(
                    self._openai_key,
                    self._openai_base_url,
                    self._embedding_model,
                    batch_size=self._embedding_batch_size,
                    timeout=self._embedding_timeout,
                )
                self._openai_query = OpenAIEmbedder(
                    self._openai_key,
                    self._openai_base_url,
                    self._embedding_model,
                    timeout=min(QUERY_EMBED_TIMEOUT, self._embedding_timeout),
                    max_retries=0,
                )
        return self._offline, self._openai

    def _builder(self, progress: Callable[[KnowledgeProgress], None]) -> Any:
        from .builder import IndexBuilder

        offline, openai = self._embedders()
        return IndexBuilder(self.index_dir, offline=offline, openai=openai, progress=progress)

    def _publisher(self) -> Callable[[Any], None]:
        loop = asyncio.get_running_loop()
        return lambda event: loop.call_soon_threadsafe(self._bus.publish, event)

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # ---- lifecycle -------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._version.name if self._version is not None else ""

    @property
    def chunk_count(self) -> int:
        return len(self._version.chunks) if self._version is not None else 0

    async def start(self) -> None:
        """Open the current version, or build the first one."""
        opened = await self._run(self._open_current)
        if not opened:
            await self.rebuild()

    def _open_current(self) -> bool:
        from .builder import read_current
        from .models import DocumentStatus
        from .version import IndexVersion

        path = read_current(self.index_dir)
        if path is None:
            return False
        try:
            version = IndexVersion.load(path)
        except Exception as exc:  # a damaged version: rebuild rather than crash
            log.warning("index version %s cannot be loaded (%s); rebuilding", path.name, exc)
            return False
        self._embedders()
        self._swap(version)
        self._statuses = [DocumentStatus(**row) for row in version.manifest.get("files", [])]
        log.info("knowledge index %s opened: %d chunks", version.name, len(version.chunks))
        return True


    async def stop(self) -> None:
        version, self._version = self._version, None
        if version is not None:
            await self._run(version.close)
        for client in (self._openai, self._openai_query):
            if client is not None:
                await self._run(client.close)

    def _swap(self, version: Any) -> None:
        old, self._version = self._version, version
        self._query_cache.clear()
        if old is not None and old.path != version.path:
            old.close()

    # ---- builds ------------------------------------------------------------------------
    async def rebuild(self) -> BuildReport:
        async with self._lock:
            publish = self._publisher()
            report = await self._run(self._rebuild_blocking, publish)
            return report

    def rebuild_sync(self, progress: Callable[[Any], None] | None = None) -> BuildReport:
        return self._rebuild_blocking(progress or (lambda event: None))

    def _rebuild_blocking(self, publish: Callable[[Any], None]) -> BuildReport:
        from .builder import BuildFailed

        with self._sync_lock:
            started = time.perf_counter()
            try:
                # With nothing serving yet, index what is readable rather than nothing at all.
                outcome = self._builder(publish).build(self.source_dir, skip_bad=self._version is None)
            except BuildFailed as exc:
                self._statuses = self._merge_failed(exc.statuses)
                for file, reason in exc.errors:
                    log.error("knowledge build rejected: %s: %s", file, reason)
                    publish(KnowledgeRejected(path=file, reason=reason))
                return self._failed_report(exc.errors, started)
            except Exception as exc:  # disk full, Chroma failure: the old version keeps serving
                log.exception("knowledge build failed")
                reason = f"build failed: {type(exc).__name__}: {exc}"[:300]
                publish(KnowledgeRejected(path=str(self.source_dir), reason=reason))
                return self._failed_report([(str(self.source_dir), reason)], started)
            return self._accept(outcome, publish)

    def _accept(self, outcome: Any, publish: Callable[[Any], None]) -> BuildReport:
        """Serve a finished build and announce it (and any document it had to leave out)."""
        self._swap(outcome.version)
        self._statuses = outcome.statuses
        for status in outcome.statuses:
            if status.status == "error":  # left out of a first build: still say which and why
                log.error("knowledge document left out: %s: %s", status.file, status.error)
                publish(KnowledgeRejected(path=status.file, reason=status.error))
        report = self._report(outcome)
        publish(KnowledgeBuilt(report.version, report.files, report.chunks, report.seconds, report.embedding, report.warnings))
        return report

    def _merge_failed(self, statuses: list[DocumentStatus]) -> list[DocumentStatus]:
        by_file = {s.file: s for s in self._statuses}
        for status in statuses:
            if status.status == "error" or status.file not in by_file:
                by_file[status.file] = status
        return sorted(by_file.values(), key=lambda s: s.file)

    def _failed_report(self, errors: list[tuple[str, str]], started: float) -> BuildReport:
        version = self._version
        return BuildReport(
            ok=False,
            version=version.name if version else "",
            files=len(self._statuses),
            chunks=len(version.chunks) if version else 0,
            seconds=time.perf_counter() - started,
            embedding=version.embedding if version else "",
            errors=tuple(errors),
            documents=tuple(self._statuses),
        )

    def _report(self, outcome: Any) -> BuildReport:
        return BuildReport(
            ok=True,
            version=outcome.version.name,
            files=len(outcome.statuses),
            chunks=len(outcome.version.chunks),
            seconds=round(outcome.seconds, 3),
            embedding=outcome.version.embedding,
            warnings=tuple(outcome.warnings),
            documents=tuple(outcome.statuses),
        )

    async def add_file(self, path: Path) -> BuildReport:
        """Copy a dropped file into the right source folder and index it incrementally."""
        async with self._lock:
            publish = self._publisher()
            return await self._run(self._add_blocking, Path(path), publish)


    def _add_blocking(self, path: Path, publish: Callable[[Any], None]) -> BuildReport:
        from .builder import BuildFailed
        from .sources import SUPPORTED, SourceFile, kind_of_new_file, target_path

        with self._sync_lock:
            started = time.perf_counter()
            if path.suffix.lower() not in SUPPORTED or not path.is_file():
                reason = "not a file" if not path.is_file() else f"unsupported file type {path.suffix or '(none)'}"
                publish(KnowledgeRejected(path=path.name, reason=reason))
                return self._failed_report([(path.name, reason)], started)
            kind = kind_of_new_file(path)
            target = target_path(self.source_dir, path, kind)
            name = target.relative_to(self.source_dir).as_posix()
            # Parse from where the file is; copy only once it has been read successfully.
            source = SourceFile(path=path, name=name, kind=kind)
            if self._version is None:
                if not self._open_current():
                    return self._copy_then_rebuild(path, target, source, publish, started)
            try:
                outcome = self._builder(publish).add(self._version, source, self._statuses)
            except BuildFailed as exc:
                self._statuses = self._merge_failed(exc.statuses)
                for file, reason in exc.errors:
                    publish(KnowledgeRejected(path=file, reason=reason))
                return self._failed_report(exc.errors, started)
            except Exception as exc:
                log.exception("adding %s failed", path.name)
                reason = f"indexing failed: {type(exc).__name__}: {exc}"[:300]
                publish(KnowledgeRejected(path=name, reason=reason))
                return self._failed_report([(name, reason)], started)
            if path.resolve() != target.resolve():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            return self._accept(outcome, publish)

    def _copy_then_rebuild(self, path: Path, target: Path, source: Any, publish: Callable[[Any], None], started: float) -> BuildReport:
        from .sources import read_source
        from .models import DocumentError

        try:
            read_source(source)
        except DocumentError as exc:
            publish(KnowledgeRejected(path=exc.file, reason=exc.reason))
            return self._failed_report([(exc.file, exc.reason)], started)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.resolve() != target.resolve():
            shutil.copy2(path, target)
        return self._rebuild_blocking(publish)  # RLock: re-entered from the same thread

    # ---- search --------------------------------------------------------------------------
    async def search(self, query: str, k: int = 5) -> list[KnowledgeHit]:
        return await self._run(self.search_sync, query, k)

    def search_sync(self, query: str, k: int = 5) -> list[KnowledgeHit]:
        version = self._version
        if version is None or not query.strip():
            return []
        pool = max(k, ROUTE_POOL)
        fused = version.search(query, pool, vector_query=self._vector_query, weights=self._weights(version))
        router = self._router_for(version)
        if router.topic_of(query) is None:
            return fused[:k]
        from .routing import lexical_scorer

        return router.route(query, fused, k, lexical_scorer(version.lexical_scores))

    def _router_for(self, version: Any) -> Any:
        """The section router of this version (built once; chunks never change within a version)."""
        router = self._router
        if router is None or router[0] is not version:
            from .routing import Router

            router = self._router = (version, Router(version.chunks))
        return router[1]

    def _weights(self, version: Any) -> dict[str, float]:
        uses_openai = bool(version.manifest.get("openai_model")) and self.openai_enabled
        return OPENAI_WEIGHTS if uses_openai else OFFLINE_WEIGHTS

    def rankings(self, query: str, n: int = 50) -> dict[str, list[int]]:
        """Each retriever's ranking alone (positions in the current version's chunks), for the benchmark."""
        version = self._version
        return version.rankings(query, n=n, vector_query=self._vector_query) if version else {}

    def _vector_query(self, version: Any, normalized: str) -> list[tuple[str, float]]:
        from .embeddings import EmbeddingError, OfflineEmbeddingFunction, OpenAIEmbeddingFunction
        from .version import CANDIDATES

        offline, openai = self._embedders()
        store = version.vector_store()
        # OpenAI vectors when this version has them and OpenAI answered lately; offline otherwise.
        if version.manifest.get("openai_model") and openai is not None and time.monotonic() - self._openai_query_failed_at > 60:
            vector = self._query_cache.get(normalized)
            if vector is None:
                try:
                    vector = self._openai_query.embed_batch([normalized])[0]
                except EmbeddingError as exc:
                    log.warning("query embedding failed, using offline vectors: %s", exc)
                    self._openai_query_failed_at = time.monotonic()
                    vector = None
                else:
                    self._query_cache[normalized] = vector
                    while len(self._query_cache) > 512:
                        self._query_cache.popitem(last=False)
            if vector is not None:
                return store.query(store.collection(OpenAIEmbeddingFunction(embedder=openai)), vector, CANDIDATES)
        vector = offline.embed_normalized(normalized)
        return store.query(store.collection(OfflineEmbeddingFunction(embedder=offline)), vector, CANDIDATES)

    # ---- console ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentStatus]:
        return list(self._statuses)

