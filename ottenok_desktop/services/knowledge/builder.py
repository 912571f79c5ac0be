"""Versioned builds: parse every source, index into a new `kb-<version>/`, switch the
`current` pointer (an atomic file replace) only when everything succeeded.

A bad document fails the build with an error naming the file; the previous version is
untouched and keeps serving. `add_file` indexes one document into the current version in
place (only that file is parsed and embedded). Runs in an executor thread; progress goes
to the callback as `KnowledgeProgress` events.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ottenok_desktop.engine.events import KnowledgeProgress

from .embeddings import (
    EmbeddingError,
    HashedNgramEmbedder,
    OfflineEmbeddingFunction,
    OpenAIEmbedder,
    OpenAIEmbeddingFunction,
)
from .models import Chunk, DocumentError, DocumentStatus
from .sources import SourceFile, discover, read_source
from .version import CHROMA, MANIFEST, IndexVersion, build_lexical, write_atomic

log = logging.getLogger(__name__)

CURRENT = "current"
KEEP_VERSIONS = 2
Progress = Callable[[KnowledgeProgress], None]


class BuildFailed(Exception):
    """The build was rejected; `errors` are (file, reason) pairs, `statuses` per file."""

    def __init__(self, errors: list[tuple[str, str]], statuses: list[DocumentStatus], errors_ru: list[str] | None = None) -> None:
        self.errors = errors
        self.statuses = statuses
        self.errors_ru = errors_ru or []
        super().__init__("; ".join(f"{f}: {r}" for f, r in errors))


@dataclass
class BuildOutcome:
    version: IndexVersion
    statuses: list[DocumentStatus]
    warnings: list[str]
    seconds: float


def read_current(index_dir: Path) -> Path | None:
    """The directory the `current` pointer names, if it is a finished version."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    if name and (index_dir / name / MANIFEST).is_file():
        return index_dir / name
    # A lost or broken pointer: fall back to the newest finished version.
    finished = sorted(p for p in index_dir.glob("kb-*") if (p / MANIFEST).is_file())
    return finished[-1] if finished else None


def switch_current(index_dir: Path, version_dir: Path) -> None:
    write_atomic(index_dir / CURRENT, version_dir.name.encode("utf-8"))


