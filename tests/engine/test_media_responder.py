"""Voice notes, pictures and Kazakh around the real sales responder (sample shop, real SQLite),
with media served over loopback and the fake OpenAI-compatible server for transcription and vision."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from PIL import Image, ImageDraw

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.media_responder import MediaResponder
from ottenok_desktop.services.llm.media import OpenAiTranscriber, OpenAiVision
from ottenok_desktop.services.media.fetch import HttpMediaFetcher
from ottenok_desktop.services.photos.matching import PhotoMatcher
from ottenok_desktop.services.storage.media import DbMediaStore, chat_language
from ottenok_desktop.services.storage.models import Message
from ottenok_desktop.settings import Secret
from tests.engine.dialogue.shop import SAMPLE, close_shop, open_shop, texts_of
from tests.fakes.openai_server import FakeOpenAIServer

# The sample shop's photo fingerprints on disk, shared by every test and every run on this machine
# (print_cache.py keys them by path, size, mtime and fingerprint version, so a stale one is never used):
# only the first run ever describes the 69 photos.
PHOTO_PRINTS = Path(tempfile.gettempdir()) / "ottenok-tests-photo-prints"

VOICE = b"OggS\x00fake-opus-voice-note-1"
VOICE_2 = b"OggS\x00fake-opus-voice-note-2"


class MediaHost:
    """Serves files as GREEN-API's downloadUrl does."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/media/{name}"

    async def start(self) -> "MediaHost":
        app = web.Application()
        app.router.add_get("/media/{name}", self._get)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _get(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        return web.Response(body=data) if data is not None else web.Response(status=404)


def instagram_screenshot(path: Path) -> bytes:
    """The shop's photo as a customer's screenshot: 90 % crop, upscaled, status bar and app chrome, JPEG 70."""
    photo = Image.open(path).convert("RGB")
    w, h = photo.size
    picture = photo.crop((int(w * 0.05), int(h * 0.05), int(w * 0.95), int(h * 0.95))).resize((480, 480))
    canvas = Image.new("RGB", (480, 700), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 480, 40), fill=(0, 0, 0))
    draw.text((12, 12), "14:32", fill=(255, 255, 255))
    draw.ellipse((10, 50, 50, 90), fill=(200, 80, 120))
    draw.text((60, 62), "ottenok.almaty", fill=(0, 0, 0))
    canvas.paste(picture, (0, 100))
    draw.text((12, 600), "Нравится: 1 245", fill=(0, 0, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def unrelated_picture() -> bytes:
    image = Image.new("RGB", (640, 480), (30, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 100, 300, 300), fill=(250, 220, 40))
    draw.rectangle((350, 200, 600, 420), fill=(40, 160, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
async def world(tmp_path: Path) -> Any:
    shop = await open_shop(tmp_path)
    host = await MediaHost().start()
    server = await FakeOpenAIServer().start()
    yield shop, host, server
    await server.stop()
    await host.stop()
    await close_shop(shop)


def wrap(shop: Any, server: FakeOpenAIServer | None, *, vision: bool = False, photos: Any = None) -> MediaResponder:
    inner = shop.responder
    transcriber = OpenAiTranscriber(Secret("sk-test"), server.base_url, "gpt-4o-mini-transcribe") if server else None
    return MediaResponder(
        inner, store=DbMediaStore(shop.db), fetcher=HttpMediaFetcher(backoff=0.01), transcriber=transcriber,
        matcher=PhotoMatcher(photos or shop.photos, shop.executor, cache_dir=None if photos else PHOTO_PRINTS),
        vision=OpenAiVision(Secret("sk-test"), server.base_url, "gpt-4o") if (server and vision) else None,
        catalog=lambda: list(dict.fromkeys(i.product for i in shop.inventory.index.items)),
        llm_online=lambda: server is not None,
    )


async def message_text(shop: Any, chat_id: str) -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        return [(m.content_type, m.text) for m in Message.select().where(Message.direction == "in").order_by(Message.id)]

    return await shop.db.call(read)


async def test_voice_note_is_transcribed_and_answered_with_the_stock_price(world: Any) -> None:
    shop, host, server = world
    host.files["v1.ogg"] = VOICE
    server.transcripts[VOICE] = "здравствуйте, вот эти лоферы шанель есть в тридцать восьмом? сколько стоят"
    shop.responder = wrap(shop, server)
    reply = await shop.say("77010000001", texts.MEDIA_PLACEHOLDERS["audio"], content_type="audio",
                           media_url=host.url("v1.ogg"))
    price = shop.inventory.index.price_of("Лоферы Chanel")
    answer = texts_of(reply)
    assert "Chanel" in answer and f"{price:,}".replace(",", " ") in answer.replace("\u00a0", " ")
    assert server.transcription_requests[0]["model"] == "gpt-4o-mini-transcribe"
    stored = await message_text(shop, "77010000001@c.us")
    assert stored == [("audio", server.transcripts[VOICE])]  # the console shows the transcript
    assert not reply.handoff_reason


async def test_voice_without_transcription_asks_to_write_once_then_hands_to_a_manager(world: Any) -> None:
    shop, host, server = world
    host.files["v1.ogg"] = VOICE
    server.fail_next("http500", 10, route="transcriptions")
    shop.responder = wrap(shop, server)
    first = await shop.say("77010000002", texts.MEDIA_PLACEHOLDERS["audio"], content_type="audio",
                           media_url=host.url("v1.ogg"))
    assert texts_of(first) == texts.VOICE_ASK_TO_WRITE and not first.handoff_reason
    second = await shop.say("77010000002", texts.MEDIA_PLACEHOLDERS["audio"], content_type="audio",
                            media_url=host.url("v1.ogg"))
    assert texts_of(second) == texts.VOICE_HANDOFF
    assert second.handoff_reason == texts.VOICE_HANDOFF_REASON


async def test_offline_voice_note_with_no_llm_at_all_also_asks_to_write(world: Any) -> None:
    shop, host, _server = world
    shop.responder = wrap(shop, None)
    reply = await shop.say("77010000003", texts.MEDIA_PLACEHOLDERS["audio"], content_type="audio",
                           media_url=host.url("missing.ogg"))
    assert texts_of(reply) == texts.VOICE_ASK_TO_WRITE


async def test_screenshot_of_a_shop_photo_gets_that_products_stock_answer(world: Any) -> None:
    shop, host, _server = world
    host.files["shot.jpg"] = instagram_screenshot(SAMPLE / "photos" / "Лоферы Chanel" / "бежевый_1.jpg")
    shop.responder = wrap(shop, None)
    reply = await shop.say("77010000004", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                           media_url=host.url("shot.jpg"))
    answer = texts_of(reply)
    assert "Chanel" in answer and "Это " not in answer, answer
    stored = await message_text(shop, "77010000004@c.us")
    assert "Лоферы Chanel бежевый" in stored[0][1]


async def test_the_other_loafers_screenshot_names_the_other_loafers_and_colour(world: Any) -> None:
    # same category, same colour as a Chanel photo: the details (horsebit, toe, sole) decide
    shop, host, _server = world
    host.files["shot.jpg"] = instagram_screenshot(SAMPLE / "photos" / "Лоферы Gucci Jordaan" / "черный_1.jpg")
    shop.responder = wrap(shop, None)
    await shop.say("77010000013", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                   media_url=host.url("shot.jpg"))
    stored = await message_text(shop, "77010000013@c.us")
    assert "Лоферы Gucci Jordaan черный" in stored[0][1] and "Chanel" not in stored[0][1]


async def test_lookalike_shop_photos_are_not_guessed_the_model_is_asked(world: Any, tmp_path: Path) -> None:
    # The shop put the same picture in two products' folders: the products tie, nothing is guessed.
    from ottenok_desktop.services.photos.local import LocalPhotoSource

    shop, host, _server = world
    folder = tmp_path / "lookalikes"
    for product in ("Лоферы Chanel", "Лоферы Gucci Jordaan"):
        (folder / product).mkdir(parents=True)
        shutil.copy(SAMPLE / "photos" / "Лоферы Chanel" / "черный_1.jpg", folder / product / "черный_1.jpg")
    host.files["shot.jpg"] = instagram_screenshot(folder / "Лоферы Gucci Jordaan" / "черный_1.jpg")
    shop.responder = wrap(shop, None, photos=LocalPhotoSource(folder, shop.executor))
    reply = await shop.say("77010000011", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                           media_url=host.url("shot.jpg"))
    assert texts_of(reply) == texts.IMAGE_ASK_MODEL


def shop_style_lookalike(product: str, colour: tuple[int, int, int], folder: Path) -> Path:
    """The shop's own product drawn the sample shop's way in a colour the shop does not sell
    (data/sample_pictures.py: same shape, backdrop and details), as another shop's photo."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("sample_pictures", SAMPLE / "sample_pictures.py")
    assert spec is not None and spec.loader is not None
    pictures = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("sample_pictures", pictures)  # its dataclasses look their module up
    spec.loader.exec_module(pictures)
    path = folder / "lookalike.jpg"
    pictures.render_spec(pictures.SPECS[product], 41, colour, 1).save(path, quality=90)
    return path


async def test_a_lookalike_in_a_colour_the_shop_does_not_sell_is_asked_about_not_named(
        world: Any, tmp_path: Path) -> None:
    # burgundy Chanel-shaped loafers: the shape says «Лоферы Chanel, черный», the product's colours say no
    shop, host, _server = world
    host.files["other.jpg"] = instagram_screenshot(shop_style_lookalike("Лоферы Chanel", (128, 30, 52), tmp_path))
    shop.responder = wrap(shop, None)
    reply = await shop.say("77010000014", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                           media_url=host.url("other.jpg"))
    assert texts_of(reply) == texts.IMAGE_ASK_MODEL


async def test_unrelated_picture_gets_a_question_then_a_manager_never_a_product(world: Any) -> None:
    shop, host, _server = world
    host.files["cat.jpg"] = unrelated_picture()
    shop.responder = wrap(shop, None)
    first = await shop.say("77010000005", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                           media_url=host.url("cat.jpg"))
    assert texts_of(first) == texts.IMAGE_ASK_MODEL
    second = await shop.say("77010000005", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                            media_url=host.url("cat.jpg"))
    assert second.handoff_reason == texts.IMAGE_HANDOFF_REASON


async def test_vision_model_names_an_unmatched_picture_from_the_catalog(world: Any) -> None:
    shop, host, server = world
    host.files["street.jpg"] = unrelated_picture()
    server.vision_script = lambda body: json.dumps(
        {"product": "лоферы chanel", "color": "черный", "confidence": "high"}, ensure_ascii=False)
    shop.responder = wrap(shop, server, vision=True)
    reply = await shop.say("77010000006", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                           media_url=host.url("street.jpg"))
    assert "Chanel" in texts_of(reply)
    request = server.vision_requests[0]
    prompt = request["messages"][0]["content"][0]["text"]
    assert "Лоферы Chanel" in prompt and "Кроссовки Nike Air Force 1" in prompt
    assert request["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


async def test_vision_answer_outside_the_catalog_is_no_match(world: Any) -> None:
    shop, host, server = world
    host.files["street.jpg"] = unrelated_picture()
    server.vision_script = lambda body: json.dumps({"product": "Туфли Gucci Princetown", "confidence": "high"})
    shop.responder = wrap(shop, server, vision=True)
    reply = await shop.say("77010000007", texts.MEDIA_PLACEHOLDERS["image"], content_type="image",
                           media_url=host.url("street.jpg"))
    assert texts_of(reply) == texts.IMAGE_ASK_MODEL


async def test_picture_in_the_warranty_flow_goes_to_the_ticket_not_to_matching(world: Any) -> None:
    shop, host, _server = world
    host.files["shot.jpg"] = instagram_screenshot(SAMPLE / "photos" / "Лоферы Chanel" / "бежевый_1.jpg")
    shop.responder = wrap(shop, None)
    await shop.say("77010000008", "Здравствуйте, у лоферов отклеилась подошва, брак")
    reply = await shop.say("77010000008", f"{texts.MEDIA_PLACEHOLDERS['image']}\nвот фото брака",
                           content_type="image", media_url=host.url("shot.jpg"))
    assert "Chanel" not in texts_of(reply)
    assert texts.IMAGE_ASK_MODEL not in texts_of(reply)


async def test_kazakh_message_offline_gets_russian_answer_with_a_kazakh_courtesy_line(world: Any) -> None:
    shop, _host, _server = world
    shop.responder = wrap(shop, None)
    reply = await shop.say("77010000009", "Сәлеметсіз бе! Шанель лоферлер бар ма? 38 өлшем, қара түсі")
    answer = texts_of(reply)
    assert texts.KAZAKH_COURTESY in answer and "Chanel" in answer
    assert await shop.db.call(chat_language, "77010000009@c.us") == "kk"
    again = await shop.say("77010000009", "бағасы қанша?")
    assert texts.KAZAKH_COURTESY not in texts_of(again)  # once per chat


async def test_russian_chat_is_not_marked_kazakh(world: Any) -> None:
    shop, _host, _server = world
    shop.responder = wrap(shop, None)
    reply = await shop.say("77010000010", "Здравствуйте, спасибо, рахмет! Лоферы шанель есть в 38?")
    assert texts.KAZAKH_COURTESY not in texts_of(reply)
    assert await shop.db.call(chat_language, "77010000010@c.us") == ""


async def test_kazakh_in_llm_mode_the_llms_kazakh_answer_with_the_stock_price_reaches_the_customer(
        tmp_path: Path) -> None:
    from ottenok_desktop.services.llm.client import LlmClient

    kazakh = "Иә, Chanel лоферлері бар, 38 өлшем қалды — бағасы 285 000 ₸. Тапсырыс береміз бе?"
    server = await FakeOpenAIServer(chat_script=lambda body: json.dumps(
        {"reply": kazakh, "fields": {}, "intent": "product"}, ensure_ascii=False)).start()
    shop = await open_shop(tmp_path, llm=LlmClient(Secret("k"), server.base_url, "gpt-4o"))
    try:
        shop.responder = MediaResponder(shop.responder, store=DbMediaStore(shop.db), llm_online=lambda: True)
        reply = await shop.say("77010000012", "Сәлеметсіз бе! Шанель лоферлер бар ма? 38 өлшем")
        answer = texts_of(reply)
        assert "бағасы 285 000 ₸" in answer  # the guards check numbers, so a Kazakh answer passes them
        assert texts.KAZAKH_COURTESY not in answer  # the courtesy line is for offline Russian answers only
        assert await shop.db.call(chat_language, "77010000012@c.us") == "kk"
    finally:
        await close_shop(shop)
        await server.stop()
