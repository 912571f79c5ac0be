"""Value objects of the knowledge base: chunks, search hits, document statuses, build reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("catalog", "script", "guidance", "chat", "note")


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of a document, as stored in an index version."""

    id: str
    text: str
    source: str  # file name relative to the knowledge dir, with forward slashes
    section: str
    kind: str  # catalog | script | chat | note
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeHit:
    """A search result for the dialogue: the chunk text, where it came from and its fused score."""

    text: str
    source: str
    section: str
    kind: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentStatus:
    """What the console's Knowledge tab shows per file."""

    file: str
    kind: str
    chunks: int
    status: str  # ok | error
    error: str = ""  # English, names the reason
    error_ru: str = ""  # the same for the console
    warning: str = ""


@dataclass(frozen=True)
class BuildReport:
    """The outcome of a rebuild or an incremental add."""

    ok: bool
    version: str  # the version now serving (the old one when the build failed)
    files: int
    chunks: int
    seconds: float
    embedding: str
    warnings: tuple[str, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()  # (file, reason)
    documents: tuple[DocumentStatus, ...] = ()


class DocumentError(Exception):
    """A source file cannot be used. The message names the file and the reason (English)."""

    def __init__(self, file: str, reason: str, reason_ru: str) -> None:
        self.file = file
        self.reason = reason
        self.reason_ru = reason_ru
        super().__init__(f"{file}: {reason}")


@dataclass(frozen=True)
class Block:
    """A unit read from a document before chunking: a paragraph or a table row, under its section."""

    section: str  # heading path, e.g. "Лоферы Chanel / Размеры и цены"
    text: str
    table: str = ""  # for table rows: an id of the table, so rows of one table chunk together
