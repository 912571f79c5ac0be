"""Photo thumbnails for chat bubbles, loaded off the GUI thread and cached.

Local files are read and scaled in the engine's executor (QImage is safe off the GUI
thread; QPixmap is made on the GUI thread). http(s) media is fetched with httpx first.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlparse

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from .context import Context

log = logging.getLogger(__name__)
THUMB_SIZE = 220
CACHE_LIMIT = 300


def _scaled(image: QImage) -> QImage:
    if image.isNull():
        return image
    return image.scaled(THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def load_local(path: str) -> QImage:
    return _scaled(QImage(path))


def load_bytes(data: bytes) -> QImage:
    return _scaled(QImage.fromData(data))


def local_path(source: str) -> str | None:
    if not source:
        return None
    parsed = urlparse(source)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    if parsed.scheme in ("", ) or (len(parsed.scheme) == 1 and source[1:3] in (":\\", ":/")):
        return source  # a plain path (also Windows "C:\...")
    return None


class ThumbnailCache(QObject):
    ready = Signal(str)  # the source whose thumbnail is now available

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._cache: OrderedDict[str, QPixmap | None] = OrderedDict()
        self._loading: set[str] = set()

    def get(self, source: str) -> QPixmap | None:
        """The thumbnail if loaded; otherwise starts loading it and returns None."""
        if source in self._cache:
            self._cache.move_to_end(source)
            return self._cache[source]
        if source not in self._loading:
            self._loading.add(source)
            self.ctx.run(self._load(source), name="thumbnail")
        return None

    def failed(self, source: str) -> bool:
        return source in self._cache and self._cache[source] is None

    async def _load(self, source: str) -> None:
        image: QImage | None = None
        try:
            path = local_path(source)
            if path is not None:
                if Path(path).is_file():
                    image = await self.ctx.in_executor(load_local, path)
            elif source.startswith(("http://", "https://")):
                import httpx

                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.get(source)
                    response.raise_for_status()
                    image = await self.ctx.in_executor(load_bytes, response.content)
        except Exception as exc:  # a broken photo shows as a placeholder, never breaks the chat
            log.info("thumbnail %s not loaded: %s", source[:80], type(exc).__name__)
        finally:
            self._loading.discard(source)
        pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else None
        self._cache[source] = pixmap
        while len(self._cache) > CACHE_LIMIT:
            self._cache.popitem(last=False)
        self.ready.emit(source)
