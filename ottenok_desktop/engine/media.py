"""Voice notes and pictures in a turn: the contracts the engine needs and the pure decisions.

A voice note becomes the customer's text (transcribed); when it cannot be transcribed the
bot asks once to write, and a second voice note goes to a manager — never silence, never a
guess. A picture is matched against the shop's own product photos (offline), and when
nothing matches, a vision-capable LLM may name the product; a confident match is answered
like a question about that product, an unsure one is asked about, none → the model is
asked for (a second unmatched picture → a manager). Pictures in the warranty/return flow
are attachments for the ticket, not products to match.

The collaborators are Protocols implemented in `services` (download, transcription, photo
matching, vision, storage); `engine/media_responder.py` runs them around a turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, Sequence

from . import texts
from .turns import HistoryLine


class MediaError(Exception):
    """A download, transcription or vision call failed (message in English, no secrets)."""


class MatchConfidence(StrEnum):
    CONFIDENT = "confident"
    UNSURE = "unsure"
    NONE = "none"


@dataclass(frozen=True)
class ImageMatch:
    product: str = ""
    color: str = ""
    confidence: MatchConfidence = MatchConfidence.NONE
    distance: float = 0.0  # matcher's score (lower is closer); 0 for vision answers
    source: str = ""  # photos | vision


NO_MATCH = ImageMatch()


class MediaFetcher(Protocol):
    async def fetch(self, url: str) -> bytes: ...


class VoiceFiles(Protocol):
    """Voice notes kept locally: `fetch` reads the kept copy or downloads and keeps it (so a turn
    decided again does not download twice); `local_copy` is the file the console plays."""

    async def fetch(self, url: str, *, chat_id: str = "", message_id: int = 0, name: str = "") -> bytes: ...

    async def local_copy(self, chat_id: str, message_id: int, url: str, name: str = "") -> Path | None: ...

    async def prune(self) -> int: ...  # old files and the total size over the cap; returns how many went


class Transcriber(Protocol):
    async def transcribe(self, audio: bytes, file_name: str, mime: str) -> str: ...


class ImageMatcher(Protocol):
    async def match(self, image: bytes) -> ImageMatch: ...


class VisionIdentifier(Protocol):
    async def identify(self, image: bytes, mime: str, products: Sequence[str]) -> ImageMatch: ...


class MediaStore(Protocol):
    async def save_text(self, message_id: int, text: str) -> None: ...

    async def set_language(self, chat_id: str, language: str) -> bool: ...  # True when it changed

    async def in_support(self, chat_id: str) -> bool: ...  # an open ticket or the warranty/return flow


# ---- voice -----------------------------------------------------------------------------
class VoiceAction(StrEnum):
    USE_TEXT = "use_text"
    ASK_TO_WRITE = "ask_to_write"
    HAND_TO_MANAGER = "hand_to_manager"


@dataclass(frozen=True)
class VoiceDecision:
    action: VoiceAction
    text: str = ""  # the transcript (USE_TEXT) or the words to send


def earlier_bot_texts(history: Sequence[HistoryLine], text: str) -> int:
    return sum(1 for line in history if line.sender_kind == "bot" and line.text.strip() == text.strip())


def decide_voice(transcript: str | None, history: Sequence[HistoryLine]) -> VoiceDecision:
    """Transcribed → the text; not transcribed → ask once to write, then a manager."""
    if transcript and transcript.strip():
        return VoiceDecision(VoiceAction.USE_TEXT, transcript.strip())
    if earlier_bot_texts(history, texts.VOICE_ASK_TO_WRITE) == 0:
        return VoiceDecision(VoiceAction.ASK_TO_WRITE, texts.VOICE_ASK_TO_WRITE)
    return VoiceDecision(VoiceAction.HAND_TO_MANAGER, texts.VOICE_HANDOFF)


# ---- pictures --------------------------------------------------------------------------
class ImageAction(StrEnum):
    TO_TICKET = "to_ticket"  # warranty / return flow: the picture is an attachment
    STOCK_ANSWER = "stock_answer"  # answer as a question about the matched product
    ASK_CONFIRM = "ask_confirm"  # «Это лоферы Chanel?»
    ASK_MODEL = "ask_model"
    HAND_TO_MANAGER = "hand_to_manager"
    USE_CAPTION = "use_caption"  # nothing matched but the customer wrote words: answer those


@dataclass(frozen=True)
class ImageDecision:
    action: ImageAction
    text: str = ""  # the words to send, or the text that stands for the picture


SUPPORT_WORDS = ("брак", "чек", "гаранти", "возврат", "вернуть", "сломал", "порвал", "отклеил", "дефект", "кепілдік")


def product_phrase(match: ImageMatch) -> str:
    return f"{match.product} {match.color}".strip()


def decide_image(match: ImageMatch, caption: str, history: Sequence[HistoryLine], in_support: bool) -> ImageDecision:
    """What a picture means for the turn (pure)."""
    lowered = caption.lower()
    if in_support or any(word in lowered for word in SUPPORT_WORDS):
        return ImageDecision(ImageAction.TO_TICKET)
    if match.confidence == MatchConfidence.CONFIDENT and match.product:
        return ImageDecision(ImageAction.STOCK_ANSWER, product_phrase(match))
    if match.confidence == MatchConfidence.UNSURE and match.product:
        return ImageDecision(ImageAction.ASK_CONFIRM, texts.IMAGE_ASK_CONFIRM.format(product=product_phrase(match)))
    if caption.strip():
        return ImageDecision(ImageAction.USE_CAPTION, caption.strip())
    if earlier_bot_texts(history, texts.IMAGE_ASK_MODEL) == 0:
        return ImageDecision(ImageAction.ASK_MODEL, texts.IMAGE_ASK_MODEL)
    return ImageDecision(ImageAction.HAND_TO_MANAGER, texts.IMAGE_HANDOFF)


def classify_distance(best: float, runner_up: float, confident: float, unsure: float, margin: float,
                      unsure_margin: float = 1.0) -> MatchConfidence:
    """A matcher's scores → confidence: close and clearly better than the next product → confident;
    close but with a near rival → unsure; products tied (lookalikes) or far → none (ask, never guess)."""
    gap = runner_up - best
    if best <= confident and gap >= margin:
        return MatchConfidence.CONFIDENT
    if best <= unsure and gap >= unsure_margin:
        return MatchConfidence.UNSURE
    return MatchConfidence.NONE
