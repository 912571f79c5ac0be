"""LLM adapter (any OpenAI-compatible server)."""

from .client import LlmClient, LlmError, client_from_settings

__all__ = ["LlmClient", "LlmError", "client_from_settings"]
