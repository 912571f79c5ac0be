"""Voice notes and pictures through the OpenAI-compatible API.

`OpenAiTranscriber` posts the audio to `/v1/audio/transcriptions` (model
`OPENAI_TRANSCRIBE_MODEL`, default gpt-4o-mini-transcribe; any compatible server such as a
local whisper). `OpenAiVision` makes one chat call with the picture (a data URL) and the
catalog's product names and maps the answer back to a catalog product; an answer that is
not a catalog product is no match. Failures become `MediaError` without the key.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any, Sequence

from ottenok_desktop.engine.lexicon.text import normalize
from ottenok_desktop.engine.media import ImageMatch, MatchConfidence, MediaError
from ottenok_desktop.settings import Secret

from .client import DEFAULT_BASE_URL

log = logging.getLogger(__name__)

VISION_PROMPT = (
    "Ты помогаешь магазину обуви и аксессуаров. Клиент прислал фото или скриншот. Определи, какой товар из "
    "списка каталога на нём изображён. Список: {products}. Ответь одним JSON-объектом: "
    '{{"product": "<точное название из списка или пустая строка>", "color": "<цвет по-русски или пустая строка>", '
    '"confidence": "high" | "low"}}. Если товара из списка на фото нет или ты не уверена — product пустой.'
)


class _OpenAi:
    def __init__(self, api_key: Secret, base_url: str, timeout: float, max_retries: int) -> None:
        self._key = api_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._timeout = timeout
        self._retries = max_retries
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import openai

            key = self._key.reveal() if self._key else "not-needed"
            self._client = openai.AsyncOpenAI(api_key=key, base_url=self.base_url, timeout=self._timeout,
                                              max_retries=self._retries)
        return self._client

    def error(self, error: Exception) -> MediaError:
        status = getattr(error, "status_code", None)
        detail = f"HTTP {status}" if status else type(error).__name__
        return MediaError(f"{detail} from {self.base_url}")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


class OpenAiTranscriber(_OpenAi):
    def __init__(self, api_key: Secret, base_url: str, model: str, *, timeout: float = 30.0, max_retries: int = 1,
                 language: str | None = None) -> None:
        super().__init__(api_key, base_url, timeout, max_retries)
        self.model = model
        self.language = language  # None: the model detects Russian / Kazakh itself

    async def transcribe(self, audio: bytes, file_name: str, mime: str) -> str:
        import openai

        extra: dict[str, Any] = {"language": self.language} if self.language else {}
        try:
            result = await self.client().audio.transcriptions.create(
                model=self.model, file=(file_name, audio, mime), **extra)
        except openai.OpenAIError as error:
            raise self.error(error) from None
        text = getattr(result, "text", None)
        if text is None and isinstance(result, str):
            text = result
        return str(text or "").strip()


def map_to_catalog(name: str, products: Sequence[str]) -> str:
    """The catalog product the model named ("" when none): exact, then normalised, then fuzzy ≥ 90."""
    if not name:
        return ""
    if name in products:
        return name
    wanted = normalize(name)
    for product in products:
        if normalize(product) == wanted:
            return product
    from rapidfuzz import fuzz, process

    found = process.extractOne(wanted, {p: normalize(p) for p in products}, scorer=fuzz.token_sort_ratio,
                               score_cutoff=90)
    return str(found[2]) if found else ""


class OpenAiVision(_OpenAi):
    def __init__(self, api_key: Secret, base_url: str, model: str, *, timeout: float = 30.0,
                 max_retries: int = 1) -> None:
        super().__init__(api_key, base_url, timeout, max_retries)
        self.model = model

    async def identify(self, image: bytes, mime: str, products: Sequence[str]) -> ImageMatch:
        import openai

        url = f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"
        messages = [{"role": "user", "content": [
            {"type": "text", "text": VISION_PROMPT.format(products="; ".join(products))},
            {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
        ]}]
        try:
            response = await self.client().chat.completions.create(
                model=self.model, messages=messages, response_format={"type": "json_object"}, max_tokens=120,
                temperature=0)
            content = response.choices[0].message.content or ""
        except openai.OpenAIError as error:
            raise self.error(error) from None
        except (AttributeError, IndexError, TypeError):
            raise MediaError("the vision answer has no message") from None
        try:
            data = json.loads(content)
        except ValueError:
            raise MediaError("the vision answer is not JSON") from None
        if not isinstance(data, dict):
            raise MediaError("the vision answer is not a JSON object")
        product = map_to_catalog(str(data.get("product") or ""), products)
        if not product:
            return ImageMatch(source="vision")
        confidence = MatchConfidence.CONFIDENT if data.get("confidence") == "high" else MatchConfidence.UNSURE
        return ImageMatch(product, str(data.get("color") or ""), confidence, 0.0, "vision")
