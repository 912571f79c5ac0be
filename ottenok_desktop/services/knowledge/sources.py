"""Find the knowledge files in the source folder, decide their kind, read them into chunks.

Layout: `catalog/*.docx` (product cards), `scripts/*.docx` (scripts, FAQ, policies),
`chats/**/*.txt` (WhatsApp exports), anything else `.docx/.txt/.md` is a note.
Hidden files and Word lock files (`~$name.docx`) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import texts
from .chunking import chunks_from_blocks, chunks_from_chat
from .docx_reader import docx_has_product_table, read_docx
from .models import Chunk, DocumentError
from .text_reader import blocks_from_text, read_text_file
from .whatsapp_export import looks_like_whatsapp_export, parse_whatsapp_export

SUPPORTED = {".docx", ".txt", ".md"}
KIND_FOLDERS = {"catalog": "catalog", "script": "scripts", "guidance": "scripts", "chat": "chats", "note": "notes"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str  # relative to the source dir, forward slashes: what hits and the console show
    kind: str


def _kind_for(relative: Path) -> str:
    top = relative.parts[0].lower() if len(relative.parts) > 1 else ""
    if top == "catalog" and relative.suffix.lower() == ".docx":
        return "catalog"
    if top == "scripts" and relative.suffix.lower() == ".docx":
        # the sales script tells managers how to sell ("«Дорого» — напоминаем про рассрочку…"):
        # tone for the LLM, never a fact to quote to a customer
        stem = relative.stem.lower()
        return "guidance" if "sales" in stem or "скрипт" in stem or "продаж" in stem else "script"
    if top == "chats" and relative.suffix.lower() == ".txt":
        return "chat"
    return "note"


def _skipped(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def discover(source_dir: Path) -> list[SourceFile]:
    if not source_dir.is_dir():
        return []
    found: list[SourceFile] = []
    for path in sorted(source_dir.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in SUPPORTED:
            continue
        relative = path.relative_to(source_dir)
        if _skipped(relative):
            continue
        found.append(SourceFile(path=path, name=relative.as_posix(), kind=_kind_for(relative)))
    return found


def read_source(source: SourceFile) -> list[Chunk]:
    """All chunks of one file; DocumentError (naming the file) when it cannot be used."""
    suffix = source.path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(source.name, f"unsupported file type {suffix or '(none)'}", texts.UNSUPPORTED_TYPE)
    if suffix == ".docx":
        return chunks_from_blocks(read_docx(source.path, source.name), source.name, source.kind)
    text = read_text_file(source.path, source.name)
    if source.kind == "chat":
        try:
            messages = parse_whatsapp_export(text)
        except ValueError:
            raise DocumentError(source.name, "not a WhatsApp chat export (no message headers)", texts.NOT_A_CHAT_EXPORT) from None
        return chunks_from_chat(messages, source.name)
    return chunks_from_blocks(blocks_from_text(text, source.name), source.name, source.kind)


def kind_of_new_file(path: Path) -> str:
    """Where a dropped file belongs, by extension and content."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "catalog" if docx_has_product_table(path) else "script"
    if suffix == ".txt":
        try:
            text = read_text_file(path)
        except DocumentError:
            return "note"
        return "chat" if looks_like_whatsapp_export(text) else "note"
    return "note"


def target_path(source_dir: Path, path: Path, kind: str) -> Path:
    return source_dir / KIND_FOLDERS[kind] / path.name
