"""The one composition root: build a running `Engine` from one `Settings` object.

Every dependency can be replaced by passing it in (tests pass fakes or a sandbox of
their own). Heavy libraries are imported here only inside functions, after the window
has had the chance to show.
"""

from __future__ import annotations

import logging
import shutil
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from .engine.clock import Clock, clock_from_settings
from .engine.commands import Commands
from .engine.events import EventBus
from .engine.media import VoiceFiles
from .engine.ports import FollowUps, Inventory, Knowledge, Llm, PhotoSource, Promotions, UnitOfWork
from .engine.turns import Responder
from .runtime import Engine
from .settings import Secret, Settings

if TYPE_CHECKING:  # the adapters are imported inside the builders, after the window shows
    from .services.greenapi.client import GreenApiClient
    from .services.greenapi.sandbox import GreenApiSandbox
    from .services.reports.scheduler import ReportScheduler
    from .services.storage import Database

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "demo-sandbox-token"
SANDBOX_INSTANCE = "1101000001"
DEMO_TELEGRAM_GROUP = -1000000000001


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed_demo_data(settings: Settings) -> None:
    """Demo mode with an empty data dir: copy the sample shop in, so staff can edit it."""
    from .paths import sample_data_dir

    sample = sample_data_dir()
    targets = [
        (sample / "inventory.xlsx", settings.inventory_path),
        (sample / "knowledge_base", settings.knowledge_dir),
        (sample / "photos", settings.photos_path),
    ]
    for source, target in targets:
        if target.exists() or not source.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
        log.info("demo: copied sample %s to %s", source.name, target)


def build_engine(
    settings: Settings, *, clock: Clock | None = None, bus: EventBus | None = None, responder: Responder | None = None,
    client: GreenApiClient | None = None, sandbox: GreenApiSandbox | None = None, llm: Llm | None = None,
    photo_source: PhotoSource | None = None, inventory: Inventory | None = None, knowledge: Knowledge | None = None,
    followups: FollowUps | None = None, with_knowledge: bool = True, with_followups: bool = True,
    receive_timeout: int | None = None, debounce: float | None = None, sender_retry_base: float = 1.0,
    state_interval: float = 60.0, channel_only: bool = False, send_rate: float = 45.0,
    telegram_url: str | None = None, telegram_poll_timeout: int = 20,
) -> Engine:
    """Build the engine. `channel_only=True` builds just the WhatsApp channel around the
    given responder (no stock, knowledge, photos, LLM or follow-ups): the channel tests
    and benchmark use it."""
    from .services.greenapi.client import GreenApiClient
    from .services.storage import Database
    from .services.storage.store import DbUnitOfWork

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    bus = bus or EventBus()
    clock = clock or clock_from_settings(settings.timezone, settings.start_time, settings.time_scale)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ottenok-work")
    db = Database(settings.database_target)
    uow = DbUnitOfWork(db)

    if client is None:
        if settings.demo_mode:
            from .services.greenapi.sandbox import GreenApiSandbox

            seed_demo_data(settings)
            if sandbox is None:
                sandbox = GreenApiSandbox(instance_id=SANDBOX_INSTANCE, token=SANDBOX_TOKEN, port=free_port())
            if not sandbox.api_url and not sandbox.port:
                sandbox.port = free_port()  # the client needs the address before the sandbox starts
            api_url = sandbox.api_url or f"http://{sandbox.host}:{sandbox.port}"
            client = GreenApiClient(api_url, api_url, sandbox.instance_id, Secret(sandbox.token))
        else:
            client = GreenApiClient(
                settings.green_api_url, settings.media_url, settings.green_api_instance_id, settings.green_api_token
            )

    if channel_only:
        if responder is None:
            raise ValueError("channel_only needs a responder")
        engine = Engine(
            settings=settings, bus=bus, clock=clock, db=db, executor=executor, client=client, responder=responder,
            commands=Commands(uow, bus, clock), sandbox=sandbox, receive_timeout=receive_timeout if receive_timeout is not None else 5,
            debounce=debounce if debounce is not None else 0.0, sender_retry_base=sender_retry_base,
            state_interval=state_interval, send_rate=send_rate,
        )
        _attach_telegram(engine, settings, telegram_url, telegram_poll_timeout)
        return engine
    if inventory is None:
        inventory = _build_inventory(settings, bus, executor, db)
    if photo_source is None:
        photo_source = _build_photos(settings, executor)
    if knowledge is None and with_knowledge:
        knowledge = _build_knowledge(settings, bus, executor)
    if llm is None and settings.llm_enabled:
        llm = _build_llm(settings)
    commands = Commands(uow, bus, clock, inventory)
    promotions = _build_promotions(settings, executor)  # one watched file for the bot and the follow-ups
    voice_files: VoiceFiles | None = None
    if responder is None:
        responder = _build_responder(settings, uow, commands, bus, clock, inventory, knowledge, photo_source, llm,
                                     executor, promotions)
        voice_files = _build_voice_files(settings, executor)
        responder = _with_media(settings, responder, db, bus, executor, photo_source, inventory, llm, voice_files)

    engine = Engine(
        settings=settings, bus=bus, clock=clock, db=db, executor=executor, client=client, responder=responder,
        commands=commands, sandbox=sandbox, inventory=inventory, knowledge=knowledge, photos=photo_source, llm=llm,
        voice_files=voice_files, receive_timeout=receive_timeout if receive_timeout is not None else (5 if settings.demo_mode else 20),
        debounce=debounce if debounce is not None else 1.5, sender_retry_base=sender_retry_base,
        state_interval=state_interval, send_rate=send_rate,
    )
    if followups is None and with_followups:
        followups = _build_followups(settings, engine, inventory, promotions)
    engine.followups = followups
    commands.bind_followups(followups)
    _attach_telegram(engine, settings, telegram_url, telegram_poll_timeout)
    engine.reports = _build_reports(settings, engine)
    if engine.telegram is not None and engine.telegram.reports is not None:
        # the owner gets the daily and weekly reports on the phone
        from .services.telegram.owner import OwnerReportDelivery

        engine.reports.deliveries.append(OwnerReportDelivery(engine.telegram.reports))
    return engine


