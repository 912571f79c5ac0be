"""Median and P90 interpolate linearly between ranks, as numpy.percentile does."""

import numpy as np
import pytest

from ottenok_desktop.engine.analytics.stats import percentile, stats


def test_hand_computed_percentiles() -> None:
    s = stats([40, 10, 30, 20])
    assert s.count == 4
    assert s.median == 25.0  # between 20 and 30
    assert s.p90 == pytest.approx(37.0)  # rank 0.9 * 3 = 2.7 → 30 + 0.7 * 10
    assert s.mean == 25.0


def test_single_value_and_empty() -> None:
    assert stats([300]).p90 == 300
    empty = stats([])
    assert (empty.count, empty.median, empty.p90, empty.mean) == (0, None, None, None)


@pytest.mark.parametrize("q", [10, 50, 90, 99])
def test_matches_numpy_default(q: float) -> None:
    values = np.random.default_rng(3).exponential(600, size=101)
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_durations_for_people() -> None:
    from ottenok_desktop.engine.analytics.summary import format_duration

    assert [format_duration(x) for x in (None, 42, 250, 600, 3900, 7200)] == [
        "—", "42 с", "4 мин 10 с", "10 мин", "1 ч 5 мин", "2 ч"]
