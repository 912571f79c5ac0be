"""The LLM adapter: chat completions in JSON mode over `openai.AsyncOpenAI`.

Works with OpenAI and any OpenAI-compatible server (Ollama, LM Studio, vLLM) through
`base_url`. One call per turn returns the reply and the extracted fields as one JSON
object. Timeouts and a bounded number of retries are the client's; the history is
trimmed (oldest first) to a token budget so a long chat never overflows the context.
Every failure becomes an `LlmError` whose message never contains the key.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, Mapping, Sequence

from ottenok_desktop.engine.ports import LlmFailure
from ottenok_desktop.settings import Secret

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Rough token count for Cyrillic chat text (about 3 characters per token); good enough to
# keep the prompt under budget without shipping a tokenizer.
CHARS_PER_TOKEN = 3.0


class LlmError(LlmFailure):
    """The LLM did not give a usable answer; `kind` says why (timeout | http | connection | tls | format | auth)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, f"LLM {kind}: {message}")


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 4


def trim_history(messages: Sequence[Mapping[str, str]], budget_tokens: int) -> list[dict[str, str]]:
    """Keep system messages and the newest others within the budget; the oldest go first.

    The last message (the customer's current turn) is always kept.
    """
    items = [dict(m) for m in messages]
    system = [m for m in items if m.get("role") == "system"]
    rest = [m for m in items if m.get("role") != "system"]
    used = sum(estimate_tokens(m.get("content", "")) for m in system)
    kept: list[dict[str, str]] = []
    for index, message in enumerate(reversed(rest)):
        cost = estimate_tokens(message.get("content", ""))
        if index > 0 and used + cost > budget_tokens:
            break
        kept.append(message)
        used += cost
    return system + list(reversed(kept))


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


def parse_json_object(content: str) -> dict[str, Any]:
    """The JSON object in a reply; tolerates a ```json fence; anything else is a format error."""
    text = _FENCE.sub("", content or "").strip()
    try:
        value = json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise LlmError("format", "the reply is not JSON") from None
        try:
            value = json.loads(text[start: end + 1])
        except ValueError:
            raise LlmError("format", "the reply is not valid JSON") from None
    if not isinstance(value, dict):
        raise LlmError("format", f"expected a JSON object, got {type(value).__name__}")
    return value


class LlmClient:
    def __init__(self, api_key: Secret, base_url: str, model: str, *, timeout: float = 20, max_retries: int = 1,
                 history_budget_tokens: int = 6000, max_reply_tokens: int = 600, temperature: float = 0.4) -> None:
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.history_budget_tokens = history_budget_tokens
        self.max_reply_tokens = max_reply_tokens
        self.temperature = temperature
        self._key = api_key
        self._client: Any = None
        self.calls = 0
        self.failures = 0

    def _ensure_client(self) -> Any:
        if self._client is None:
            import openai  # imported lazily: importing openai costs ~0.3 s

            # A local OpenAI-compatible server needs no key, but the client insists on one.
            key = self._key.reveal() if self._key else "not-needed"
            from ..tls import client_ssl_context

            # HTTPS verified through the OS certificate store (services/tls.py).
            http_client = openai.DefaultAsyncHttpxClient(verify=client_ssl_context())
            self._client = openai.AsyncOpenAI(api_key=key, base_url=self.base_url, timeout=self.timeout,
                                              max_retries=self.max_retries, http_client=http_client)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def _translate(self, error: Exception) -> LlmError:
        import openai

        if isinstance(error, openai.APITimeoutError):
            return LlmError("timeout", f"no answer within {self.timeout:g}s")
        if isinstance(error, openai.AuthenticationError):
            return LlmError("auth", "the API key was rejected (HTTP 401)")
        if isinstance(error, openai.APIStatusError):
            return LlmError("http", f"HTTP {error.status_code} from {self.base_url}")
        if isinstance(error, openai.APIConnectionError):
            from ..tls import describe_tls_failure, tls_failure_reason

            reason = tls_failure_reason(error)
            if reason is not None:
                return LlmError("tls", describe_tls_failure(self.base_url, reason))
            return LlmError("connection", f"cannot reach {self.base_url}")
        return LlmError("error", type(error).__name__)

    async def _create(self, **kwargs: Any) -> Any:
        import openai

        client = self._ensure_client()
        self.calls += 1
        try:
            return await client.chat.completions.create(model=self.model, **kwargs)
        except openai.OpenAIError as error:
            self.failures += 1
            raise self._translate(error) from None

    async def complete_json(self, messages: Sequence[Mapping[str, str]], schema_hint: str = "") -> dict[str, Any]:
        """One chat completion in JSON mode; returns the parsed object or raises `LlmError`."""
        prepared = trim_history(messages, self.history_budget_tokens)
        if schema_hint:
            prepared.insert(1 if prepared and prepared[0]["role"] == "system" else 0,
                            {"role": "system", "content": f"Ответь одним JSON-объектом такого вида: {schema_hint}"})
        started = time.perf_counter()
        response = await self._create(messages=prepared, response_format={"type": "json_object"},
                                      max_tokens=self.max_reply_tokens, temperature=self.temperature)
        try:
            content = response.choices[0].message.content or ""
        except (AttributeError, IndexError, TypeError):
            self.failures += 1
            raise LlmError("format", "the response has no message") from None
        try:
            value = parse_json_object(content)
        except LlmError:
            self.failures += 1
            raise
        log.debug("llm json reply in %.0f ms", (time.perf_counter() - started) * 1000)
        return value

    async def ping(self) -> str:
        """A one-token call for the console's «Проверить» button; returns the model that answered."""
        response = await self._create(messages=[{"role": "user", "content": "ping"}], max_tokens=1, temperature=0)
        return str(getattr(response, "model", "") or self.model)


def client_from_settings(settings: Any, *, timeout: float = 20, max_retries: int = 1) -> LlmClient | None:
    """The client the settings ask for, or None in offline mode (no key and no local server)."""
    if not settings.llm_enabled:
        return None
    return LlmClient(settings.openai_api_key, settings.openai_base_url or DEFAULT_BASE_URL, settings.openai_model,
                     timeout=timeout, max_retries=max_retries)
