"""A tiny pure-Python PNG/ICO writer for the application icon.

The console's designer provides `resources/icon.png` and `resources/icon.ico`; when a
build runs before they exist, `ensure_icons()` draws a simple one (a white ring — the
«О» of «Оттенок» — on a rose rounded square) so the .exe never ships without an icon.
Existing files are never overwritten. ICO files may embed PNG images (Windows Vista+),
which keeps this writer small.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

BACKGROUND = (176, 65, 94)  # rose
FOREGROUND = (255, 255, 255)

Pixel = tuple[int, int, int, int]


def _coverage(distance_outside: float) -> float:
    """Anti-aliasing: 1 inside a shape, 0 one pixel outside, linear between."""
    return max(0.0, min(1.0, 0.5 - distance_outside))


def draw_icon(size: int) -> list[list[Pixel]]:
    """RGBA rows of the icon at `size`×`size`."""
    rows: list[list[Pixel]] = []
    half = size / 2
    corner = size * 0.22
    ring_outer, ring_inner = size * 0.34, size * 0.21
    for y in range(size):
        row: list[Pixel] = []
        for x in range(size):
            px, py = x + 0.5 - half, y + 0.5 - half
            # signed distance to a rounded square of half-width `half`
            qx, qy = abs(px) - (half - corner), abs(py) - (half - corner)
            outside = math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0) - corner
            alpha = _coverage(outside)
            radius = math.hypot(px, py)
            ring = min(_coverage(radius - ring_outer), _coverage(ring_inner - radius))
            r, g, b = (round(bg + (fg - bg) * ring) for bg, fg in zip(BACKGROUND, FOREGROUND))
            row.append((r, g, b, round(255 * alpha)))
        rows.append(row)
    return rows


def encode_png(rows: list[list[Pixel]]) -> bytes:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def encode_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO whose images are PNG streams, one per size."""
    sizes = sorted(pngs)
    directory = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return directory + entries + blobs


def ensure_icons(resources: Path = RESOURCES) -> list[Path]:
    """Write `icon.png` (256 px) and `icon.ico` if missing; return what was written."""
    resources.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    png_path, ico_path = resources / "icon.png", resources / "icon.ico"
    if not png_path.exists():
        png_path.write_bytes(encode_png(draw_icon(256)))
        written.append(png_path)
    if not ico_path.exists():
        ico_path.write_bytes(encode_ico({size: encode_png(draw_icon(size)) for size in ICO_SIZES}))
        written.append(ico_path)
    return written


if __name__ == "__main__":
    for path in ensure_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else RESOURCES):
        print(f"wrote {path}")
