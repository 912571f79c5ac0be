"""The Google Drive photo source against googleapiclient's own HTTP mocks (no network).

The service is built from the Drive v3 discovery document shipped with the client
library, so the requests are exactly what the real client would send.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("googleapiclient")

from googleapiclient.discovery import build_from_document  # noqa: E402
from googleapiclient.http import HttpMockSequence  # noqa: E402

from ottenok_desktop.services.photos.drive import DrivePhotoSource, PhotoSourceError  # noqa: E402
from ottenok_desktop.services.photos.selection import select_photos  # noqa: E402


def discovery_document() -> str:
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "drive.v3.json"
    return path.read_text(encoding="utf-8")


class RecordingHttp(HttpMockSequence):
    """HttpMockSequence that also remembers what was asked."""

    def __init__(self, responses: list[tuple[dict[str, str], bytes]]) -> None:
        super().__init__(responses)
        self.requests: list[tuple[str, str]] = []

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None,
                redirections: int = 1, connection_type: Any = None) -> Any:
        self.requests.append((method, uri))
        return super().request(uri, method, body, headers, redirections, connection_type)


def ok(payload: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    return ({"status": "200", "content-type": "application/json"}, json.dumps(payload).encode())


def media(data: bytes) -> tuple[dict[str, str], bytes]:
    return ({"status": "200", "content-length": str(len(data)), "content-type": "image/jpeg"}, data)


LISTING = [
    ok({"files": [{"id": "fold1", "name": "Лоферы Chanel"}, {"id": "fold2", "name": "мюли диор dway"}],
        "nextPageToken": "page2"}),
    ok({"files": [{"id": "fold3", "name": "Пустая"}]}),
    # folders are listed in name order: "Лоферы Chanel", "Пустая", "мюли диор dway"
    ok({"files": [
        {"id": "img1", "name": "черный_1.jpg", "mimeType": "image/jpeg", "md5Checksum": "aaaa1111bbbb"},
        {"id": "img2", "name": "бежевый_1.jpg", "mimeType": "image/jpeg", "md5Checksum": "cccc2222dddd"},
        {"id": "img4", "name": "черный_2.jpg", "mimeType": "image/jpeg", "md5Checksum": "eeee3333ffff"},
    ]}),
    ok({"files": []}),
    ok({"files": [{"id": "img3", "name": "черный_1.png", "mimeType": "image/png", "md5Checksum": "9999"}]}),
]


def source_with(http: RecordingHttp, cache: Path, executor: ThreadPoolExecutor,
                refresh_interval: float = 600.0) -> DrivePhotoSource:
    document = discovery_document()
    return DrivePhotoSource("root123", None, cache, executor,
                            service_factory=lambda: build_from_document(document, http=http),
                            refresh_interval=refresh_interval)


async def test_listing_download_once_and_cache(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    cache = tmp_path / "photos_cache"
    http = RecordingHttp(LISTING + [media(b"JPEG-black-1"), media(b"JPEG-black-2")])
    source = source_with(http, cache, executor)
    await source.refresh()
    assert len(http.requests) == 5
    first_query = parse_qs(urlparse(http.requests[0][1]).query)
    assert first_query["q"] == ["'root123' in parents and mimeType = 'application/vnd.google-apps.folder' "
                                "and trashed = false"]
    assert parse_qs(urlparse(http.requests[1][1]).query)["pageToken"] == ["page2"]
    assert "'fold1' in parents" in parse_qs(urlparse(http.requests[2][1]).query)["q"][0]
    index = json.loads((cache / "drive_index.json").read_text(encoding="utf-8"))
    assert set(index["folders"]) == {"Лоферы Chanel", "Пустая", "мюли диор dway"}

    black = await source.photos_for("Лоферы Chanel", "черные")
    assert [p.file_name for p in black] == ["черный_1.jpg", "черный_2.jpg"]
    assert [p.key for p in black] == ["drive:img1", "drive:img4"]
    assert black[0].path.read_bytes() == b"JPEG-black-1"
    assert http.requests[5][1].endswith("alt=media") or "alt=media" in http.requests[5][1]
    assert len(http.requests) == 7
    again = await source.photos_for("Лоферы Chanel", "черный")  # already downloaded: no request
    assert [p.path for p in again] == [p.path for p in black] and len(http.requests) == 7
    assert select_photos(again, "черный", {"drive:img1"}) == [black[1]]

    # after a restart, offline: the cached listing and files still serve
    def offline() -> Any:
        raise PhotoSourceError("no network in this test")

    restarted = DrivePhotoSource("root123", None, cache, executor, service_factory=offline)
    cached = await restarted.photos_for("лоферы шанель", "черные")
    assert [p.file_name for p in cached] == ["черный_1.jpg", "черный_2.jpg"]
    assert await restarted.photos_for("Лоферы Chanel", "бежевый") == []  # not downloaded, Drive unreachable
    assert await restarted.photos_for("Сапоги Versace") == []


async def test_product_folder_matched_by_normalisation(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    http = RecordingHttp(LISTING + [media(b"PNG-dior")])
    source = source_with(http, tmp_path / "cache", executor)
    photos = await source.photos_for("Мюли Dior Dway")  # first use lists Drive, then downloads
    assert [(p.color, p.file_name) for p in photos] == [("черный", "черный_1.png")]
    assert photos[0].path.suffix == ".png"


async def test_drive_errors_are_clear(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    http = RecordingHttp([({"status": "403", "content-type": "application/json"},
                           json.dumps({"error": {"code": 403, "message": "forbidden"}}).encode())])
    source = source_with(http, tmp_path / "cache", executor)
    with pytest.raises(PhotoSourceError, match="HTTP 403"):
        await source.refresh()
    assert not (tmp_path / "cache" / "drive_index.json").exists()


async def test_missing_credentials_file(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    source = DrivePhotoSource("root123", tmp_path / "nope.json", tmp_path / "cache", executor)
    with pytest.raises(PhotoSourceError, match="credentials file not found"):
        await source.refresh()


async def test_background_refresh_keeps_running(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    http = RecordingHttp(list(LISTING))  # a copy: the mock pops what it serves
    source = source_with(http, tmp_path / "cache", executor, refresh_interval=0.05)
    await source.start()
    try:
        import asyncio

        for _ in range(100):
            if (tmp_path / "cache" / "drive_index.json").exists():
                break
            await asyncio.sleep(0.02)
        assert (tmp_path / "cache" / "drive_index.json").exists()
        await asyncio.sleep(0.15)  # the next refresh fails (mock exhausted): logged, listing kept
        assert "Лоферы Chanel" in json.loads((tmp_path / "cache" / "drive_index.json").read_text("utf-8"))["folders"]
    finally:
        await source.stop()


def test_settings_check_counts_product_folders_and_reports_no_access() -> None:
    from ottenok_desktop.services.photos.drive import check_folder

    document = discovery_document()
    http = RecordingHttp([ok({"files": [{"id": "f1", "name": "Лоферы Chanel"}, {"id": "f2", "name": "Мюли Dior"}],
                              "nextPageToken": "p2"}),
                          ok({"files": [{"id": "f3", "name": "Сумка Prada Re-Edition"}]})])
    assert check_folder("key.json", "root123", service_factory=lambda: build_from_document(document, http=http)) == 3
    denied = RecordingHttp([({"status": "404", "content-type": "application/json"},
                             json.dumps({"error": {"code": 404, "message": "File not found"}}).encode())])
    with pytest.raises(PhotoSourceError, match="HTTP 404"):
        check_folder("key.json", "wrong", service_factory=lambda: build_from_document(document, http=denied))
    with pytest.raises(PhotoSourceError, match="not found"):
        check_folder("/nonexistent/key.json", "root123")


async def test_all_photos_lists_and_caches_every_product_photo_for_matching(tmp_path: Path,
                                                                            executor: ThreadPoolExecutor) -> None:
    http = RecordingHttp(LISTING + [media(b"JPEG-1"), media(b"JPEG-2"), media(b"JPEG-4"), media(b"PNG-3")])
    source = source_with(http, tmp_path / "cache", executor)
    photos = await source.all_photos()
    assert sorted((p.product, p.file_name) for p in photos) == [
        ("Лоферы Chanel", "бежевый_1.jpg"), ("Лоферы Chanel", "черный_1.jpg"), ("Лоферы Chanel", "черный_2.jpg"),
        ("мюли диор dway", "черный_1.png")]
    assert all(p.path is not None and p.path.exists() for p in photos)
    requests = len(http.requests)
    assert len(await source.all_photos()) == 4 and len(http.requests) == requests  # cached: no new request
