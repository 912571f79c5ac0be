"""Second look at the best candidates: align the customer's picture on the shop photo and compare details.

The window hashes (fingerprint.py) find where a customer's picture may sit in which shop
photo, but 64 bits of low frequencies say little more than "a dark shoe on a light
backdrop": two loafers, or a loafer the shop does not sell, hash alike. So for the few
best products the matched window is refined (small shifts and scales around it) to the
alignment where the two pictures agree best, and the agreement is measured on detail:

- `structure`: the normalised cross-correlation of the 32×32 grey grids after a
  band-pass (3×3 mean minus 9×9 mean), so a shared backdrop or shadow counts for little
  and the horsebit, the laces, the toe cap, the sole and the wordmark count;
- `colour`: how far the *product's* colours are apart (a black pair vs a beige one, a burgundy
  loafer vs the brown one): the aligned 16×16 colour grids are compared after the best phone-like
  change of brightness, contrast and saturation within bounds (a phone's filter is not another
  colour), and only on the cells where the shop photo differs from its own backdrop (estimated
  per row from the photo's left and right edges) — the shared studio backdrop says nothing.
  (A 64×64 detail correlation was tried as a third look: it removed a few lookalikes but cost
  more right answers than the colour gate for the same gain, bench/images.py.)

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
COLOUR_GRID = 16
MAX_EVALUATIONS = 80  # alignments tried per candidate photo
# A phone's look (brightness, contrast, saturation): the colour comparison forgives this much.
GAIN = (0.7, 1.35)
OFFSET = 40.0
SATURATIONS = (0.8, 0.9, 1.0, 1.12, 1.25)
BACKDROP_STRIP = 0.03  # the shop photo's outer columns (this share of its width) show the backdrop
PRODUCT_STEP = 24.0  # a cell this far (RMS, 0–255) from the row's backdrop shows the product
MIN_PRODUCT_CELLS = 12  # fewer product cells than this: compare all cells
TRIM = 0.1  # the worst share of cells left out (a sticker, a caption bar over the product)

BoxF = tuple[float, float, float, float]


@dataclass(frozen=True)
class Agreement:
    structure: float  # normalised cross-correlation of the high-passed grey grids, -1..1
    colour: float  # RMS difference of the product's colours after the phone's look is forgiven, 0–255


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
    box = box_of(params)
    colours = photo.grid(box, COLOUR_GRID)
    product = np.sqrt(((colours - backdrop_rows(photo, box, COLOUR_GRID)[:, None, :]) ** 2).mean(axis=2))
    return Agreement(best, colour_difference(probe.colours, colours, product >= PRODUCT_STEP))


def backdrop_rows(photo: Integral, box: BoxF, cells: int) -> np.ndarray:
    """(cells, 3): per row of a cells×cells grid over `box`, the photo's backdrop colour there —
    the mean of its outer left and right strips (studio backdrops change top to bottom)."""
    strip = max(1.0, photo.width * BACKDROP_STRIP)
    left = photo.grid((0.0, box[1], strip, box[3]), cells)[:, 0]
    right = photo.grid((photo.width - strip, box[1], float(photo.width), box[3]), cells)[:, -1]
    return (left + right) / 2


def colour_difference(probe: np.ndarray, photo: np.ndarray, product: np.ndarray) -> float:
    """RMS colour difference on the product's cells after the closest phone-like change of the probe
    (one gain and offset for all channels, a saturation step; each bounded), worst `TRIM` left out."""
    p, q = probe.reshape(-1, 3), photo.reshape(-1, 3)
    cells = product.reshape(-1) if int(product.sum()) >= MIN_PRODUCT_CELLS else np.ones(len(p), dtype=bool)
    grey = (p @ GREY_WEIGHTS)[:, None]
    target = q.ravel()
    best = float("inf")
    for saturation in SATURATIONS:
        changed = grey + saturation * (p - grey)
        x = changed.ravel()
        spread = float(x.var())
        gain = float(((x - x.mean()) * (target - target.mean())).mean() / spread) if spread > 1e-6 else 1.0
        gain = min(max(gain, GAIN[0]), GAIN[1])
        offset = min(max(float(target.mean() - gain * x.mean()), -OFFSET), OFFSET)
        errors = np.sqrt((((gain * changed + offset) - q) ** 2).mean(axis=1))[cells]
        kept = np.sort(errors)[:max(1, round(len(errors) * (1.0 - TRIM)))]
        best = min(best, float(np.sqrt((kept ** 2).mean())))
    return best
