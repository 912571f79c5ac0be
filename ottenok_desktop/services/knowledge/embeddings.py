"""Embeddings: an offline hashed character n-gram embedder and an OpenAI embedder.

Offline: every word's 3–5-grams are hashed (crc32, stable across runs and machines)
into a fixed number of signed buckets; the text vector is their sum, L2-normalised.
No model to download, robust to typos; weak at rank 1 alone, strong inside the fusion.

OpenAI: the `openai` package's client with `base_url`, so any OpenAI-compatible server
(and the loopback fake in tests) works. Texts go in batches; errors raise
`EmbeddingError` with no secret in the message so the builder can fall back.

The two `*EmbeddingFunction` classes are what Chroma stores with a collection (`name()`,
`get_config()`, `build_from_config()`), one collection per function.
"""

from __future__ import annotations

import threading
import zlib
from typing import Any, Sequence

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from ottenok_desktop.settings import Secret

from .analysis import normalize_document, word_grams, words

OFFLINE_DIM = 512
OFFLINE_NAME = "ottenok-hashed-char-ngrams"
OPENAI_NAME = "ottenok-openai"


class EmbeddingError(RuntimeError):
    """The embedding service failed; the message never contains the key."""


class HashedNgramEmbedder:
    """Offline text → vector. Thread-safe (the cache only grows, dict writes are atomic)."""

    def __init__(self, dim: int = OFFLINE_DIM) -> None:
        self.dim = dim
        self._word_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return f"offline:{OFFLINE_NAME}-{self.dim}"

    def _word_features(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._word_cache.get(word)
        if cached is None:
            hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in word_grams(word)), dtype=np.uint32)
            indices = (hashes % self.dim).astype(np.int64)
            signs = np.where((hashes >> 31) & 1, -1.0, 1.0).astype(np.float32)
            cached = (indices, signs)
            if len(self._word_cache) < 300_000:
                self._word_cache[word] = cached
        return cached

    def embed_normalized(self, normalized: str) -> np.ndarray:
        features = [self._word_features(w) for w in words(normalized)]
        if not features:
            vector = np.zeros(self.dim, dtype=np.float32)
            vector[0] = 1.0  # an empty text still needs a valid unit vector
            return vector
        indices = np.concatenate([f[0] for f in features])
        signs = np.concatenate([f[1] for f in features])
        vector = np.bincount(indices, weights=signs, minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self.embed_normalized(normalize_document(t)) for t in texts])


class OpenAIEmbedder:
    """Batched embeddings through an OpenAI-compatible `/v1/embeddings` endpoint."""

    def __init__(
        self,
        api_key: Secret,
        base_url: str = "",
        model: str = "text-embedding-3-small",
        *,
        batch_size: int = 128,
        timeout: float = 30.0,
        max_retries: int = 1,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self._api_key = api_key
        self._timeout = timeout
        self._max_retries = max_retries
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return f"openai:{self.model}"

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                from openai import DefaultHttpxClient, OpenAI

                from ..tls import client_ssl_context

                self._client = OpenAI(
                    # HTTPS verified through the OS certificate store (services/tls.py).
                    http_client=DefaultHttpxClient(verify=client_ssl_context()),
                    api_key=self._api_key.reveal() or "no-key",  # local servers accept any key
                    # OPENAI_BASE_URL follows the openai package's meaning (".../v1").
                    base_url=self.base_url or None,
                    timeout=self._timeout,
                    max_retries=self._max_retries,
                )
            return self._client

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        try:
            response = self._get_client().embeddings.create(model=self.model, input=list(texts))
        except Exception as exc:  # openai raises APIError subclasses, httpx errors, timeouts
            from ..tls import describe_tls_failure, tls_failure_reason

            reason = tls_failure_reason(exc)
            if reason is not None:
                raise EmbeddingError(f"OpenAI embeddings failed: {describe_tls_failure(self.base_url or 'api.openai.com', reason)}") from None
            raise EmbeddingError(f"OpenAI embeddings failed: {type(exc).__name__}: {_safe(exc, self._api_key)}") from None
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts):
            raise EmbeddingError(f"OpenAI embeddings returned {len(data)} vectors for {len(texts)} texts")
        vectors = np.asarray([item.embedding for item in data], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        parts = [self.embed_batch(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _safe(exc: BaseException, secret: Secret) -> str:
    message = str(exc)[:200]
    value = secret.reveal()
    return message.replace(value, "***") if value else message


@register_embedding_function
class OfflineEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma wrapper of `HashedNgramEmbedder`."""

    def __init__(self, dim: int = OFFLINE_DIM, embedder: HashedNgramEmbedder | None = None) -> None:
        self.embedder = embedder or HashedNgramEmbedder(dim)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return OFFLINE_NAME

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.embedder.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "OfflineEmbeddingFunction":
        return OfflineEmbeddingFunction(dim=int(config.get("dim", OFFLINE_DIM)))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


@register_embedding_function
class OpenAIEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma wrapper of `OpenAIEmbedder`. The key is never part of the stored config."""

    def __init__(self, embedder: OpenAIEmbedder | None = None, *, model: str = "text-embedding-3-small") -> None:
        self.embedder = embedder or OpenAIEmbedder(Secret(""), model=model)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return OPENAI_NAME

    def get_config(self) -> dict[str, Any]:
        return {"model": self.embedder.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "OpenAIEmbeddingFunction":
        return OpenAIEmbeddingFunction(model=str(config.get("model", "text-embedding-3-small")))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"
