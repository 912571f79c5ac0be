"""Stock facts for the order card: the requested item and in-stock alternatives.

Asks the inventory service (`InventoryService.query`: the engine's own matching rules —
brand aliases, colour and size normalisation, reservations subtracted) and the photo
source for each alternative's first photo, so one click can send photo and price.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..services.storage.queries import OrderRow
from .context import Context

log = logging.getLogger(__name__)


def _line(item: Any, photo: Path | None = None) -> Any:
    from .order_card import StockLine

    return StockLine(str(item.product), str(item.color), str(item.size), int(item.quantity), int(item.price or 0), photo)


async def _photo(photos: Any, product: str, color: str) -> Path | None:
    if photos is None or not hasattr(photos, "photos_for"):
        return None
    try:
        found = await photos.photos_for(product, color or None)
    except (OSError, LookupError, ValueError) as exc:
        log.info("no photo for an alternative: %s", type(exc).__name__)
        return None
    for photo in found:
        if getattr(photo, "path", None):
            return Path(photo.path)
    return None


async def lookup(ctx: Context, inventory: Any, order: OrderRow) -> tuple[str, Any, list[Any]] | None:
    """(what was asked, the requested line or None, alternatives) or None without stock data."""
    if not hasattr(inventory, "query") or not len(getattr(inventory.index, "items", ()) or ()):
        return None
    answer = await inventory.query(order.product, size=order.size or None, color=order.color or None)
    asked = ", ".join(p for p in (answer.product or order.product, order.color, order.size) if p)
    requested = _line(answer.items[0]) if answer.items else None
    if requested is not None and answer.available != requested.quantity:
        from dataclasses import replace

        requested = replace(requested, quantity=int(answer.available))
    photos = getattr(ctx.engine, "photos", None)
    alternatives = [_line(item, await _photo(photos, item.product, item.color)) for item in answer.alternatives[:6]]
    return asked, requested, alternatives
