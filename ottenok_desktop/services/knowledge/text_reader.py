"""Read plain-text notes (.txt, .md) into blocks, and decode text files safely.

Markdown `#` headings become sections; blank lines separate paragraphs. Files written on
Windows are often cp1251, so decoding tries UTF-8 first, then cp1251.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import texts
from .models import Block, DocumentError

MAX_TEXT_BYTES = 20 * 1024 * 1024
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def read_text_file(path: Path, name: str | None = None) -> str:
    label = name or path.name
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise DocumentError(label, f"file is too large ({size // 1_048_576} MB)", texts.TOO_LARGE)
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(label, f"cannot read the file ({exc.strerror})", texts.UNREADABLE_FILE) from None
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(label, "binary data, not text", texts.BAD_ENCODING)
    for encoding in ("utf-8-sig", "utf-16", "cp1251"):
        if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(label, "unknown text encoding", texts.BAD_ENCODING)


def blocks_from_text(text: str, label: str) -> list[Block]:
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        joined = " ".join(line.strip() for line in paragraph if line.strip())
        if joined:
            blocks.append(Block(section=" / ".join(t for _, t in headings), text=joined))
        paragraph.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        heading = _MD_HEADING_RE.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            headings = [(lvl, t) for lvl, t in headings if lvl < level]
            headings.append((level, heading.group(2)))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    if not blocks:
        raise DocumentError(label, "the document has no text", texts.EMPTY_DOCUMENT)
    return blocks

