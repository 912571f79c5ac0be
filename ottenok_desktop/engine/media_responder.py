"""`MediaResponder`: voice notes, pictures and the customer's language, around any `Responder`.

It wraps the sales responder at the `Responder` boundary (Turn in, Reply out), so the
turn pipeline behind it sees plain text:
- a voice note is downloaded (once: `VoiceFiles` keeps it on disk for the console's play
  button and for a turn decided again) and transcribed; the transcript replaces the placeholder as
  the message's text (stored on the Message row too: the console shows it under the
  bubble); when that fails the pure `media.decide_voice` asks once to write, then hands
  the chat to a manager;
- a picture (outside the warranty/return flow) is matched against the shop's photos,
  then, if nothing matched and a vision model is configured, named by the LLM; a
  confident match becomes "<product> <colour>" text for the inner responder (so the
  answer is the usual stock facts), unsure → «Это …?», none → ask for the model, a second
  unmatched picture → a manager (`media.decide_image`);
- the turn's language (`lexicon.kazakh`) is stored on the chat (the console's «қазақша»
  badge); offline, a Kazakh or mixed chat gets one short Kazakh courtesy line.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Callable, Sequence

from . import texts
from .lexicon.kazakh import Language, detect_language, is_kazakh
from .media import (
    NO_MATCH, ImageAction, ImageMatch, ImageMatcher, MatchConfidence, MediaError, MediaFetcher, MediaStore,
    Transcriber, VisionIdentifier, VoiceAction, VoiceFiles, decide_image, decide_voice, earlier_bot_texts,
)
from .turns import InboundText, OutgoingPart, Reply, Responder, Turn

log = logging.getLogger(__name__)


def _caption(message: InboundText) -> str:
    """The customer's own words on a media message (the placeholder's first line dropped)."""
    placeholder = texts.MEDIA_PLACEHOLDERS.get(message.content_type, "")
    lines = message.text.splitlines()
    if lines and placeholder and lines[0].startswith(placeholder):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _reply(text: str, handoff_reason: str = "", notes: tuple[str, ...] = ()) -> Reply:
    return Reply(parts=(OutgoingPart(text=text),), handoff_reason=handoff_reason, draft=text, notes=notes)


class MediaResponder:
    def __init__(self, inner: Responder, *, store: MediaStore, fetcher: MediaFetcher | None = None,
                 transcriber: Transcriber | None = None, matcher: ImageMatcher | None = None,
                 vision: VisionIdentifier | None = None, catalog: Callable[[], Sequence[str]] = lambda: (),
                 llm_online: Callable[[], bool] = lambda: False, voice_files: VoiceFiles | None = None) -> None:
        self.inner = inner
        self.store = store
        self.fetcher = fetcher
        self.transcriber = transcriber
        self.matcher = matcher
        self.vision = vision
        self.catalog = catalog
        self.llm_online = llm_online
        self.voice_files = voice_files  # voice notes kept on disk (played by the console, read again offline)

    def __getattr__(self, name: str) -> object:  # the inner responder's other features (llm, …)
        inner = self.__dict__.get("inner")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)

    async def preview(self, text: str) -> Reply:
        return await self.inner.preview(text)  # type: ignore[attr-defined, no-any-return]

    async def aclose(self) -> None:
        for part in (self.fetcher, self.transcriber, self.vision, self.voice_files):
            close = getattr(part, "aclose", None)
            if close is not None:
                await close()

    async def respond(self, turn: Turn) -> Reply:
        messages: list[InboundText] = []
        pending_voice_ask: str = ""
        for message in turn.messages:
            if message.content_type == "audio":
                transcript = await self._transcribe(turn.chat_id, message)
                decision = decide_voice(transcript, turn.history)
                if decision.action == VoiceAction.USE_TEXT:
                    await self.store.save_text(message.message_id, decision.text)
                    messages.append(replace(message, text=decision.text))
                    continue
                if decision.action == VoiceAction.HAND_TO_MANAGER:
                    return _reply(decision.text, texts.VOICE_HANDOFF_REASON, ("voice: handoff",))
                pending_voice_ask = decision.text
                continue
            if message.content_type == "image":
                outcome = await self._picture(turn, message)
                if isinstance(outcome, Reply):
                    return outcome
                messages.append(outcome)
                continue
            messages.append(message)
        language = detect_language("\n".join(m.text for m in messages if m.content_type == "text"))
        await self._remember_language(turn.chat_id, language)
        if pending_voice_ask and not any(m.text.strip() for m in messages):
            return _reply(pending_voice_ask, notes=("voice: asked to write",))
        reply = await self.inner.respond(replace(turn, messages=tuple(messages)))
        extra: list[OutgoingPart] = []
        if pending_voice_ask:
            extra.append(OutgoingPart(text=pending_voice_ask))
        if (is_kazakh(language) and not self.llm_online() and reply.parts and not reply.handoff_reason
                and earlier_bot_texts(turn.history, texts.KAZAKH_COURTESY) == 0):
            extra.insert(0, OutgoingPart(text=texts.KAZAKH_COURTESY))
        if extra:
            reply = replace(reply, parts=tuple(reply.parts) + tuple(extra))
        return reply

    async def _remember_language(self, chat_id: str, language: Language) -> None:
        if language == Language.RU:
            return  # a chat stays «қазақша» once the customer wrote Kazakh
        try:
            await self.store.set_language(chat_id, str(language))
        except Exception:  # the badge is a hint; the answer must not fail for it
            log.exception("storing the chat language failed for %s", chat_id)

    async def _transcribe(self, chat_id: str, message: InboundText) -> str | None:
        if self.transcriber is None or (self.fetcher is None and self.voice_files is None) or not message.media_url:
            return None
        try:
            if self.voice_files is not None:
                audio = await self.voice_files.fetch(message.media_url, chat_id=chat_id,
                                                     message_id=message.message_id, name=message.media_name)
            else:
                assert self.fetcher is not None
                audio = await self.fetcher.fetch(message.media_url)
            return await self.transcriber.transcribe(audio, message.media_name or "voice.ogg", "audio/ogg")
        except MediaError as error:
            log.warning("voice note %s not transcribed: %s", message.message_id, error)
            return None

    async def _picture(self, turn: Turn, message: InboundText) -> InboundText | Reply:
        caption = _caption(message)
        in_support = await self.store.in_support(turn.chat_id)
        match = NO_MATCH if in_support else await self._identify(message)
        decision = decide_image(match, caption, turn.history, in_support)
        if decision.action in (ImageAction.TO_TICKET,):
            return message
        if decision.action == ImageAction.STOCK_ANSWER:
            await self.store.save_text(message.message_id,
                                       f"{message.text}\n{texts.IMAGE_MATCH_NOTE.format(product=decision.text)}")
            return replace(message, text=f"{caption}\n{decision.text}".strip())
        if decision.action == ImageAction.USE_CAPTION:
            return replace(message, text=caption)
        reason = texts.IMAGE_HANDOFF_REASON if decision.action == ImageAction.HAND_TO_MANAGER else ""
        return _reply(decision.text, reason, (f"image: {decision.action}",))

    async def _identify(self, message: InboundText) -> ImageMatch:
        if self.fetcher is None or not message.media_url or (self.matcher is None and self.vision is None):
            return NO_MATCH
        try:
            image = await self.fetcher.fetch(message.media_url)
        except MediaError as error:
            log.warning("picture %s not downloaded: %s", message.message_id, error)
            return NO_MATCH
        match = NO_MATCH
        if self.matcher is not None:
            try:
                match = await self.matcher.match(image)
            except MediaError as error:
                log.warning("picture %s not matched: %s", message.message_id, error)
        if match.confidence != MatchConfidence.NONE or self.vision is None or not self.llm_online():
            return match
        products = list(self.catalog())
        if not products:
            return match
        try:
            return await self.vision.identify(image, "image/jpeg", products)
        except MediaError as error:
            log.warning("vision call for picture %s failed: %s", message.message_id, error)
            return match
