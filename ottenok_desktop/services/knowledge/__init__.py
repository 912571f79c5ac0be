"""Knowledge base: the shop's documents and chat exports, indexed for the dialogue.

Public names: `KnowledgeBase` (service.py), `KnowledgeHit`, `DocumentStatus`,
`BuildReport` (models.py), `parse_whatsapp_export` / `ChatMessage` (whatsapp_export.py).
Nothing heavy is imported here: chromadb and python-docx load lazily.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BuildReport",
    "ChatMessage",
    "DocumentStatus",
    "KnowledgeBase",
    "KnowledgeHit",
    "parse_whatsapp_export",
]


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import ottenok_desktop.services.knowledge` cheap.
    if name in {"KnowledgeHit", "DocumentStatus", "BuildReport"}:
        from . import models

        return getattr(models, name)
    if name in {"ChatMessage", "parse_whatsapp_export"}:
        from . import whatsapp_export

        return getattr(whatsapp_export, name)
    if name == "KnowledgeBase":
        from .service import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(name)
