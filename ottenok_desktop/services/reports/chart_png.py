"""A bar chart as PNG bytes with no drawing library (for the Telegram report).

Why hand-drawn: the headless engine has no Qt (layer rule) and a PNG needs neither
matplotlib (~30 MB with its fonts) nor Pillow (~10 MB) for bars and numbers. Bars are
filled rectangles on a numpy canvas; numbers and dates use a 3×5 pixel font (digits and
`.:-%<>`); the caption sent with the image names the bars in Russian. Encoded with zlib.
"""

from __future__ import annotations

import struct
import zlib
from typing import Sequence

import numpy as np

_FONT = {  # 3x5 glyphs, rows top to bottom, 3 bits each
    "0": (7, 5, 5, 5, 7), "1": (2, 6, 2, 2, 7), "2": (7, 1, 7, 4, 7), "3": (7, 1, 7, 1, 7), "4": (5, 5, 7, 1, 1),
    "5": (7, 4, 7, 1, 7), "6": (7, 4, 7, 5, 7), "7": (7, 1, 1, 1, 1), "8": (7, 5, 7, 5, 7), "9": (7, 5, 7, 1, 7),
    ".": (0, 0, 0, 0, 2), ":": (0, 2, 0, 2, 0), "-": (0, 0, 7, 0, 0), "%": (5, 1, 2, 4, 5), "<": (1, 2, 4, 2, 1),
    ">": (4, 2, 1, 2, 4), " ": (0, 0, 0, 0, 0),
}
BACKGROUND = (255, 255, 255)
AXIS = (120, 120, 120)
TEXT = (40, 40, 40)
PALETTE = ((46, 160, 67), (110, 180, 60), (200, 190, 40), (235, 140, 40), (220, 80, 50), (180, 40, 40), (130, 130, 130))


def _text(canvas: np.ndarray, x: int, y: int, text: str, scale: int = 3, color: tuple[int, int, int] = TEXT) -> None:
    for ch in text:
        rows = _FONT.get(ch, _FONT[" "])
        for r, bits in enumerate(rows):
            for c in range(3):
                if bits & (4 >> c):
                    y0, x0 = y + r * scale, x + c * scale
                    canvas[max(y0, 0):max(y0 + scale, 0), max(x0, 0):max(x0 + scale, 0)] = color
        x += 4 * scale


def text_width(text: str, scale: int = 3) -> int:
    return len(text) * 4 * scale - scale


def bar_chart_png(values: Sequence[float], labels: Sequence[str] = (), *, width: int = 640, height: int = 320,
                  colors: Sequence[tuple[int, int, int]] = PALETTE) -> bytes:
    """Bars for `values` with the value over each bar and an optional label under it
    (labels and values are drawn with the digit font: use digits and `.:-%<>`)."""
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    left, right, top, bottom = 20, 20, 30, 40
    canvas[height - bottom, left:width - right] = AXIS
    count = max(len(values), 1)
    top_value = max([float(v) for v in values] + [1.0])
    slot = (width - left - right) / count
    for i, value in enumerate(values):
        bar_h = int(round((height - top - bottom - 10) * float(value) / top_value))
        x0 = int(left + i * slot + slot * 0.15)
        x1 = int(left + (i + 1) * slot - slot * 0.15)
        canvas[height - bottom - bar_h:height - bottom, x0:x1] = colors[i % len(colors)]
        label = _number(value)
        _text(canvas, (x0 + x1 - text_width(label)) // 2, height - bottom - bar_h - 20, label)
        if i < len(labels):
            _text(canvas, (x0 + x1 - text_width(labels[i], 2)) // 2, height - bottom + 10, labels[i], scale=2)
    return encode_png(canvas)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def encode_png(rgb: np.ndarray) -> bytes:
    """An RGB uint8 array (height, width, 3) as PNG bytes."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
