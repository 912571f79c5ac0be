"""The pure media decisions: voice notes (text, ask once, then a manager), pictures (ticket,
stock answer, «Это …?», ask the model, then a manager) and the matcher's confidence bands."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.media import (
    ImageAction, ImageMatch, MatchConfidence, VoiceAction, classify_distance, decide_image, decide_voice,
)
from ottenok_desktop.engine.notifications import ChatMessage, parse_notification
from ottenok_desktop.engine.turns import HistoryLine

AT = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)


def bot(text: str) -> HistoryLine:
    return HistoryLine("bot", text, AT)


def test_a_transcript_becomes_the_text() -> None:
    decision = decide_voice("  есть лоферы в 38?  ", ())
    assert (decision.action, decision.text) == (VoiceAction.USE_TEXT, "есть лоферы в 38?")


def test_no_transcript_asks_once_then_hands_over() -> None:
    assert decide_voice(None, ()).action == VoiceAction.ASK_TO_WRITE
    assert decide_voice("", (bot("Здравствуйте!"),)).action == VoiceAction.ASK_TO_WRITE
    second = decide_voice(None, (bot(texts.VOICE_ASK_TO_WRITE),))
    assert (second.action, second.text) == (VoiceAction.HAND_TO_MANAGER, texts.VOICE_HANDOFF)


def test_a_manager_asking_the_same_words_does_not_count_as_the_bots_question() -> None:
    manager_line = HistoryLine("manager_app", texts.VOICE_ASK_TO_WRITE, AT)
    assert decide_voice(None, (manager_line,)).action == VoiceAction.ASK_TO_WRITE


CHANEL = ImageMatch("Лоферы Chanel", "бежевый", MatchConfidence.CONFIDENT, 9.0, "photos")


def test_confident_picture_is_answered_as_that_product() -> None:
    decision = decide_image(CHANEL, "", (), in_support=False)
    assert (decision.action, decision.text) == (ImageAction.STOCK_ANSWER, "Лоферы Chanel бежевый")


def test_unsure_picture_is_asked_about() -> None:
    unsure = ImageMatch("Лоферы Chanel", "", MatchConfidence.UNSURE, 13.5, "photos")
    decision = decide_image(unsure, "", (), in_support=False)
    assert decision.action == ImageAction.ASK_CONFIRM and decision.text.startswith("Это Лоферы Chanel?")


def test_unmatched_picture_asks_for_the_model_then_a_manager_or_uses_the_caption() -> None:
    assert decide_image(ImageMatch(), "", (), False).action == ImageAction.ASK_MODEL
    assert decide_image(ImageMatch(), "", (bot(texts.IMAGE_ASK_MODEL),), False).action == ImageAction.HAND_TO_MANAGER
    with_words = decide_image(ImageMatch(), "такие есть в 38?", (), False)
    assert (with_words.action, with_words.text) == (ImageAction.USE_CAPTION, "такие есть в 38?")


def test_pictures_in_the_support_flow_or_about_a_defect_go_to_the_ticket() -> None:
    assert decide_image(CHANEL, "", (), in_support=True).action == ImageAction.TO_TICKET
    assert decide_image(CHANEL, "вот чек", (), in_support=False).action == ImageAction.TO_TICKET
    assert decide_image(CHANEL, "подошва отклеилась, брак", (), in_support=False).action == ImageAction.TO_TICKET


def test_confidence_bands() -> None:
    assert classify_distance(9.0, 20.0, confident=13, unsure=14, margin=3) == MatchConfidence.CONFIDENT
    assert classify_distance(9.0, 10.5, confident=13, unsure=14, margin=3) == MatchConfidence.UNSURE  # a near rival
    assert classify_distance(9.0, 9.2, confident=13, unsure=14, margin=3) == MatchConfidence.NONE  # lookalikes tie
    assert classify_distance(13.8, 30.0, confident=13, unsure=14, margin=3) == MatchConfidence.UNSURE
    assert classify_distance(20.0, 30.0, confident=13, unsure=14, margin=3) == MatchConfidence.NONE


def test_voice_note_notification_keeps_its_download_url(shared_fixtures: Path) -> None:
    body = json.loads((shared_fixtures / "greenapi" / "incomingMessageReceived_audioMessage.json").read_text("utf-8"))
    parsed = parse_notification(body)
    assert isinstance(parsed, ChatMessage)
    assert parsed.content_type == "audio" and parsed.media_url.endswith(".ogg")
    body["messageData"]["typeMessage"] = "voiceMessage"
    voice = parse_notification(body)
    assert isinstance(voice, ChatMessage) and voice.content_type == "audio"
