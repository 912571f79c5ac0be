"""Turn read blocks (documents) and chat messages (exports) into retrievable chunks.

Documents: consecutive paragraphs of one section are packed up to ~700 characters; the
rows of one table are packed together (a product's sizes/colours/prices stay one hit).
Every chunk starts with its section path so "Лоферы Chanel" stays attached to "38 — есть".
Chats: a customer question with the manager's answers, as an example of a good reply.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

from .analysis import document_brands
from .models import Block, Chunk
from .whatsapp_export import ChatMessage

MAX_CHARS = 700
CHAT_MAX_MESSAGES = 6
CHAT_MAX_CHARS = 900


def _chunk_id(source: str, index: int, text: str) -> str:
    digest = hashlib.blake2b(f"{source}\x00{index}\x00{text}".encode("utf-8"), digest_size=8).hexdigest()
    return f"{digest}-{index}"


def _brands_in(text: str) -> list[str]:
    return document_brands(text)


def _make(source: str, kind: str, index: int, section: str, body: str, extra: dict[str, Any]) -> Chunk:
    text = f"{section}\n{body}" if section else body
    metadata: dict[str, Any] = {"position": index, **extra}
    brands = _brands_in(text)
    if brands:
        metadata["brands"] = brands
    if kind == "catalog" and section:
        metadata["product"] = section.split(" / ")[0]
    return Chunk(id=_chunk_id(source, index, text), text=text, source=source, section=section, kind=kind, metadata=metadata)


def chunks_from_blocks(blocks: Iterable[Block], source: str, kind: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    group: list[Block] = []

    def flush() -> None:
        if not group:
            return
        body = "\n".join(b.text for b in group)
        chunks.append(_make(source, kind, len(chunks), group[0].section, body, {"table": bool(group[0].table)}))
        group.clear()

    for block in blocks:
        if group:
            same_unit = block.section == group[0].section and block.table == group[0].table
            size = sum(len(b.text) + 1 for b in group) + len(block.text)
            if not same_unit or size > MAX_CHARS:
                flush()
        if len(block.text) > MAX_CHARS and not block.table:
            for piece in _split_long(block.text):
                group.append(Block(section=block.section, text=piece))
                flush()
            continue
        group.append(block)
    flush()
    return chunks


def _split_long(text: str) -> list[str]:
    """Split an over-long paragraph on sentence ends, then on spaces."""
    pieces: list[str] = []
    current = ""
    for sentence in text.replace("! ", "!\n").replace("? ", "?\n").replace(". ", ".\n").split("\n"):
        while len(sentence) > MAX_CHARS:
            cut = sentence.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > MAX_CHARS // 2 else MAX_CHARS
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + len(sentence) + 1 > MAX_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return [p for p in pieces if p]


def _useful(message: ChatMessage) -> bool:
    return not message.is_system and not message.is_media and message.attachment is None and bool(message.text.strip())


def chunks_from_chat(messages: list[ChatMessage], source: str) -> list[Chunk]:
    """Windows that start at a change of speaker and run through the replies that follow."""
    useful = [m for m in messages if _useful(m)]
    chunks: list[Chunk] = []
    window: list[ChatMessage] = []

    def flush() -> None:
        if not window:
            return
        lines = [f"{m.author or '—'}: {m.text.strip()}" for m in window]
        authors = sorted({m.author for m in window if m.author})
        extra = {"authors": authors, "first_time": window[0].timestamp.isoformat(), "line": window[0].line}
        chunks.append(_make(source, "chat", len(chunks), "", "\n".join(lines), extra))
        window.clear()

    for message in useful:
        if window:
            size = sum(len(m.text) for m in window) + len(message.text)
            speakers = [m.author for m in window]
            # A new question after an answer starts the next example.
            new_turn = message.author == speakers[0] and len(set(speakers)) > 1
            if new_turn or len(window) >= CHAT_MAX_MESSAGES or size > CHAT_MAX_CHARS:
                flush()
        window.append(message)
    flush()
    return chunks

