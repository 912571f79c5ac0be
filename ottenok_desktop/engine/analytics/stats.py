"""Count, median, P90 and mean of a list of seconds. Percentiles interpolate linearly
between the closest ranks, exactly as `numpy.percentile` does by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Stats:
    count: int
    median: float | None
    p90: float | None
    mean: float | None

    def as_json(self) -> dict[str, float | int | None]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {"count": self.count, "median": r(self.median), "p90": r(self.p90), "mean": r(self.mean)}


EMPTY = Stats(0, None, None, None)


def percentile(values: Sequence[float] | np.ndarray, q: float) -> float:
    """Linear interpolation: rank (n - 1) * q / 100 between the two nearest values."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    if ordered.size == 0:
        raise ValueError("percentile of no values")
    rank = (ordered.size - 1) * q / 100.0
    low = int(np.floor(rank))
    high = min(low + 1, ordered.size - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def stats(values: Sequence[float] | np.ndarray) -> Stats:
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return EMPTY
    return Stats(int(array.size), percentile(array, 50), percentile(array, 90), float(array.mean()))