def _attach_telegram(engine: Engine, settings: Settings, api_url: str | None, poll_timeout: int) -> None:
    """The Telegram channel, when a bot token is set (issue 15); in demo mode with
    OTTENOK_DEMO_TELEGRAM=1, against an embedded Telegram sandbox."""
    if settings.telegram_enabled:
        from .services.telegram.channel import TelegramChannel

        engine.telegram = TelegramChannel.attach(engine, settings, api_url=api_url, poll_timeout=poll_timeout)
    elif settings.demo_mode and settings.demo_telegram:
        from .services.telegram.channel import TelegramChannel
        from .services.telegram.sandbox import TelegramSandbox

        sandbox = TelegramSandbox(port=free_port())
        sandbox.add_group(DEMO_TELEGRAM_GROUP, "Операторы (демо)")
        engine.telegram = TelegramChannel.attach(
            engine, settings.with_changes(telegram_operators_chat_id=DEMO_TELEGRAM_GROUP),
            api_url=f"http://{sandbox.host}:{sandbox.port}", token=Secret(sandbox.token), poll_timeout=5,
            sandbox=sandbox)


# ---- the parts, each built from settings (imported lazily) --------------------------------
def _build_inventory(settings: Settings, bus: EventBus, executor: ThreadPoolExecutor, db: Database) -> Inventory:
    from .services.inventory.service import InventoryService

    return InventoryService(settings.inventory_path, settings.data_dir, bus, executor, db=db)


def _build_photos(settings: Settings, executor: ThreadPoolExecutor) -> PhotoSource:
    if settings.google_drive_photos_folder_id:
        from .services.photos.drive import DrivePhotoSource

        return DrivePhotoSource(settings.google_drive_photos_folder_id, settings.google_credentials_file,
                                settings.data_dir / "photos_cache", executor)
    from .services.photos.local import LocalPhotoSource

    return LocalPhotoSource(settings.photos_path, executor)


