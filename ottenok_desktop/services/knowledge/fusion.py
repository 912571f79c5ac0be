"""Reciprocal rank fusion (Cormack et al.): score = Σ 1 / (k + rank), k = 60.

Rank-based, so BM25 scores, n-gram scores and cosine distances need no common scale.
"""

from __future__ import annotations

from typing import Hashable, Mapping, Sequence, TypeVar

RRF_K = 60
T = TypeVar("T", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[T]],
    k: int = RRF_K,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[T, float, dict[str, int]]]:
    """Fuse named rankings (best first), each optionally weighted (default 1).

    Returns (item, fused score, {ranker: 1-based rank}), best first."""
    scores: dict[T, float] = {}
    ranks: dict[T, dict[str, int]] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for position, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + position)
            ranks.setdefault(item, {})[name] = position
    # Ties (same score) keep the order of first appearance, which follows the first ranker.
    ordered = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(item, score, ranks[item]) for item, score in ordered]
