"""Second look at the best candidates: align the customer's picture on the shop photo and compare details.

The window hashes (fingerprint.py) find where a customer's picture may sit in which shop
photo, but 64 bits of low frequencies say little more than "a dark shoe on a light
backdrop": two loafers, or a loafer the shop does not sell, hash alike. So for the few
best products the matched window is refined (small shifts and scales around it) to the
alignment where the two pictures agree best, and the agreement is measured on detail:

- `structure`: the normalised cross-correlation of the 32×32 grey grids after a
  band-pass (3×3 mean minus 9×9 mean), so a shared backdrop or shadow counts for little
  and the horsebit, the laces, the toe cap, the sole and the wordmark count;
- `colour`: the RMS difference of the aligned 8×8 colour grids (a black pair vs a beige one).

Pure numpy over `Integral` tables; a shop photo's table is rebuilt from its file when it
is a candidate (cached for the process), so the index keeps only hashes in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

from .fingerprint import CATALOG_SIDE, GREY_WEIGHTS, Integral, reduced

GRID = 32  # structure is compared on a GRID×GRID grey grid
COLOUR_GRID = 8
MAX_EVALUATIONS = 80  # alignments tried per candidate photo

BoxF = tuple[float, float, float, float]


@dataclass(frozen=True)
class Agreement:
    structure: float  # normalised cross-correlation of the high-passed grey grids, -1..1
    colour: float  # RMS colour difference of the aligned grids, 0–255


def _box_mean(grid: np.ndarray, radius: int) -> np.ndarray:
    """The mean of each cell's (2r+1)² neighbourhood, edges replicated."""
    n = grid.shape[0]
    size = 2 * radius + 1
    padded = np.pad(grid, radius, mode="edge")
    table = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1))
    table[1:, 1:] = padded.cumsum(0).cumsum(1)
    return (table[size:size + n, size:size + n] - table[:n, size:size + n] - table[size:size + n, :n]
            + table[:n, :n]) / (size * size)


def _detail(grey: np.ndarray) -> np.ndarray:
    """Lightly smoothed (JPEG noise, half-cell misalignment) minus the 9×9 neighbourhood (backdrop,
    shadow, lighting), zero mean, unit norm: what the dot product of two of them compares."""
    detail = (_box_mean(grey, 1) - _box_mean(grey, 4)).flatten()
    detail = detail - detail.mean()
    norm = float(np.linalg.norm(detail))
    return detail / norm if norm > 1e-6 else detail


@dataclass(frozen=True)
class Probe:
    """The customer's picture inside one of its candidate boxes, ready to compare."""

    detail: np.ndarray
    colours: np.ndarray

    @classmethod
    def of(cls, integral: Integral, box: BoxF) -> "Probe":
        cells = integral.grid(box, GRID)
        colours = integral.grid(box, COLOUR_GRID)
        return cls(_detail(cells @ GREY_WEIGHTS), colours)


@lru_cache(maxsize=64)
def catalog_integral(path: str, _size: int, _mtime_ns: int) -> Integral:
    with Image.open(path) as image:
        image.load()
        return Integral(reduced(image, CATALOG_SIDE))


def agreement(probe: Probe, photo: Integral, window: BoxF) -> Agreement:
    """The best agreement of the probe with the photo around `window` (fractions of the photo):
    a local search over the centre and each side's scale, from steps of 4–5 % down to a quarter."""
    w, h = photo.width, photo.height
    left, top, right, bottom = window[0] * w, window[1] * h, window[2] * w, window[3] * h
    params = np.array([(left + right) / 2, (top + bottom) / 2, right - left, bottom - top])

    def box_of(p: np.ndarray) -> BoxF:
        return (p[0] - p[2] / 2, p[1] - p[3] / 2, p[0] + p[2] / 2, p[1] + p[3] / 2)

    def score(p: np.ndarray) -> float:
        return float(_detail(photo.grid(box_of(p), GRID) @ GREY_WEIGHTS) @ probe.detail)

    best = score(params)
    steps = np.array([0.04, 0.04, 0.05, 0.05]) * params[[2, 3, 2, 3]]
    evaluations = 1
    for _ in range(3):
        improved = True
        while improved and evaluations < MAX_EVALUATIONS:
            improved = False
            for axis in range(4):
                for sign in (1.0, -1.0):
                    trial = params.copy()
                    trial[axis] += sign * steps[axis]
                    value = score(trial)
                    evaluations += 1
                    if value > best:
                        best, params, improved = value, trial, True
        steps /= 2
    colours = photo.grid(box_of(params), COLOUR_GRID)
    rms = float(np.sqrt(((colours - probe.colours) ** 2).mean()))
    return Agreement(best, rms)
