"""Which dropped files go where: stock files to the inventory, documents to the knowledge base."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

STOCK_SUFFIXES = {".xlsx", ".csv"}
KNOWLEDGE_SUFFIXES = {".docx", ".txt", ".md", ".zip"}


def dropped_paths(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def kind_of(path: Path) -> str:
    """'stock', 'knowledge' or '' (not something the console accepts)."""
    suffix = path.suffix.lower()
    if suffix in STOCK_SUFFIXES:
        return "stock"
    if suffix in KNOWLEDGE_SUFFIXES:
        return "knowledge"
    return ""


def accepts(mime: QMimeData) -> bool:
    return any(kind_of(p) for p in dropped_paths(mime))
