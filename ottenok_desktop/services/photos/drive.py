"""Photos from Google Drive: a root folder (GOOGLE_DRIVE_PHOTOS_FOLDER_ID) with one sub-folder
per product, read with a service account (GOOGLE_CREDENTIALS_FILE).

The folder listing is cached in `<cache_dir>/drive_index.json` (the bot answers from the
cache at once after a restart) and refreshed in the background every `refresh_interval`
seconds; picture files are downloaded once into `<cache_dir>/files/` (named by Drive id
and checksum, so a replaced picture is fetched again). All Drive calls are blocking
(httplib2) and not thread-safe: they run one at a time in the executor.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from concurrent.futures import Executor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ...engine.tasks import TaskOwner
from .base import IMAGE_SUFFIXES, Photo, color_from_file_name, color_matches, match_folder, sort_photos

log = logging.getLogger(__name__)

SCOPES = ["https://www.googleapis.com/auth/drive.readonly"]
FOLDER_MIME = "application/vnd.google-apps.folder"
INDEX_FILE = "drive_index.json"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


class PhotoSourceError(Exception):
    """The photo source cannot be used (credentials, Drive errors); message in English."""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


class DrivePhotoSource:
    def __init__(self, folder_id: str, credentials_file: Path | None, cache_dir: Path, executor: Executor,
                 service_factory: Callable[[], Any] | None = None, refresh_interval: float = 600.0) -> None:
        self.folder_id = folder_id
        self.credentials_file = Path(credentials_file) if credentials_file else None
        self.cache_dir = Path(cache_dir)
        self._executor = executor
        self._service_factory = service_factory or self._default_service
        self._service: Any = None
        self._refresh_interval = refresh_interval
        self._index: dict[str, Any] | None = None
        self._drive_lock = asyncio.Lock()
        self._tasks = TaskOwner("photos-drive")

    # ---- Drive client ------------------------------------------------------------------
    def _default_service(self) -> Any:
        if self.credentials_file is None or not self.credentials_file.is_file():
            raise PhotoSourceError(f"Google credentials file not found: {self.credentials_file}")
        from google.oauth2 import service_account
        from googleapiclient.discovery import build

        try:
            credentials = service_account.Credentials.from_service_account_file(
                str(self.credentials_file), scopes=SCOPES)
        except (ValueError, KeyError, OSError) as exc:
            raise PhotoSourceError(
                f"Google credentials file {self.credentials_file.name} is not a service-account key "
                f"({type(exc).__name__})") from None
        from google_auth_httplib2 import AuthorizedHttp

        from .drive_http import os_trust_http

        # HTTPS verified through the OS certificate store (services/tls.py), like every client.
        return build("drive", "v3", http=AuthorizedHttp(credentials, http=os_trust_http()), cache_discovery=False)

    def _drive(self) -> Any:
        if self._service is None:
            self._service = self._service_factory()
        return self._service

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        async with self._drive_lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # ---- listing ---------------------------------------------------------------------------
    def _list_all(self, query: str, fields: str) -> list[dict[str, Any]]:
        files: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            request = self._drive().files().list(
                q=query, fields=f"nextPageToken, files({fields})", pageSize=1000, pageToken=token,
                orderBy="name", supportsAllDrives=True, includeItemsFromAllDrives=True, spaces="drive")
            response = request.execute()
            files.extend(response.get("files", []))
            token = response.get("nextPageToken")
            if not token:
                return files

    def _build_index(self) -> dict[str, Any]:
        from googleapiclient.errors import HttpError

        try:
            folders = self._list_all(
                f"'{_escape(self.folder_id)}' in parents and mimeType = '{FOLDER_MIME}' and trashed = false",
                "id, name")
            index: dict[str, Any] = {}
            for folder in sorted(folders, key=lambda f: f["name"]):
                images = self._list_all(
                    f"'{_escape(folder['id'])}' in parents and mimeType contains 'image/' and trashed = false",
                    "id, name, mimeType, md5Checksum, size, modifiedTime")
                index[folder["name"]] = {
                    "id": folder["id"],
                    "files": [f for f in images if Path(f["name"]).suffix.lower() in IMAGE_SUFFIXES
                              or f.get("mimeType", "").startswith("image/")],
                }
        except HttpError as exc:
            status = getattr(exc, "status_code", None) or getattr(getattr(exc, "resp", None), "status", "?")
            raise PhotoSourceError(f"Google Drive listing failed (HTTP {status})") from None
        return {"folder_id": self.folder_id, "refreshed_at": datetime.now(timezone.utc).isoformat(), "folders": index}

    def _save_index(self, index: dict[str, Any]) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_dir / (INDEX_FILE + ".tmp")
        tmp.write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.cache_dir / INDEX_FILE)

    def _load_cached_index(self) -> dict[str, Any] | None:
        path = self.cache_dir / INDEX_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable Drive index cache %s: %s", path, exc)
            return None
        if not isinstance(data, dict) or data.get("folder_id") != self.folder_id:
            return None  # another root folder: the cache does not apply
        return data

    async def refresh(self) -> None:
        """List Drive now and save the listing (raises PhotoSourceError on failure)."""
        index = await self._run(self._build_index)
        await asyncio.get_running_loop().run_in_executor(self._executor, self._save_index, index)
        self._index = index
        log.info("Drive photo index refreshed: %d product folders", len(index["folders"]))

    async def _ensure_index(self) -> dict[str, Any]:
        if self._index is None:
            self._index = await asyncio.get_running_loop().run_in_executor(self._executor, self._load_cached_index)
        if self._index is None:
            await self.refresh()
        assert self._index is not None
        return self._index

    # ---- background refresh ------------------------------------------------------------------
    async def start(self) -> None:
        self._tasks.spawn(self._refresh_loop(), name="photos-drive-refresh")

    async def stop(self) -> None:
        await self._tasks.shutdown()

    async def _refresh_loop(self) -> None:
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except PhotoSourceError as exc:
                log.warning("%s; keeping the cached listing", exc)
            except Exception:  # network and auth errors of every kind: keep the cache, retry later
                log.exception("Drive photo refresh failed; keeping the cached listing")
            await asyncio.sleep(self._refresh_interval)

    # ---- photos ------------------------------------------------------------------------------
    def _cached_path(self, meta: dict[str, Any]) -> Path:
        file_id = meta["id"] if _SAFE_ID.match(meta["id"]) else str(abs(hash(meta["id"])))
        checksum = (meta.get("md5Checksum") or "")[:8]
        suffix = Path(meta["name"]).suffix.lower() or ".jpg"
        return self.cache_dir / "files" / f"{file_id}{'-' + checksum if checksum else ''}{suffix}"

    def _download(self, meta: dict[str, Any], target: Path) -> Path:
        from googleapiclient.errors import HttpError
        from googleapiclient.http import MediaIoBaseDownload

        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        try:
            with tmp.open("wb") as handle:
                downloader = MediaIoBaseDownload(handle, self._drive().files().get_media(
                    fileId=meta["id"], supportsAllDrives=True))
                done = False
                while not done:
                    _, done = downloader.next_chunk(num_retries=2)
        except HttpError as exc:
            tmp.unlink(missing_ok=True)
            status = getattr(getattr(exc, "resp", None), "status", "?")
            raise PhotoSourceError(f"Google Drive download of {meta['name']} failed (HTTP {status})") from None
        os.replace(tmp, target)
        return target

    async def photos_for(self, product: str, color: str | None = None) -> list[Photo]:
        index = await self._ensure_index()
        folders = index.get("folders", {})
        folder = match_folder(product, folders)
        if folder is None:
            return []
        photos: list[Photo] = []
        for meta in folders[folder]["files"]:
            photo_color = color_from_file_name(meta["name"])
            if not color_matches(color, photo_color):
                continue
            target = self._cached_path(meta)
            if not target.exists():
                try:
                    await self._run(self._download, meta, target)
                except PhotoSourceError as exc:
                    log.warning("%s", exc)
                    continue
            photos.append(Photo(f"drive:{meta['id']}", product, photo_color, target, None, meta["name"]))
        return sort_photos(photos)

    async def all_photos(self) -> list[Photo]:
        """Every photo of every product folder (downloaded into the cache once), for picture matching."""
        index = await self._ensure_index()
        photos: list[Photo] = []
        for folder in index.get("folders", {}):
            photos.extend(await self.photos_for(folder))
        return photos


def check_folder(credentials_file: str | Path, folder_id: str,
                 service_factory: Callable[[], Any] | None = None) -> int:
    """The settings dialog's «Проверить» (blocking: run it in an executor): how many
    product folders the service account can see under `folder_id`. Raises
    PhotoSourceError with a plain reason (bad key file, no access, wrong folder id)."""
    from googleapiclient.errors import HttpError

    source = DrivePhotoSource(folder_id, Path(credentials_file), Path("."), executor=None,  # type: ignore[arg-type]
                              service_factory=service_factory)
    try:
        folders = source._list_all(
            f"'{_escape(folder_id)}' in parents and mimeType = '{FOLDER_MIME}' and trashed = false", "id, name")
    except HttpError as exc:
        status = getattr(exc, "status_code", None) or getattr(getattr(exc, "resp", None), "status", "?")
        raise PhotoSourceError(f"Google Drive listing failed (HTTP {status})") from None
    return len(folders)
