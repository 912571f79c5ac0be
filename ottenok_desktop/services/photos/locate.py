"""Where the product picture sits inside a screenshot whose app frame is not flat.

Trimming flat bars (fingerprint.candidate_boxes) finds the photo in a plain Instagram or
WhatsApp screen, but not over an Instagram story's blurred copy of the photo, inside a
coloured chat bubble with a caption under the picture, or under overlays: there every row
is "busy". What such frames still have is the photo's own rectangle: apps paste the
picture axis-aligned, so its sides are long straight steps in brightness or colour — a
row (column) boundary where most pixels along the side change at once, which neither
blurred backgrounds nor the photo's soft backdrop produce.

So: measure, per row boundary, the share of columns with a clear step (and per column
boundary within a band of rows the share of rows), keep the strongest lines, and propose
the rectangles they bound, best-framed first. The matcher describes each proposal and
keeps the closest, and the second look (verify.py) checks the details, so a wrong guess
costs a little time, not a false match.
"""

from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]

STEP = 3.0  # a brightness/colour step (0–255) this big across a side counts as an edge there
MIN_COVERAGE = 0.45  # the share of a side's length that must step for a line
# A proposed picture is at least this share of the screenshot's height and width: apps show a shared
# photo at least half the screen wide, and smaller boxes are strips of the product (a sole between
# two long lines) that look like strips of other shoes.
MIN_HEIGHT, MIN_WIDTH = 0.33, 0.5
SIDE_COVERAGE = 0.6  # the share of a proposed picture's side (not on the screenshot's edge) that must step
MAX_LINES = 6  # strongest lines kept per direction
MAX_PROPOSALS = 4
MAX_BANDS = 8  # row-line pairs whose sides are looked for


def _steps(pixels: np.ndarray) -> np.ndarray:
    """(rows-1, cols) bool: does the colour step at the boundary between rows y and y+1 (index y)?
    A pasted edge is a step between the two sides (skipping the pixel JPEG and resizing smear)
    much bigger than the change along either side; a blurred background or a soft backdrop
    changes as much beside the "edge" as across it."""
    p = pixels.astype(np.float32)
    steps = np.zeros((p.shape[0] - 1, p.shape[1]), dtype=bool)
    if p.shape[0] < 8:
        return steps
    # boundary between rows y and y+1 for y in 3..rows-5: across = |p[y+2] - p[y-1]|
    y = np.arange(3, p.shape[0] - 4)
    across = np.abs(p[y + 2] - p[y - 1]).max(axis=2)
    within = np.maximum(np.abs(p[y - 1] - p[y - 3]), np.abs(p[y + 2] - p[y + 4])).max(axis=2)
    steps[y] = (across > STEP) & (across > 2.0 * within)
    return steps


def _lines(coverage: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """(position, coverage) of the strongest local maxima at or above MIN_COVERAGE, positions as
    boundaries (the index of the first row after the step)."""
    found: list[tuple[int, float]] = []
    for index in np.argsort(-coverage, kind="stable"):
        value = float(coverage[index])
        if value < MIN_COVERAGE or len(found) >= limit:
            break
        if all(abs(int(index) + 1 - position) > 3 for position, _ in found):
            found.append((int(index) + 1, value))
    return found


def framed_boxes(pixels: np.ndarray) -> list[Box]:
    """Rectangles bounded by long straight edges (or the screenshot's own edges), best first.
    `pixels`: (height, width, 3) int16, a small copy of the screenshot."""
    height, width = pixels.shape[:2]
    if height < 24 or width < 24:
        return []
    row_steps = _steps(pixels)  # (height-1, width)
    column_steps = _steps(np.transpose(pixels, (1, 0, 2)))  # (width-1, height)
    rows = _lines(row_steps.mean(axis=1), MAX_LINES)
    if not rows:
        return []
    horizontal = rows + [(0, 0.0), (height, 0.0)]
    bands = sorted(((t[1] + b[1], t[0], b[0]) for t in horizontal for b in horizontal
                    if b[0] - t[0] >= MIN_HEIGHT * height and t[1] + b[1] > 0.0), reverse=True)[:MAX_BANDS]
    proposals: list[tuple[float, float, Box]] = []  # (strength of the sides, weakest side, box)
    for _, top, bottom in bands:
        # the picture's sides within the band: the strongest column line in each half, else the edge
        columns = _lines(column_steps[:, top:bottom].mean(axis=1), MAX_LINES)
        left = max(((c, v) for c, v in columns if c < width / 2), key=lambda c: c[1], default=(0, 0.0))[0]
        right = max(((c, v) for c, v in columns if c > width / 2), key=lambda c: c[1], default=(width, 0.0))[0]
        if right - left < MIN_WIDTH * width:
            continue
        # every side that is not the screenshot's own edge must step along nearly all its length:
        # a photo's side does, a product's outline or a caption's baseline does not
        sides = [_side(row_steps, top, left, right), _side(row_steps, bottom, left, right),
                 _side(column_steps, left, top, bottom), _side(column_steps, right, top, bottom)]
        if any(value is not None and value < SIDE_COVERAGE for value in sides) \
                or sum(value is not None for value in sides) < 2:  # one line and three screen edges: a product's outline
            continue
        lines = [value for value in sides if value is not None]
        proposals.append((sum(lines), min(lines), (left, top, right, bottom)))
    proposals.sort(key=lambda item: -item[0])
    chosen: list[tuple[float, Box]] = []
    for _, weakest, box in proposals:
        # a box nested in a better-framed one, sharing a side with it, and cut off by a weaker line is
        # that picture cut at a line of the product (a sole, a bag's flap): it would only help
        # look-alike products, so it is not proposed (a photo inside its chat bubble has strong sides)
        if all(_overlap(box, other) < 0.9 and not (_cut_from(box, other) and weakest < other_weakest - 0.05)
               for other_weakest, other in chosen):
            chosen.append((weakest, box))
        if len(chosen) >= MAX_PROPOSALS:
            break
    return [box for _, box in chosen]


def _side(steps: np.ndarray, position: int, start: int, end: int) -> float | None:
    """The share of the side (boundary `position`, from `start` to `end`) that steps, the best of
    the boundary and its neighbours (resizing moves an edge by a pixel); None on the screenshot's edge."""
    if position <= 0 or position >= steps.shape[0] + 1:
        return None
    near = steps[max(0, position - 2):min(steps.shape[0], position + 1), start:end]
    return float(near.mean(axis=1).max()) if near.size else 0.0


def _cut_from(inner: Box, outer: Box) -> bool:
    inside = inner[0] >= outer[0] - 2 and inner[1] >= outer[1] - 2 and inner[2] <= outer[2] + 2 \
        and inner[3] <= outer[3] + 2
    shared = sum(abs(a - b) <= 2 for a, b in zip(inner, outer))
    return inside and 1 <= shared < 4


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union."""
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, right - left) * max(0, bottom - top)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0
