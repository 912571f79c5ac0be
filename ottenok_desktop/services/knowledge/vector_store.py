"""ChromaDB persistence of chunk vectors: one PersistentClient per index version,
one collection per embedding function (offline hashed n-grams, OpenAI model).

Vectors are computed by our embedders and passed in explicitly (batching and the
OpenAI → offline fallback stay in our hands); the embedding function object is still
given to Chroma so each collection records which function made its vectors.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np

log = logging.getLogger(__name__)


def collection_name(function_name: str, config: dict[str, Any]) -> str:
    """A Chroma-safe collection name that changes when the function or its config does."""
    import hashlib
    import json

    digest = hashlib.blake2b(json.dumps(config, sort_keys=True).encode(), digest_size=4).hexdigest()
    safe = "".join(c if c.isalnum() else "-" for c in function_name).strip("-")
    return f"kb-{safe}-{digest}"[:60]


class VectorStore:
    def __init__(self, path: Path) -> None:
        import chromadb
        from chromadb.config import Settings

        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
        self._collections: dict[str, Any] = {}

    def collection(self, function: Any) -> Any:
        """Open (or create) the collection of one embedding function."""
        name = collection_name(function.name(), function.get_config())
        found = self._collections.get(name)
        if found is None:
            found = self._client.get_or_create_collection(
                name=name,
                embedding_function=function,
                configuration={"hnsw": {"space": "cosine"}},
            )
            self._collections[name] = found
        return found


    def add(self, collection: Any, ids: Sequence[str], vectors: np.ndarray, sources: Sequence[str]) -> None:
        batch = max(1, min(5000, self._client.get_max_batch_size()))
        for start in range(0, len(ids), batch):
            end = start + batch
            collection.add(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                metadatas=[{"source": s} for s in sources[start:end]],
            )

    def delete_source(self, collection: Any, source: str) -> None:
        collection.delete(where={"source": source})

    def query(self, collection: Any, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        count = collection.count()
        if count == 0:
            return []
        result = collection.query(query_embeddings=[vector], n_results=min(n, count), include=["distances"])
        ids = result["ids"][0]
        distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
        return list(zip(ids, distances))

    def close(self) -> None:
        try:
            self._client.close()
        except Exception as exc:  # closing must not hide the real outcome of a build
            log.warning("closing the vector store at %s failed: %s", self.path, exc)
        self._collections.clear()

    def drop(self, function: Any) -> None:
        """Delete one function's collection (e.g. OpenAI vectors that could not be finished)."""
        name = collection_name(function.name(), function.get_config())
        self._collections.pop(name, None)
        try:
            self._client.delete_collection(name)
        except Exception as exc:  # already gone is fine
            log.debug("dropping collection %s: %s", name, exc)
