"""One index version on disk and in memory: chunks, the two BM25 indexes, the vector store.

Layout of `<index_dir>/kb-<version>/`: `chunks.pkl`, `lexical.pkl`, `chroma/`, and
`manifest.json`, written last, so a directory without a manifest is an unfinished build.
`search()` fuses the rankings of every retriever with RRF.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .analysis import char_grams, normalize, normalize_document, stems
from .fusion import reciprocal_rank_fusion
from .lexical import BM25Index, top_k
from .synonyms import expand_query
from .models import Chunk, KnowledgeHit

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHUNKS = "chunks.pkl"
LEXICAL = "lexical.pkl"
CHROMA = "chroma"
CANDIDATES = 50
SCORE_CACHE = 64  # lexical score arrays kept per version (10k chunks: ~80 KB each)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def build_lexical(chunks: list[Chunk]) -> tuple[BM25Index, BM25Index]:
    normalized = [normalize_document(c.text) for c in chunks]
    return BM25Index.build([stems(t) for t in normalized]), BM25Index.build([char_grams(t) for t in normalized])


@dataclass
class IndexVersion:
    path: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    stem_index: BM25Index
    gram_index: BM25Index
    store: Any = None  # VectorStore, opened lazily (chromadb import is slow)
    _positions: dict[str, int] = field(default_factory=dict)
    _store_lock: threading.Lock = field(default_factory=threading.Lock)
    _score_cache: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._positions = {c.id: i for i, c in enumerate(self.chunks)}

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def embedding(self) -> str:
        return str(self.manifest.get("embedding", "offline"))

    def vector_store(self) -> Any:
        with self._store_lock:
            if self.store is None:
                from .vector_store import VectorStore

                self.store = VectorStore(self.path / CHROMA)
            return self.store

    # ---- persistence -------------------------------------------------------------
    def save(self) -> None:
        write_atomic(self.path / CHUNKS, pickle.dumps(self.chunks, protocol=pickle.HIGHEST_PROTOCOL))
        write_atomic(
            self.path / LEXICAL,
            pickle.dumps({"stems": self.stem_index, "chargrams": self.gram_index}, protocol=pickle.HIGHEST_PROTOCOL),
        )
        write_atomic(self.path / MANIFEST, json.dumps(self.manifest, ensure_ascii=False, indent=1).encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> "IndexVersion":
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        with open(path / CHUNKS, "rb") as handle:
            chunks = pickle.load(handle)
        with open(path / LEXICAL, "rb") as handle:
            lexical = pickle.load(handle)
        return cls(path=path, manifest=manifest, chunks=chunks, stem_index=lexical["stems"], gram_index=lexical["chargrams"])

    def close(self) -> None:
        with self._store_lock:
            if self.store is not None:
                self.store.close()
                self.store = None

    # ---- search ------------------------------------------------------------------
    def lexical_scores(self, normalized: str) -> tuple[np.ndarray, np.ndarray]:
        """Stemmed and n-gram BM25 scores of every chunk for a normalised (expanded) text.

        The last few are kept: section routing scores the same query again right after the
        fused search, and the same topic words for every question of that topic."""
        cached = self._score_cache.get(normalized)
        if cached is None:
            cached = (self.stem_index.scores(stems(normalized)), self.gram_index.scores(char_grams(normalized)))
            with self._store_lock:
                self._score_cache[normalized] = cached
                while len(self._score_cache) > SCORE_CACHE:
                    self._score_cache.pop(next(iter(self._score_cache)))
        return cached

    def rankings(
        self,
        query: str,
        *,
        n: int = CANDIDATES,
        vector_query: Callable[["IndexVersion", str], list[tuple[str, float]]] | None = None,
    ) -> dict[str, list[int]]:
        """Chunk positions ranked by each retriever, best first."""
        if not self.chunks:
            return {}
        normalized = expand_query(normalize(query))
        stem_scores, gram_scores = self.lexical_scores(normalized)
        result = {
            "stems": [i for i, _ in top_k(stem_scores, n)],
            "chargrams": [i for i, _ in top_k(gram_scores, n)],
        }
        if vector_query is not None:
            try:
                found = vector_query(self, normalized)
            except Exception as exc:  # a vector failure must not take the lexical answers away
                log.warning("vector search failed in %s: %s", self.name, exc)
                found = []
            result["vectors"] = [self._positions[cid] for cid, _ in found if cid in self._positions]
        return result

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        vector_query: Callable[["IndexVersion", str], list[tuple[str, float]]] | None = None,
        weights: dict[str, float] | None = None,
    ) -> list[KnowledgeHit]:
        rankings = self.rankings(query, vector_query=vector_query)
        hits: list[KnowledgeHit] = []
        for position, score, ranks in reciprocal_rank_fusion(rankings, weights=weights)[:k]:
            chunk = self.chunks[position]
            metadata = {**chunk.metadata, "ranks": ranks, "chunk_id": chunk.id}
            hits.append(KnowledgeHit(chunk.text, chunk.source, chunk.section, chunk.kind, round(score, 6), metadata))
        return hits

