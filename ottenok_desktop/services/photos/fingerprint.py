"""Image fingerprints for matching a customer's photo or screenshot to the shop's photos (blocking, numpy).

A customer's picture of a product is usually one of the shop's own photos, cropped (60–100 %),
resized, recompressed, slightly rotated, and framed by a phone's status bar and the app's
chrome (Instagram / WhatsApp). So:

1. `content_box` cuts the chrome away: rows and columns that are mostly one flat colour
   (bars, captions on a plain background) are trimmed, and the longest band of "busy" rows
   is kept — the photo inside the screenshot.
2. Every shop photo is described at many windows (scales 55–100 % of each side, on a grid of
   positions), each window by a 64-bit DCT perceptual hash (pHash) of its grey levels plus a
   4×4 colour thumbnail; a query is described once (its content box, and two slightly
   inset boxes against leftover chrome).
3. The distance of a query to a photo is the smallest, over the photo's windows, of
   hash Hamming distance + a weighted colour distance (the colour part tells a black pair
   from a beige one: pHash ignores colour).

Everything here is pure numpy over Pillow images: no model, nothing downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

from .locate import framed_boxes

HASH_SIDE = 32  # the image is reduced to 32×32 grey levels before the DCT
HASH_BITS = 8  # the top-left 8×8 DCT coefficients make the 64-bit hash
THUMB = 4  # the colour thumbnail is 4×4 RGB
COLOR_WEIGHT = 0.25  # Hamming bits per unit of RMS colour distance (0–255 scale)
WINDOW_SCALES = (1.0, 0.87, 0.75, 0.64)  # per side, independently (a crop changes the aspect)
WINDOW_STEPS = 4  # positions per axis for each scale < 1
# Bump when what catalog_fingerprints produces changes: the on-disk cache (print_cache.py) is keyed by it.
FINGERPRINT_VERSION = 1
CATALOG_SIDE = 256  # shop photos are reduced to this before their windows are described


@dataclass(frozen=True)
class Fingerprints:
    """Descriptors of several windows of one image: `hashes` (n, 64) bool, `colors` (n, 48) float,
    and where each window is: `boxes` (n, 4) as fractions (left, top, right, bottom) of the image."""

    hashes: np.ndarray
    colors: np.ndarray
    boxes: np.ndarray

    def __len__(self) -> int:
        return int(self.hashes.shape[0])


@lru_cache(maxsize=1)
def _dct_matrix() -> np.ndarray:
    n = HASH_SIDE
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    matrix = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    matrix[0, :] = np.sqrt(1.0 / n)
    return matrix


class Integral:
    """Summed-area table of an RGB image: the mean colour of any grid of cells over any box in
    O(cells), so hundreds of windows cost one pass over the pixels (a box resize per window did not)."""

    def __init__(self, image: Image.Image) -> None:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
        self.height, self.width = pixels.shape[:2]
        self.table = np.zeros((self.height + 1, self.width + 1, 3))
        self.table[1:, 1:] = pixels.cumsum(axis=0).cumsum(axis=1)
        self._grey: np.ndarray | None = None

    def grid(self, box: tuple[float, float, float, float], cells: int) -> np.ndarray:
        """(cells, cells, 3) mean colours of a cells×cells grid laid over the box (pixel units)."""
        left, top, right, bottom = box
        xs = np.clip(np.round(np.linspace(left, right, cells + 1)).astype(int), 0, self.width)
        ys = np.clip(np.round(np.linspace(top, bottom, cells + 1)).astype(int), 0, self.height)
        xs[1:] = np.maximum(xs[1:], xs[:-1] + 1)  # a box narrower than the grid: cells of one pixel
        ys[1:] = np.maximum(ys[1:], ys[:-1] + 1)
        xs, ys = np.minimum(xs, self.width), np.minimum(ys, self.height)
        t = self.table
        sums = t[ys[1:, None], xs[None, 1:]] - t[ys[:-1, None], xs[None, 1:]] - t[ys[1:, None], xs[None, :-1]] \
            + t[ys[:-1, None], xs[None, :-1]]
        area = np.maximum(1, (ys[1:] - ys[:-1])[:, None] * (xs[1:] - xs[:-1])[None, :])
        return sums / area[:, :, None]

    def describe(self, boxes: list[tuple[float, float, float, float]]) -> tuple[np.ndarray, np.ndarray]:
        """(n, 64) pHash bits and (n, 48) 4×4 colour thumbnails of n boxes, all in one batch."""
        frame = np.array(boxes, dtype=np.float64).reshape(-1, 4)
        steps = np.linspace(0.0, 1.0, HASH_SIDE + 1)
        xs = np.round(frame[:, [0]] + (frame[:, [2]] - frame[:, [0]]) * steps).astype(int)
        ys = np.round(frame[:, [1]] + (frame[:, [3]] - frame[:, [1]]) * steps).astype(int)
        xs, ys = np.clip(xs, 0, self.width), np.clip(ys, 0, self.height)
        for edges, limit in ((xs, self.width), (ys, self.height)):
            edges[:, 1:] = np.minimum(np.maximum(edges[:, 1:], edges[:, :-1] + 1), limit)
        # the 32×32 grey grid from the grey table (one channel: a third of the gathers), the 4×4 colour
        # thumbnail from the RGB table on every 8th edge of the same grid
        grey = _cell_means(self.grey_table(), xs, ys)
        dct = _dct_matrix()
        low = (dct[:HASH_BITS] @ grey @ dct[:HASH_BITS].T).reshape(len(frame), -1)
        bits = low > np.median(low[:, 1:], axis=1, keepdims=True)
        step = HASH_SIDE // THUMB
        thumbs = _cell_means(self.table, xs[:, ::step], ys[:, ::step])
        return bits, thumbs.reshape(len(frame), -1)

    def grey_table(self) -> np.ndarray:
        if self._grey is None:
            self._grey = self.table @ GREY_WEIGHTS  # sums are linear: the grey table of the RGB one
        return self._grey


def _cell_means(table: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Per box (rows of xs, ys: cell edges in pixels), the mean of each cell, from a summed-area table."""
    y1, y0 = ys[:, 1:, None], ys[:, :-1, None]
    x1, x0 = xs[:, None, 1:], xs[:, None, :-1]
    sums = table[y1, x1] - table[y0, x1] - table[y1, x0] + table[y0, x0]
    area = np.maximum(1, (y1 - y0) * (x1 - x0))
    return sums / (area[..., None] if sums.ndim == 4 else area)


