"""Every GREEN-API fixture body parses to the right typed object; statuses are monotonic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ottenok_desktop.engine import notifications as n
from ottenok_desktop.engine import texts

EXPECTED = {
    "incomingMessageReceived_textMessage": (n.ChatMessage, "text"),
    "incomingMessageReceived_extendedTextMessage": (n.ChatMessage, "text"),
    "incomingMessageReceived_quotedMessage": (n.ChatMessage, "text"),
    "incomingMessageReceived_imageMessage": (n.ChatMessage, "image"),
    "incomingMessageReceived_audioMessage": (n.ChatMessage, "audio"),
    "incomingMessageReceived_documentMessage_SWE002": (n.ChatMessage, "document"),
    "incomingMessageReceived_stickerMessage": (n.ChatMessage, "sticker"),
    "incomingMessageReceived_locationMessage": (n.ChatMessage, "location"),
    "incomingMessageReceived_contactMessage": (n.ChatMessage, "contact"),
    "incomingMessageReceived_pollMessage": (n.ChatMessage, "poll"),
    "incomingMessageReceived_pollUpdateMessage": (n.ChatMessage, "poll_vote"),
    "incomingMessageReceived_reactionMessage": (n.ChatMessage, "reaction"),
    "incomingMessageReceived_buttonsMessage": (n.ChatMessage, "buttons"),
    "incomingMessageReceived_templateMessage": (n.ChatMessage, "buttons"),
    "incomingMessageReceived_interactiveButtons": (n.ChatMessage, "buttons"),
    "incomingMessageReceived_buttonsResponseMessage": (n.ChatMessage, "button_reply"),
    "incomingMessageReceived_templateButtonReplyMessage": (n.ChatMessage, "button_reply"),
    "incomingMessageReceived_listResponseMessage": (n.ChatMessage, "list_reply"),
    "incomingMessageReceived_groupInviteMessage": (n.ChatMessage, "group_invite"),
    "incomingMessageReceived_textMessage_SWE001": (n.ChatMessage, "text"),
    "outgoingMessageReceived_textMessage": (n.ChatMessage, "text"),
    "outgoingMessageReceived_interactiveButtonsResponse": (n.ChatMessage, "button_reply"),
    "incomingMessageReceived_editedMessage": (n.MessageEdit, None),
    "incomingMessageReceived_deletedMessage": (n.MessageDeletion, None),
    "outgoingMessageStatus_sent": (n.StatusUpdate, None),
    "outgoingMessageStatus_noAccount": (n.StatusUpdate, None),
    "outgoingMessageStatus_failed_SWE004": (n.StatusUpdate, None),
    "stateInstanceChanged": (n.InstanceStateNote, None),
    "quotaExceeded": (n.QuotaNote, None),
    "incomingCall": (n.CallNote, None),
    "statusInstanceChanged": (n.Ignored, None),
    "deviceInfo": (n.Ignored, None),
}


def load(shared_fixtures: Path, name: str) -> dict:
    return json.loads((shared_fixtures / "greenapi" / f"{name}.json").read_text(encoding="utf-8"))


def test_every_fixture_is_covered(shared_fixtures: Path) -> None:
    names = {p.stem for p in (shared_fixtures / "greenapi").glob("*.json")}
    not_notifications = {"receiveNotification_response", "http466_error_body_invokeStatus"}
    assert names - not_notifications == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses(shared_fixtures: Path, name: str) -> None:
    kind, content_type = EXPECTED[name]
    parsed = n.parse_notification(load(shared_fixtures, name))
    assert isinstance(parsed, kind)
    if content_type is not None:
        assert parsed.content_type == content_type
        assert parsed.text  # every message reads as something in the console


def test_text_and_media_details(shared_fixtures: Path) -> None:
    text = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_textMessage"))
    assert text.text == "I use Green-API to send this message to you!"
    assert text.direction == "in" and text.phone == "79001234568"
    image = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_imageMessage"))
    assert image.text.startswith(texts.MEDIA_PLACEHOLDERS["image"]) and image.text.endswith("Image")
    assert image.media_url.startswith("https://") and image.media_mime == "image/jpeg"
    document = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_documentMessage_SWE002"))
    assert document.media_url == "" and texts.MEDIA_UNAVAILABLE in document.text
    quoted = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_quotedMessage"))
    assert quoted.text == "Это" and quoted.quoted_external_id == "9A73322488DCB7D9689A6112F2528C9D"
    swe = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_textMessage_SWE001"))
    assert swe.undecryptable and swe.text == texts.UNDECRYPTABLE_PLACEHOLDER
    edit = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_editedMessage"))
    assert (edit.external_id, edit.new_text) == ("3PEAD8EDB7A9D438FF5E", "Edited message")
    no_account = n.parse_notification(load(shared_fixtures, "outgoingMessageStatus_noAccount"))
    assert no_account.chat_id is None and no_account.status == "noAccount"
    phone = n.parse_notification(load(shared_fixtures, "outgoingMessageReceived_textMessage"))
    assert phone.direction == "out" and not phone.by_api


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {}, {"typeWebhook": 5}, {"typeWebhook": "incomingMessageReceived"},
     {"typeWebhook": "incomingMessageReceived", "senderData": {"chatId": "1@c.us"}, "idMessage": "A", "timestamp": 1,
      "messageData": {"typeMessage": "textMessage", "textMessageData": {}}},
     {"typeWebhook": "outgoingMessageStatus", "timestamp": "yesterday", "idMessage": "A", "status": "sent"}],
)
def test_malformed_bodies_raise(body: object) -> None:
    with pytest.raises(n.MalformedNotification):
        n.parse_notification(body)


@pytest.mark.parametrize(
    ("current", "new", "advances"),
    [("queued", "sent", True), ("sent", "delivered", True), ("delivered", "read", True), ("read", "delivered", False),
     ("read", "sent", False), ("delivered", "sent", False), ("sent", "sent", False), ("queued", "read", True),
     ("sent", "failed", True), ("read", "failed", False), ("failed", "delivered", True), ("failed", "sent", False),
     ("sent", "noAccount", True), ("sent", "bogus", False)],
)
def test_status_moves_forward_only(current: str, new: str, advances: bool) -> None:
    assert n.status_advances(current, new) is advances


def test_dedupe_keys_are_stable_across_processes(shared_fixtures: Path) -> None:
    edit = n.parse_notification(load(shared_fixtures, "incomingMessageReceived_editedMessage"))
    assert n.dedupe_key(edit, 1) == n.dedupe_key(edit, 2)
    assert n.dedupe_key(edit, 1).startswith("edit:71234567890@c.us:3PEAD8EDB7A9D438FF5E:")
    assert n.dedupe_key(n.InstanceStateNote("authorized"), 5) is None
