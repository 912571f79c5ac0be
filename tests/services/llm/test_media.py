"""Transcription and vision through the fake OpenAI-compatible server over loopback."""

from __future__ import annotations

import json

import pytest

from ottenok_desktop.engine.media import MatchConfidence, MediaError
from ottenok_desktop.services.llm.media import OpenAiTranscriber, OpenAiVision, map_to_catalog
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer

CATALOG = ["Лоферы Chanel", "Кроссовки Nike Air Force 1", "Сумка Chanel 2.55"]


async def test_transcription_posts_the_audio_with_the_configured_model() -> None:
    async with FakeOpenAIServer(api_key="sk-voice") as server:
        server.transcripts[b"OggS-1"] = "сәлеметсіз бе, отыз сегіз бар ма?"
        transcriber = OpenAiTranscriber(Secret("sk-voice"), server.base_url, "whisper-local")
        text = await transcriber.transcribe(b"OggS-1", "801078ab.ogg", "audio/ogg")
        await transcriber.aclose()
    assert text == "сәлеметсіз бе, отыз сегіз бар ма?"
    assert server.transcription_requests[0]["model"] == "whisper-local"
    assert server.transcription_requests[0]["file_name"] == "801078ab.ogg"


async def test_transcription_failure_is_a_media_error_without_the_key() -> None:
    async with FakeOpenAIServer() as server:
        server.fail_next("http500", 5, route="transcriptions")
        transcriber = OpenAiTranscriber(Secret("sk-very-secret"), server.base_url, "gpt-4o-mini-transcribe",
                                        max_retries=0)
        with pytest.raises(MediaError) as caught:
            await transcriber.transcribe(b"OggS", "v.ogg", "audio/ogg")
        await transcriber.aclose()
    assert "500" in str(caught.value) and "sk-very-secret" not in str(caught.value)


async def test_vision_maps_the_models_answer_to_a_catalog_product() -> None:
    async with FakeOpenAIServer() as server:
        server.vision_script = lambda body: json.dumps({"product": "лоферы  CHANEL", "color": "бежевый",
                                                        "confidence": "low"}, ensure_ascii=False)
        vision = OpenAiVision(Secret("k"), server.base_url, "gpt-4o")
        found = await vision.identify(b"\xff\xd8jpeg", "image/jpeg", CATALOG)
        await vision.aclose()
    assert (found.product, found.color, found.confidence) == ("Лоферы Chanel", "бежевый", MatchConfidence.UNSURE)
    assert server.chat_requests == [] or server.vision_requests  # the vision path, not the text script


async def test_vision_answer_that_is_not_json_is_a_media_error() -> None:
    async with FakeOpenAIServer() as server:
        server.vision_script = lambda body: "Это лоферы"
        vision = OpenAiVision(Secret("k"), server.base_url, "gpt-4o")
        with pytest.raises(MediaError, match="not JSON"):
            await vision.identify(b"\xff\xd8jpeg", "image/jpeg", CATALOG)
        await vision.aclose()


@pytest.mark.parametrize("name, product", [
    ("Лоферы Chanel", "Лоферы Chanel"), ("кроссовки nike air force 1", "Кроссовки Nike Air Force 1"),
    ("Nike Air Force кроссовки 1", "Кроссовки Nike Air Force 1"), ("Туфли Gucci", ""), ("", ""),
])
def test_map_to_catalog(name: str, product: str) -> None:
    assert map_to_catalog(name, CATALOG) == product
