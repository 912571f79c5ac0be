"""Photos in a sales turn: 1–3 pictures of exactly the model (and colour) being discussed,
none the customer already received (the dispatcher records them when the reply commits)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ottenok_desktop.engine.ports import PhotoSelector, PhotoSource
from ottenok_desktop.engine.turns import OutgoingPart

from . import decisions as d
from .state import OrderDraft

log = logging.getLogger(__name__)
PER_MESSAGE = 3


class TurnPhotos:
    def __init__(self, source: PhotoSource | None, selector: PhotoSelector) -> None:
        self.source = source  # None when the shop has no photos
        self._select = selector

    def any_sent(self, product: str, already: frozenset[str]) -> bool:
        """Did this customer already get a photo of `product` (keys name the product's folder)?"""
        needle = product.casefold()
        return any(needle in key.casefold() for key in already)

    async def parts(self, decision: d.Decision, order: OrderDraft | None, stock: d.StockFacts | None,
                    already: frozenset[str]) -> list[OutgoingPart]:
        if not decision.send_photos or self.source is None or stock is None or not stock.product:
            return []
        color = (order.color if order and order.product == stock.product else "") or stock.asked_color
        try:
            found = await self.source.photos_for(stock.product, color or None)
            chosen = self._select(found, color or None, set(already), per_message=PER_MESSAGE)
        except Exception:  # photos help selling but are never worth losing the reply
            log.exception("photo lookup failed for %s", stock.product)
            return []
        parts: list[OutgoingPart] = []
        for photo in list(chosen)[:PER_MESSAGE]:
            part = photo_part(photo)
            if part is not None and part.photo_key not in already:
                parts.append(part)
        return parts


def photo_part(photo: Any) -> OutgoingPart | None:
    """An outgoing file part for a photo from any source (local path or URL)."""
    key = str(getattr(photo, "key", "") or getattr(photo, "photo_key", "") or "")
    path = getattr(photo, "path", None) or getattr(photo, "local_path", None)
    url = str(getattr(photo, "url", "") or "")
    name = str(getattr(photo, "name", "") or getattr(photo, "file_name", "") or "")
    if path:
        path = Path(path)
        return OutgoingPart(file_path=path, file_name=name or path.name, photo_key=key or str(path))
    if url:
        return OutgoingPart(file_url=url, file_name=name or url.rsplit("/", 1)[-1], photo_key=key or url)
    return None