class IndexBuilder:
    def __init__(
        self,
        index_dir: Path,
        *,
        offline: HashedNgramEmbedder,
        openai: OpenAIEmbedder | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.index_dir = index_dir
        self.offline = offline
        self.openai = openai
        self._progress = progress or (lambda event: None)

    def _emit(self, phase: str, done: int, total: int, chunks: int) -> None:
        self._progress(KnowledgeProgress(phase=phase, files_done=done, files_total=total, chunks=chunks))

    # ---- parsing -------------------------------------------------------------------
    def parse_all(self, sources: list[SourceFile]) -> tuple[list[Chunk], list[DocumentStatus], list[DocumentError]]:
        chunks: list[Chunk] = []
        statuses: list[DocumentStatus] = []
        errors: list[DocumentError] = []
        for done, source in enumerate(sources, start=1):
            try:
                found = read_source(source)
            except DocumentError as exc:
                errors.append(exc)
                statuses.append(DocumentStatus(source.name, source.kind, 0, "error", exc.reason, exc.reason_ru))
            except Exception as exc:  # a reader bug must still name the file, not kill the app
                log.exception("reading %s failed", source.name)
                error = DocumentError(source.name, f"cannot be read ({type(exc).__name__}: {exc})"[:300], "не удалось прочитать файл")
                errors.append(error)
                statuses.append(DocumentStatus(source.name, source.kind, 0, "error", error.reason, error.reason_ru))
            else:
                warning = "" if found else "no usable text (only media or system messages)"
                statuses.append(DocumentStatus(source.name, source.kind, len(found), "ok", warning=warning))
                chunks.extend(found)
            self._emit("parse", done, len(sources), len(chunks))
        return chunks, statuses, errors

    # ---- vectors -------------------------------------------------------------------
    def _embed_into(self, version: IndexVersion, chunks: list[Chunk], use_openai: bool, warnings: list[str], done: int, total: int) -> bool:
        """Add vectors of `chunks`; returns whether OpenAI vectors are (still) complete."""
        store = version.vector_store()
        ids = [c.id for c in chunks]
        sources = [c.source for c in chunks]
        texts = [c.text for c in chunks]
        self._emit("embed", done, total, len(chunks))
        store.add(store.collection(OfflineEmbeddingFunction(embedder=self.offline)), ids, self.offline.embed(texts), sources)
        if not (use_openai and self.openai is not None):
            return False
        function = OpenAIEmbeddingFunction(embedder=self.openai)
        collection = store.collection(function)
        try:
            for start in range(0, len(texts), self.openai.batch_size):
                end = start + self.openai.batch_size
                vectors = self.openai.embed_batch(texts[start:end])
                store.add(collection, ids[start:end], vectors, sources[start:end])
                self._emit("embed", done, total, end)
        except EmbeddingError as exc:
            warnings.append(f"{exc}; using offline vectors instead")
            log.warning("%s; falling back to offline vectors", exc)
            store.drop(function)
            return False
        return True

    # ---- full build ------------------------------------------------------------------
    def build(self, source_dir: Path, *, skip_bad: bool = False) -> BuildOutcome:
        """Build a new version. A document that cannot be read fails the build (the current
        version keeps serving) — unless `skip_bad`, used when there is no current version:
        then the readable documents are indexed and the bad ones reported."""
        started = time.perf_counter()
        self.index_dir.mkdir(parents=True, exist_ok=True)
        sources = discover(source_dir)
        self._emit("scan", 0, len(sources), 0)
        warnings: list[str] = []
        if not source_dir.is_dir():
            warnings.append(f"knowledge folder {source_dir} does not exist; the index is empty")
        chunks, statuses, errors = self.parse_all(sources)
        if errors and not skip_bad:
            raise BuildFailed([(e.file, e.reason) for e in errors], statuses, [f"{e.file}: {e.reason_ru}" for e in errors])
        warnings.extend(f"{e.file}: left out, {e.reason}" for e in errors)
        warnings.extend(f"{s.file}: {s.warning}" for s in statuses if s.warning)
        chunks = _dedupe_ids(chunks)
        version_dir = self._new_version_dir()
        version: IndexVersion | None = None
        try:
            self._emit("index", len(sources), len(sources), len(chunks))
            stem_index, gram_index = build_lexical(chunks)
            version = IndexVersion(version_dir, {}, chunks, stem_index, gram_index)
            has_openai = self._embed_into(version, chunks, self.openai is not None, warnings, len(sources), len(sources))
            version.manifest = {
                "version": version_dir.name,
                "created": datetime.now(timezone.utc).isoformat(),
                "source_dir": str(source_dir),
                "embedding": self.openai.label if has_openai and self.openai else self.offline.label,
                "openai_model": self.openai.model if has_openai and self.openai else "",
                "offline_dim": self.offline.dim,
                "files": [s.__dict__ for s in statuses],
                "warnings": warnings,
            }
            version.save()  # the manifest goes last: it marks the version finished
            self._emit("switch", len(sources), len(sources), len(chunks))
            switch_current(self.index_dir, version_dir)
        except BaseException:
            if version is not None:
                version.close()
            shutil.rmtree(version_dir, ignore_errors=True)
            raise
        self._cleanup(keep=version_dir)
        self._emit("done", len(sources), len(sources), len(chunks))
        return BuildOutcome(version, statuses, warnings, time.perf_counter() - started)

    def _new_version_dir(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
        path = self.index_dir / f"kb-{stamp}"
        path.mkdir(parents=True)
        (path / CHROMA).mkdir()
        return path

    def _cleanup(self, keep: Path) -> None:
        """Delete old versions, keeping the newest few (the previous one may still be open)."""
        versions = sorted(p for p in self.index_dir.glob("kb-*") if p.is_dir())
        finished = [p for p in versions if (p / MANIFEST).is_file()]
        for old in finished[:-KEEP_VERSIONS]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)
        for unfinished in versions:
            if not (unfinished / MANIFEST).is_file() and unfinished != keep:
                shutil.rmtree(unfinished, ignore_errors=True)

    # ---- incremental -------------------------------------------------------------------
    def add(self, version: IndexVersion, source: SourceFile, statuses: list[DocumentStatus]) -> BuildOutcome:
        """Index one (new or replaced) file into `version` in place. Raises BuildFailed on a bad file."""
        started = time.perf_counter()
        self._emit("parse", 0, 1, 0)
        new_chunks, new_statuses, errors = self.parse_all([source])
        if errors:
            raise BuildFailed([(e.file, e.reason) for e in errors], new_statuses, [f"{e.file}: {e.reason_ru}" for e in errors])
        warnings = [f"{s.file}: {s.warning}" for s in new_statuses if s.warning]
        kept = [c for c in version.chunks if c.source != source.name]
        chunks = _dedupe_ids(kept + new_chunks)
        self._emit("index", 1, 1, len(chunks))
        stem_index, gram_index = build_lexical(chunks)
        updated = IndexVersion(version.path, dict(version.manifest), chunks, stem_index, gram_index, store=version.vector_store())
        store = updated.vector_store()
        use_openai = bool(version.manifest.get("openai_model")) and self.openai is not None
        functions = [OfflineEmbeddingFunction(embedder=self.offline)]
        if use_openai and self.openai is not None:
            functions.append(OpenAIEmbeddingFunction(embedder=self.openai))
        for function in functions:
            store.delete_source(store.collection(function), source.name)
        added = [c for c in chunks if c.source == source.name]
        still_openai = self._embed_into(updated, added, use_openai, warnings, 1, 1)
        if use_openai and not still_openai:
            updated.manifest["embedding"] = self.offline.label
            updated.manifest["openai_model"] = ""
        merged = [s for s in statuses if s.file != source.name] + new_statuses
        updated.manifest["files"] = [s.__dict__ for s in merged]
        updated.manifest["warnings"] = list(updated.manifest.get("warnings", [])) + warnings
        updated.save()
        self._emit("done", 1, 1, len(chunks))
        return BuildOutcome(updated, merged, warnings, time.perf_counter() - started)


def _dedupe_ids(chunks: list[Chunk]) -> list[Chunk]:
    """Identical chunks from one file at one position would collide in Chroma; keep the first."""
    seen: set[str] = set()
    unique: list[Chunk] = []
    for chunk in chunks:
        if chunk.id not in seen:
            seen.add(chunk.id)
            unique.append(chunk)
    return unique