GREY_WEIGHTS = np.array([0.299, 0.587, 0.114])  # ITU-R 601, as Pillow's convert("L")


Box = tuple[int, int, int, int]


def _flat_lines(pixels: np.ndarray, flat_share: float, tolerance: int) -> np.ndarray:
    """Per line (row of `pixels`): is it mostly one colour (a bar, a caption on a plain background)?"""
    median = np.median(pixels, axis=1, keepdims=True)
    close = (np.abs(pixels - median).max(axis=2) <= tolerance).mean(axis=1)
    return close >= flat_share


def candidate_boxes(image: Image.Image, flat_share: float = 0.8, tolerance: int = 14) -> list[Box]:
    """Where the photo may be inside a screenshot, several guesses (the matcher keeps the closest):
    the whole picture, flat bars trimmed from the edges inwards, and the longest busy band."""
    boxes: list[Box] = [(0, 0, image.width, image.height)]
    small, scale = _small(image)
    pixels = np.asarray(small, dtype=np.int16)
    flat_rows = _flat_lines(pixels, flat_share, tolerance)
    top, bottom = _edges(flat_rows)
    if bottom - top >= max(8, pixels.shape[0] // 6):
        flat_cols = _flat_lines(np.transpose(pixels[top:bottom], (1, 0, 2)), flat_share, tolerance)
        left, right = _edges(flat_cols)
        if right - left < max(8, pixels.shape[1] // 6):
            left, right = 0, pixels.shape[1]
        boxes.append(_scaled((left, top, right, bottom), scale, image))
    boxes.append(content_box(image, flat_share, tolerance))
    # non-flat frames (locate.py), on every other pixel: a pasted edge survives that, the cost halves twice
    boxes.extend(_scaled(box, scale * 2, image) for box in framed_boxes(pixels[::2, ::2]))
    unique: list[Box] = []
    for box in boxes:
        if box not in unique and box[2] - box[0] >= 8 and box[3] - box[1] >= 8:
            unique.append(box)
    return unique


def _small(image: Image.Image) -> tuple[Image.Image, float]:
    small = image.convert("RGB")
    scale = max(1.0, max(small.size) / 400)
    if scale > 1.0:
        small = small.resize((max(1, int(small.width / scale)), max(1, int(small.height / scale))),
                             Image.Resampling.BILINEAR)
    return small, scale


def _scaled(box: Box, scale: float, image: Image.Image) -> Box:
    left, top, right, bottom = box
    return (int(left * scale), int(top * scale), min(image.width, int(right * scale)),
            min(image.height, int(bottom * scale)))


def _edges(flat: np.ndarray) -> tuple[int, int]:
    """First and last+1 non-flat line, trimming flat lines from both ends only."""
    busy = np.flatnonzero(~flat)
    if busy.size == 0:
        return 0, 0
    return int(busy[0]), int(busy[-1]) + 1


def content_box(image: Image.Image, flat_share: float = 0.8, tolerance: int = 14) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) of the picture inside a screenshot: flat bars trimmed."""
    small = image.convert("RGB")
    scale = max(1.0, max(small.size) / 400)
    if scale > 1.0:
        small = small.resize((max(1, int(small.width / scale)), max(1, int(small.height / scale))),
                             Image.Resampling.BILINEAR)
    pixels = np.asarray(small, dtype=np.int16)

    def busy(lines: np.ndarray) -> np.ndarray:  # lines: (count, length, 3)
        median = np.median(lines, axis=1, keepdims=True)
        close = (np.abs(lines - median).max(axis=2) <= tolerance).mean(axis=1)
        return close < flat_share

    rows = busy(pixels)
    top, bottom = _longest_run(rows)
    if bottom - top < max(8, pixels.shape[0] // 8):
        return (0, 0, image.width, image.height)  # nothing busy enough: keep everything
    band = pixels[top:bottom]
    columns = busy(np.transpose(band, (1, 0, 2)))
    left, right = _longest_run(columns)
    if right - left < max(8, pixels.shape[1] // 8):
        left, right = 0, pixels.shape[1]
    return (int(left * scale), int(top * scale), min(image.width, int(right * scale)),
            min(image.height, int(bottom * scale)))


def _longest_run(mask: np.ndarray, gap: int = 2) -> tuple[int, int]:
    """Start and end of the longest run of True, bridging gaps of up to `gap` False values."""
    best = (0, 0)
    start = None
    misses = 0
    for index, value in enumerate(list(mask) + [False] * (gap + 1)):
        if value:
            if start is None:
                start = index
            misses = 0
            end = index + 1
            if end - start > best[1] - best[0]:
                best = (start, end)
        elif start is not None:
            misses += 1
            if misses > gap:
                start = None
                misses = 0
    return best


def catalog_fingerprints(image: Image.Image) -> Fingerprints:
    """Descriptors of many windows of one shop photo (whole, and with flat edges trimmed)."""
    small = reduced(image, CATALOG_SIDE)
    integral = Integral(small)
    boxes = [window for box in candidate_boxes(small)[:2] for window in _windows(box)]  # whole, flat edges trimmed
    hashes, colors = integral.describe(boxes)
    return Fingerprints(hashes, colors, np.array(boxes) / _scale(integral))


def reduced(image: Image.Image, side: int) -> Image.Image:
    rgb = image.convert("RGB")
    if max(rgb.size) > side:
        factor = side / max(rgb.size)
        rgb = rgb.resize((max(1, round(rgb.width * factor)), max(1, round(rgb.height * factor))),
                         Image.Resampling.BOX)
    return rgb


def _scale(integral: Integral) -> np.ndarray:
    return np.array([integral.width, integral.height, integral.width, integral.height], dtype=np.float64)


def _windows(box: Box) -> list[tuple[float, float, float, float]]:
    """Windows of 64–100 % of each side (independently: a crop changes the aspect) on a grid of places."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    windows: list[tuple[float, float, float, float]] = []
    for scale_x in WINDOW_SCALES:
        for scale_y in WINDOW_SCALES:
            w, h = width * scale_x, height * scale_y
            steps_x = 1 if scale_x >= 1.0 else WINDOW_STEPS
            steps_y = 1 if scale_y >= 1.0 else WINDOW_STEPS
            for ix in range(steps_x):
                for iy in range(steps_y):
                    x = left + (width - w) * ix / max(1, steps_x - 1)
                    y = top + (height - h) * iy / max(1, steps_y - 1)
                    windows.append((x, y, x + w, y + h))
    return windows


QUERY_SIDE = 512  # a customer's picture is reduced to this before its boxes are described


def query_fingerprints(image: Image.Image) -> tuple[Fingerprints, Integral]:
    """Descriptors of a customer's picture: each candidate box, and slightly inset versions of it;
    and the picture's table (the second look compares details inside those boxes)."""
    small = reduced(image, QUERY_SIDE)
    integral = Integral(small)
    boxes: list[tuple[float, float, float, float]] = []
    for left, top, right, bottom in candidate_boxes(small):
        for inset in (0.0, 0.04, 0.08):
            dx, dy = (right - left) * inset, (bottom - top) * inset
            boxes.append((left + dx, top + dy, right - dx, bottom - dy))
    hashes, colors = integral.describe(boxes)
    return Fingerprints(hashes, colors, np.array(boxes) / _scale(integral)), integral


def distances(query: Fingerprints, windows: Fingerprints) -> tuple[np.ndarray, np.ndarray]:
    """Per window: the smallest combined distance to any query box, and that box's index.
    Matrix products (BLAS): Hamming = q·(1−w) + (1−q)·w over 0/1 bits; squared colour
    distance = |q|² + |w|² − 2 q·w."""
    q = query.hashes.astype(np.float32)
    w = windows.hashes.astype(np.float32)
    bits = q @ (1.0 - w).T + (1.0 - q) @ w.T
    qc = query.colors.astype(np.float32)
    wc = windows.colors.astype(np.float32)
    squared = (qc ** 2).sum(axis=1)[:, None] + (wc ** 2).sum(axis=1)[None, :] - 2.0 * (qc @ wc.T)
    rms = np.sqrt(np.maximum(squared, 0.0) / qc.shape[1])
    total = bits + COLOR_WEIGHT * rms
    closest = total.argmin(axis=0)
    return total[closest, np.arange(total.shape[1])], closest


def stack(prints: list[Fingerprints]) -> tuple[Fingerprints, np.ndarray]:
    """All windows of many photos in one matrix, and where each photo's windows start."""
    starts = np.cumsum([0] + [len(p) for p in prints[:-1]])
    return Fingerprints(np.concatenate([p.hashes for p in prints]), np.concatenate([p.colors for p in prints]),
                        np.concatenate([p.boxes for p in prints])), starts