def _build_knowledge(settings: Settings, bus: EventBus, executor: ThreadPoolExecutor) -> Knowledge:
    from .services.knowledge.service import KnowledgeBase

    return KnowledgeBase(
        settings.knowledge_dir, settings.index_dir, bus, executor, openai_api_key=settings.openai_api_key,
        openai_base_url=settings.openai_base_url, embedding_model=settings.openai_embedding_model,
    )


def _build_llm(settings: Settings) -> Llm:
    from .services.llm.client import LlmClient

    return LlmClient(settings.openai_api_key, settings.openai_base_url, settings.openai_model)


def _build_promotions(settings: Settings, executor: ThreadPoolExecutor) -> Promotions:
    from .services.promotions.loader import PromotionsFile, WatchedFile

    return WatchedFile(PromotionsFile(settings.promotions_path), executor)


def _build_responder(settings: Settings, uow: UnitOfWork, commands: Commands, bus: EventBus, clock: Clock,
                     inventory: Inventory | None, knowledge: Knowledge | None, photos: PhotoSource | None,
                     llm: Llm | None, executor: ThreadPoolExecutor, promotions: Promotions) -> Responder:
    from .engine.dialogue.responder import SalesResponder
    from .services.photos.selection import select_photos
    from .services.partners.loader import PartnersFile
    from .services.promotions.loader import WatchedFile

    partners = WatchedFile(PartnersFile(settings.partners_path), executor)
    return SalesResponder(uow=uow, commands=commands, inventory=inventory, knowledge=knowledge, photos=photos,
                          photo_selector=select_photos, llm=llm, bus=bus, clock=clock,
                          persona=settings.persona_name, manager_numbers=tuple(settings.manager_numbers),
                          promotions=promotions, partners=partners)


def _build_voice_files(settings: Settings, executor: ThreadPoolExecutor) -> VoiceFiles:
    """Downloaded voice notes kept in the data dir (the console plays them offline)."""
    from .services.media.cache import VoiceCache
    from .services.media.fetch import HttpMediaFetcher

    return VoiceCache(settings.voice_cache_dir, executor, HttpMediaFetcher(),
                      max_total_bytes=settings.voice_cache_mb * 1024 * 1024, max_age_days=settings.voice_cache_days)


def _with_media(settings: Settings, inner: Responder, db: Database, bus: EventBus, executor: ThreadPoolExecutor,
                photos: PhotoSource | None, inventory: Inventory | None, llm: Llm | None, voice_files: VoiceFiles | None) -> Responder:
    """Voice notes, pictures and the «қазақша» flag around the sales responder (issue 17)."""
    from .engine.events import ChatUpdated
    from .engine.media_responder import MediaResponder
    from .services.media.fetch import HttpMediaFetcher
    from .services.photos.matching import PhotoMatcher
    from .services.storage.media import DbMediaStore

    transcriber = vision = None
    if settings.llm_enabled:
        from .services.llm.media import OpenAiTranscriber, OpenAiVision

        transcriber = OpenAiTranscriber(settings.openai_api_key, settings.openai_base_url,
                                        settings.openai_transcribe_model)
        if settings.openai_vision:
            vision = OpenAiVision(settings.openai_api_key, settings.openai_base_url, settings.openai_model)
    return MediaResponder(
        inner, store=DbMediaStore(db, on_changed=lambda chat_id: bus.publish(ChatUpdated(chat_id))),
        fetcher=HttpMediaFetcher(), voice_files=voice_files, transcriber=transcriber, vision=vision,
        matcher=PhotoMatcher(photos, executor, cache_dir=settings.photo_prints_dir) if hasattr(photos, "all_photos") else None,
        catalog=lambda: list(dict.fromkeys(item.product for item in inventory.index.items)) if inventory else [],
        llm_online=lambda: llm is not None,
    )


def _build_followups(settings: Settings, engine: Engine, inventory: Inventory | None,
                     promotions: Promotions) -> FollowUps:
    from .services.followups import FollowUpService

    return FollowUpService(engine.db, engine.bus, engine.clock, settings, enqueue=engine.enqueue_text,
                           inventory=inventory, promotions=promotions)


def _build_reports(settings: Settings, engine: Engine) -> ReportScheduler:
    from .services.reports.scheduler import ReportScheduler

    return ReportScheduler(engine.db, engine.clock, settings, engine.executor)
