"""BM25 over any term lists (Snowball stems, character n-grams), in numpy, picklable.

The index is stored column-wise (CSR): for each term a slice of document ids and the
precomputed BM25 weight of the term in each document, so a query is one concatenate and
one `bincount`: ~1 ms at 10,000 chunks even with a hundred n-grams per query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

K1 = 1.2
B = 0.75


@dataclass
class BM25Index:
    vocab: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab) + 1
    doc_ids: np.ndarray  # int32
    weights: np.ndarray  # float32
    n_docs: int

    @classmethod
    def build(cls, documents: Sequence[Iterable[str]], k1: float = K1, b: float = B) -> "BM25Index":
        vocab: dict[str, int] = {}
        term_col: list[int] = []
        doc_col: list[int] = []
        tf_col: list[int] = []
        lengths = np.zeros(len(documents), dtype=np.float32)
        for doc, terms in enumerate(documents):
            counts = Counter(terms)
            lengths[doc] = sum(counts.values())
            for term, count in counts.items():
                index = vocab.get(term)
                if index is None:
                    index = vocab[term] = len(vocab)
                term_col.append(index)
                doc_col.append(doc)
                tf_col.append(count)
        n_docs = len(documents)
        if not vocab:
            return cls(vocab, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), n_docs)
        terms_arr = np.asarray(term_col, dtype=np.int64)
        docs_arr = np.asarray(doc_col, dtype=np.int32)
        tf = np.asarray(tf_col, dtype=np.float32)
        df = np.bincount(terms_arr, minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) or 1.0
        norm = k1 * (1.0 - b + b * lengths[docs_arr] / avgdl)
        weights = (idf[terms_arr] * tf * (k1 + 1.0) / (tf + norm)).astype(np.float32)
        order = np.argsort(terms_arr, kind="stable")
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df.astype(np.int64), out=indptr[1:])
        return cls(vocab, indptr, docs_arr[order], weights[order], n_docs)

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        slices = []
        for term in set(query_terms):
            index = self.vocab.get(term)
            if index is not None:
                slices.append((self.indptr[index], self.indptr[index + 1]))
        if not slices or self.n_docs == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        ids = np.concatenate([self.doc_ids[s:e] for s, e in slices])
        weights = np.concatenate([self.weights[s:e] for s, e in slices])
        return np.bincount(ids, weights=weights, minlength=self.n_docs)

    def search(self, query_terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """Top k (doc index, score) with score > 0, best first."""
        return top_k(self.scores(query_terms), k)


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    if scores.size == 0 or k <= 0:
        return []
    k = min(k, scores.size)
    candidates = np.argpartition(-scores, k - 1)[:k]
    ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [(int(i), float(scores[i])) for i in ordered if scores[i] > 0]
