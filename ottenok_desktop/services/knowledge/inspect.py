"""What the builder takes from one file, for `kb inspect`: chunks of a document, or the
parsed messages of a WhatsApp export (timestamp, author, text, flags)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import texts
from .chunking import chunks_from_blocks
from .docx_reader import read_docx
from .models import DocumentError
from .sources import SUPPORTED, kind_of_new_file
from .text_reader import blocks_from_text, read_text_file
from .whatsapp_export import looks_like_whatsapp_export, parse_whatsapp_export


def inspect_file(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(path.name, f"unsupported file type {suffix or '(none)'}", texts.UNSUPPORTED_TYPE)
    if suffix == ".txt":
        text = read_text_file(path)
        if looks_like_whatsapp_export(text) or "chats" in {p.lower() for p in path.parts}:
            try:
                messages = parse_whatsapp_export(text)
            except ValueError:
                raise DocumentError(path.name, "not a WhatsApp chat export (no message headers)", texts.NOT_A_CHAT_EXPORT) from None
            return {
                "file": path.name,
                "type": "chat",
                "messages": [
                    {
                        "timestamp": m.timestamp.isoformat(),
                        "author": m.author,
                        "text": m.text,
                        "is_system": m.is_system,
                        "is_media": m.is_media,
                        "attachment": m.attachment,
                        "line": m.line,
                    }
                    for m in messages
                ],
            }
    kind = kind_of_new_file(path)
    blocks = read_docx(path) if suffix == ".docx" else blocks_from_text(read_text_file(path), path.name)
    chunks = chunks_from_blocks(blocks, path.name, kind)
    return {
        "file": path.name,
        "type": "document",
        "kind": kind,
        "chunks": [{"section": c.section, "text": c.text, "metadata": c.metadata} for c in chunks],
    }
