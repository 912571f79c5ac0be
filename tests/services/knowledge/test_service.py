"""KnowledgeBase offline: builds, Russian queries with typos and Cyrillic brands, atomic
rebuilds that keep the old version serving, incremental adds, progress events."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ottenok_desktop.engine.events import EventBus, EventRecorder, KnowledgeBuilt, KnowledgeProgress, KnowledgeRejected
from ottenok_desktop.services.knowledge.service import KnowledgeBase

from .docx_factory import product_card, small_shop


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return small_shop(tmp_path / "kb")


def make_kb(shop: Path, tmp_path: Path, executor: ThreadPoolExecutor) -> tuple[KnowledgeBase, EventRecorder]:
    bus = EventBus()
    return KnowledgeBase(shop, tmp_path / "index", bus, executor), EventRecorder(bus)


async def test_start_builds_then_reopens_without_rebuilding(shop: Path, tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    kb, events = make_kb(shop, tmp_path, executor)
    await kb.start()
    built = events.of_type(KnowledgeBuilt)
    assert len(built) == 1 and built[0].files == 5 and built[0].chunks == kb.chunk_count > 0
    assert built[0].embedding.startswith("offline:")
    phases = [e.phase for e in events.of_type(KnowledgeProgress)]
    assert phases[0] == "scan" and "parse" in phases and "embed" in phases and phases[-1] == "done"
    version = kb.version
    await kb.stop()

    again, events2 = make_kb(shop, tmp_path, executor)
    await again.start()
    assert again.version == version and not events2.of_type(KnowledgeBuilt)
    assert (await again.search("лоферы"))[0].source == "catalog/loafers.docx"
    await again.stop()


@pytest.mark.parametrize(
    ("query", "source"),
    [
        ("есть лоферы шанель 38?", "catalog/loafers.docx"),
        ("лоферы шанел бежевые", "catalog/loafers.docx"),
        ("баленсияга трипл с какой размер брать", "catalog/sneakers.docx"),
        ("кросовки баленсиага", "catalog/sneakers.docx"),
        ("скока стоит доставка в астану", "scripts/delivery.docx"),
        ("можно в рассрочку каспи ред?", "scripts/payment.docx"),
        ("а примерить можно?", "chats/good_answers.txt"),
    ],
)
async def test_russian_queries_with_typos_and_brands(
    shop: Path, tmp_path: Path, executor: ThreadPoolExecutor, query: str, source: str
) -> None:
    kb, _ = make_kb(shop, tmp_path, executor)
    await kb.start()
    hits = await kb.search(query, k=3)
    assert hits and hits[0].source == source, [(h.source, h.score) for h in hits]
    top = hits[0]
    assert top.kind in {"catalog", "script", "chat"} and top.score > 0 and top.text
    assert set(top.metadata["ranks"]) <= {"stems", "chargrams", "vectors"}
    await kb.stop()


async def test_hit_carries_section_and_brand(shop: Path, tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    kb, _ = make_kb(shop, tmp_path, executor)
    await kb.start()
    hit = kb.search_sync("шанель лоферы 37 чёрный цена", k=1)[0]
    assert hit.source == "catalog/loafers.docx" and hit.section.startswith("Лоферы Chanel")
    assert "Chanel" in hit.metadata.get("brands", []) and hit.kind == "catalog"
    assert kb.search_sync("   ") == []
    await kb.stop()


async def test_bad_file_rejects_rebuild_and_old_version_keeps_serving(
    shop: Path, tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    kb, events = make_kb(shop, tmp_path, executor)
    await kb.start()
    old_version = kb.version
    before = [h.text for h in await kb.search("доставка по казахстану")]

    (shop / "scripts" / "broken.docx").write_bytes(b"this is not a word file")
    product_card(shop / "catalog" / "mules.docx", "Мюли Dior", "Мюли Dior Dway.", [["37", "бежевый", "98 000 ₸"]])
    report = await kb.rebuild()

    assert not report.ok and report.version == old_version == kb.version
    assert report.errors[0][0] == "scripts/broken.docx" and "not a valid .docx" in report.errors[0][1]
    rejected = events.of_type(KnowledgeRejected)
    assert [r.path for r in rejected] == ["scripts/broken.docx"]
    assert [h.text for h in await kb.search("доставка по казахстану")] == before
    assert all(h.source != "catalog/mules.docx" for h in await kb.search("мюли диор"))
    statuses = {d.file: d for d in kb.documents()}
    assert statuses["scripts/broken.docx"].status == "error" and statuses["scripts/broken.docx"].error_ru
    assert statuses["catalog/loafers.docx"].status == "ok"
    assert sorted(p.name for p in (tmp_path / "index").glob("kb-*")) == [old_version]  # no half-built version left

    (shop / "scripts" / "broken.docx").unlink()
    fixed = await kb.rebuild()
    assert fixed.ok and fixed.version != old_version
    assert (await kb.search("мюли диор"))[0].source == "catalog/mules.docx"
    assert (tmp_path / "index" / "current").read_text() == fixed.version
    await kb.stop()


async def test_add_file_indexes_incrementally_into_the_right_folder(
    shop: Path, tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    kb, events = make_kb(shop, tmp_path, executor)
    await kb.start()
    version, chunks = kb.version, kb.chunk_count
    dropped = product_card(tmp_path / "downloads" / "Мюли Dior.docx", "Мюли Dior Dway", "Мюли без задника с вышивкой.",
                           [["37", "бежевый", "98 000 ₸"], ["38", "чёрный", "98 000 ₸"]])
    report = await kb.add_file(dropped)
    assert report.ok and report.version == version and kb.chunk_count > chunks
    assert (shop / "catalog" / "Мюли Dior.docx").is_file()
    hits = await kb.search("мюли диор 38 черные", k=3)
    assert hits[0].source == "catalog/Мюли Dior.docx"
    assert any(d.file == "catalog/Мюли Dior.docx" and d.chunks > 0 for d in kb.documents())
    assert events.of_type(KnowledgeBuilt)[-1].chunks == kb.chunk_count

    # Re-adding a changed version of the same file replaces its chunks instead of duplicating them.
    product_card(dropped, "Мюли Dior Dway", "Мюли без задника, новая партия.", [["39", "синий", "99 000 ₸"]])
    await kb.add_file(dropped)
    texts = [h.text for h in await kb.search("мюли диор", k=10) if h.source == "catalog/Мюли Dior.docx"]
    assert texts and all("98 000" not in t for t in texts) and any("99 000" in t for t in texts)

    # A chat export dropped as .txt goes to chats/.
    chat = tmp_path / "downloads" / "WhatsApp Chat.txt"
    chat.write_text("01.12.2025, 11:00 - Клиент: а ремень гуччи есть 80?\n01.12.2025, 11:02 - Алина: Да, ремень Gucci 80 см есть!\n", encoding="utf-8")
    assert (await kb.add_file(chat)).ok
    assert (shop / "chats" / "WhatsApp Chat.txt").is_file()
    assert (await kb.search("ремень гучи"))[0].source == "chats/WhatsApp Chat.txt"

    # The next full rebuild sees the same files.
    rebuilt = await kb.rebuild()
    assert rebuilt.ok and rebuilt.chunks == kb.chunk_count
    await kb.stop()


async def test_add_bad_file_is_rejected_and_not_copied(shop: Path, tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    kb, events = make_kb(shop, tmp_path, executor)
    await kb.start()
    chunks = kb.chunk_count
    bad = tmp_path / "downloads" / "каталог.docx"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00\x01 garbage")
    report = await kb.add_file(bad)
    assert not report.ok and report.errors[0][0].endswith("каталог.docx")
    assert events.of_type(KnowledgeRejected)[-1].path.endswith("каталог.docx")
    assert kb.chunk_count == chunks
    assert not list(shop.rglob("каталог.docx"))
    unsupported = tmp_path / "downloads" / "photo.jpg"
    unsupported.write_bytes(b"\xff\xd8\xff")
    assert not (await kb.add_file(unsupported)).ok
    await kb.stop()


async def test_missing_source_dir_builds_an_empty_index(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    kb, events = make_kb(tmp_path / "nowhere", tmp_path, executor)
    await kb.start()
    built = events.of_type(KnowledgeBuilt)[0]
    assert built.chunks == 0 and any("does not exist" in w for w in built.warnings)
    assert await kb.search("доставка") == []
    await kb.stop()


async def test_damaged_current_pointer_falls_back_to_a_finished_version(
    shop: Path, tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    kb, _ = make_kb(shop, tmp_path, executor)
    await kb.start()
    version = kb.version
    await kb.stop()
    (tmp_path / "index" / "current").write_text("kb-does-not-exist")
    shutil.rmtree(tmp_path / "index" / "kb-unfinished", ignore_errors=True)
    (tmp_path / "index" / "kb-zzz-unfinished").mkdir()  # no manifest: must be ignored
    again, events = make_kb(shop, tmp_path, executor)
    await again.start()
    assert again.version == version and not events.of_type(KnowledgeBuilt)
    await again.stop()


async def test_first_build_with_a_bad_file_serves_the_readable_ones(shop: Path, tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    (shop / "catalog" / "broken.docx").write_bytes(b"this is not a zip archive")
    kb, recorder = make_kb(shop, tmp_path, executor)
    await kb.start()  # nothing served yet: index what can be read, name what cannot
    try:
        rejected = recorder.of_type(KnowledgeRejected)
        assert [e.path for e in rejected] == ["catalog/broken.docx"] and "docx" in rejected[0].reason
        statuses = {d.file: d.status for d in kb.documents()}
        assert statuses["catalog/broken.docx"] == "error" and statuses["catalog/loafers.docx"] == "ok"
        hits = await kb.search("лоферы шанель", 3)
        assert hits and hits[0].source.endswith("loafers.docx")
        # once something serves, a bad file rejects the whole rebuild again (atomic switch)
        version = kb.version
        report = await kb.rebuild()
        assert not report.ok and kb.version == version
    finally:
        await kb.stop()
