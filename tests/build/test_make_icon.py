"""The fallback icon writer makes real PNG and ICO files and never overwrites the designer's."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from tests.build._loader import load

make_icon = load("windows/make_icon.py")


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], zlib.decompress(idat)


def test_png_round_trips() -> None:
    width, height, raw = _decode_png(make_icon.encode_png(make_icon.draw_icon(32)))
    assert (width, height) == (32, 32)
    assert len(raw) == 32 * (1 + 32 * 4)
    centre_row = raw[16 * (1 + 32 * 4) + 1:17 * (1 + 32 * 4)]
    assert tuple(centre_row[16 * 4:16 * 4 + 4]) == (*make_icon.BACKGROUND, 255)  # inside the ring's hole
    assert raw[1 + 3] == 0  # the rounded corner is transparent


def test_ico_directory_points_at_each_png() -> None:
    pngs = {size: make_icon.encode_png(make_icon.draw_icon(size)) for size in (16, 32, 256)}
    ico = make_icon.encode_ico(pngs)
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 3)
    for index, size in enumerate((16, 32, 256)):
        w, h, _, _, _, bpp, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * index:22 + 16 * index])
        assert (w or 256, h or 256, bpp) == (size, size, 32)
        assert ico[offset:offset + length] == pngs[size]


def test_ensure_icons_writes_only_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "icon.png").write_bytes(b"designer's icon")
    written = make_icon.ensure_icons(tmp_path)
    assert written == [tmp_path / "icon.ico"]
    assert (tmp_path / "icon.png").read_bytes() == b"designer's icon"
    assert make_icon.ensure_icons(tmp_path) == []
