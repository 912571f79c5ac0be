"""GREEN-API notification bodies → typed, Qt-free, storage-free objects.

`parse_notification(body)` never guesses: a body it cannot understand raises
`MalformedNotification` (the poller stores it as poison and moves on); a well-formed
type the engine has no use for becomes `Ignored`. Customer-visible placeholders for
non-text content come from `engine/texts.py`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Union

from . import texts

SWE001 = "{{SWE001}}"  # WhatsApp could not decrypt the customer's message


class MalformedNotification(ValueError):
    """The body is not a GREEN-API notification this program can read."""


@dataclass(frozen=True)
class ChatMessage:
    """A message in a chat: from the customer, or typed on the shop phone / sent by API."""

    direction: str  # in | out
    by_api: bool  # outgoingAPIMessageReceived: the echo of a send through the API
    chat_id: str
    external_id: str
    at: datetime
    type_message: str
    content_type: str  # text | image | video | document | audio | sticker | location | contact | poll | ...
    text: str
    sender_name: str = ""
    chat_name: str = ""
    media_url: str = ""
    media_name: str = ""
    media_mime: str = ""
    quoted_external_id: str | None = None
    undecryptable: bool = False
    is_group: bool = False

    @property
    def phone(self) -> str:
        return self.chat_id.split("@", 1)[0]


@dataclass(frozen=True)
class MessageEdit:
    chat_id: str
    external_id: str  # the edited message's id
    new_text: str
    at: datetime


@dataclass(frozen=True)
class MessageDeletion:
    chat_id: str
    external_id: str
    at: datetime


@dataclass(frozen=True)
class StatusUpdate:
    chat_id: str | None  # older bodies have none
    external_id: str
    status: str  # sent | delivered | read | failed | noAccount | notInGroup | yellowCard | ...
    description: str
    at: datetime


@dataclass(frozen=True)
class InstanceStateNote:
    state: str


@dataclass(frozen=True)
class QuotaNote:
    method: str
    status: str
    description: str


@dataclass(frozen=True)
class CallNote:
    chat_id: str
    external_id: str
    status: str
    at: datetime


@dataclass(frozen=True)
class Ignored:
    type_webhook: str
    reason: str


Parsed = Union[ChatMessage, MessageEdit, MessageDeletion, StatusUpdate, InstanceStateNote, QuotaNote, CallNote, Ignored]

STATUS_RANK = {"pending": 0, "queued": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4}
TERMINAL_FAILURES = frozenset({"failed", "noAccount", "notInGroup", "yellowCard"})


def status_advances(current: str, new: str) -> bool:
    """Statuses only move forward (sent → delivered → read); a failure is always recorded
    unless the message was already delivered or read (then the failure is stale)."""
    if new in TERMINAL_FAILURES:
        return STATUS_RANK.get(current, 0) < STATUS_RANK["delivered"]
    if new not in STATUS_RANK:
        return False
    if current in TERMINAL_FAILURES:
        return STATUS_RANK[new] >= STATUS_RANK["delivered"]
    return STATUS_RANK[new] > STATUS_RANK.get(current, 0)


def _require(mapping: Any, key: str, kind: type = str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or not isinstance(mapping[key], kind):
        raise MalformedNotification(f"missing or invalid field {key!r}")
    return mapping[key]


def _timestamp(body: dict[str, Any]) -> datetime:
    value = body.get("timestamp")
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if value is None:
        return datetime.now(timezone.utc)  # quotaExceeded has no timestamp
    raise MalformedNotification("invalid field 'timestamp'")


def _placeholder(kind: str, extra: str = "") -> str:
    base = texts.MEDIA_PLACEHOLDERS.get(kind, texts.MEDIA_PLACEHOLDERS["unknown"])
    return f"{base}: {extra}" if extra else base


_FILE_TYPES = {
    "imageMessage": "image",
    "videoMessage": "video",
    "documentMessage": "document",
    "audioMessage": "audio",
    "voiceMessage": "audio",  # some GREEN-API versions name push-to-talk notes so
    "stickerMessage": "sticker",
}


def _content(message_data: dict[str, Any]) -> dict[str, Any]:
    """Map messageData to content_type, text and media fields."""
    type_message = _require(message_data, "typeMessage")
    result: dict[str, Any] = {"type_message": type_message, "content_type": "text", "text": ""}
    quoted = message_data.get("quotedMessage")
    if isinstance(quoted, dict) and isinstance(quoted.get("stanzaId"), str):
        result["quoted_external_id"] = quoted["stanzaId"]

    if type_message == "textMessage":
        result["text"] = _require(_require(message_data, "textMessageData", dict), "textMessage")
    elif type_message in {"extendedTextMessage", "quotedMessage"}:
        data = _require(message_data, "extendedTextMessageData", dict)
        result["text"] = _require(data, "text")
    elif type_message in _FILE_TYPES:
        kind = _FILE_TYPES[type_message]
        data = _require(message_data, "fileMessageData", dict)
        url = data.get("downloadUrl") or ""
        caption = data.get("caption") or ""
        name = data.get("fileName") or ""
        unavailable = isinstance(url, str) and url.startswith("{{SWE")
        label = name if kind == "document" and name else ""
        if unavailable:
            label = f"{label} ({texts.MEDIA_UNAVAILABLE})".strip()
        text = _placeholder(kind, label)
        if caption:
            text = f"{text}\n{caption}"
        result.update(
            content_type=kind, text=text, media_url="" if unavailable else str(url),
            media_name=str(name), media_mime=str(data.get("mimeType") or ""),
        )
    elif type_message == "locationMessage":
        data = _require(message_data, "locationMessageData", dict)
        lat, lon = data.get("latitude"), data.get("longitude")
        name = data.get("nameLocation") or data.get("address") or ""
        coords = f"{lat:.6f}, {lon:.6f}" if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) else ""
        url = f"https://maps.google.com/?q={lat},{lon}" if coords else ""
        result.update(content_type="location", text=_placeholder("location", " ".join(p for p in (name, coords) if p)), media_url=url)
    elif type_message == "contactMessage":
        data = _require(message_data, "contactMessageData", dict)
        result.update(content_type="contact", text=_placeholder("contact", str(data.get("displayName") or "")))
    elif type_message == "contactsArrayMessage":
        data = message_data.get("contactsArrayMessageData") or message_data.get("contactsArrayMessage") or {}
        names = [str(c.get("displayName", "")) for c in data.get("contacts", []) if isinstance(c, dict)] if isinstance(data, dict) else []
        result.update(content_type="contacts", text=_placeholder("contacts", ", ".join(n for n in names if n)))
    elif type_message == "pollMessage":
        data = _require(message_data, "pollCreationMessage", dict)
        options = ", ".join(str(o.get("optionName", "")) for o in data.get("options", []) if isinstance(o, dict))
        result.update(content_type="poll", text=_placeholder("poll", f"{data.get('name', '')} ({options})"))
    elif type_message == "pollUpdateMessage":
        data = _require(message_data, "pollMessageData", dict)
        chosen = [str(v.get("optionName", "")) for v in data.get("votes", []) if isinstance(v, dict) and v.get("optionVoters")]
        result.update(content_type="poll_vote", text=_placeholder("poll_vote", ", ".join(chosen)))
    elif type_message == "reactionMessage":
        data = message_data.get("extendedTextMessageData") or {}
        result.update(content_type="reaction", text=_placeholder("reaction", str(data.get("text", ""))))
    elif type_message in {"buttonsMessage", "templateMessage", "interactiveButtons", "interactiveButtonsReply"}:
        data = message_data.get(type_message) or {}
        content = data.get("contentText", "") if isinstance(data, dict) else ""
        result.update(content_type="buttons", text=_placeholder("buttons", str(content)))
    elif type_message == "buttonsResponseMessage":
        data = _require(message_data, "buttonsResponseMessage", dict)
        result.update(content_type="button_reply", text=str(data.get("selectedButtonText") or data.get("selectedButtonId") or ""))
    elif type_message in {"templateButtonReplyMessage", "templateButtonsReplyMessage", "interactiveButtonsResponse"}:
        data = message_data.get(type_message)
        if not isinstance(data, dict):
            raise MalformedNotification(f"missing field {type_message!r}")
        result.update(content_type="button_reply", text=str(data.get("selectedDisplayText") or data.get("selectedId") or ""))
    elif type_message == "listResponseMessage":
        data = _require(message_data, "listResponseMessage", dict)
        result.update(content_type="list_reply", text=str(data.get("title") or data.get("singleSelectReply") or ""))
    elif type_message == "groupInviteMessage":
        data = message_data.get("groupInviteMessageData") or {}
        result.update(content_type="group_invite", text=_placeholder("group_invite", str(data.get("groupName", ""))))
    else:
        result.update(content_type="unknown", text=_placeholder("unknown", type_message))
    return result


def _chat_message(body: dict[str, Any], direction: str, by_api: bool) -> Parsed:
    sender = _require(body, "senderData", dict)
    chat_id = _require(sender, "chatId")
    external_id = _require(body, "idMessage")
    message_data = _require(body, "messageData", dict)
    at = _timestamp(body)
    type_message = message_data.get("typeMessage")
    if type_message == "editedMessageData" or type_message == "editedMessage":
        data = _require(message_data, "editedMessageData", dict)
        return MessageEdit(chat_id, _require(data, "stanzaId"), str(data.get("textMessage") or data.get("caption") or ""), at)
    if type_message == "deletedMessage":
        data = _require(message_data, "deletedMessageData", dict)
        return MessageDeletion(chat_id, _require(data, "stanzaId"), at)
    content = _content(message_data)
    undecryptable = content["content_type"] == "text" and content["text"].strip() == SWE001
    if undecryptable:
        content["text"] = texts.UNDECRYPTABLE_PLACEHOLDER
    return ChatMessage(
        direction=direction, by_api=by_api, chat_id=chat_id, external_id=external_id, at=at,
        type_message=content["type_message"], content_type=content["content_type"], text=content["text"],
        sender_name=str(sender.get("senderName") or sender.get("senderContactName") or ""),
        chat_name=str(sender.get("chatName") or ""),
        media_url=content.get("media_url", ""), media_name=content.get("media_name", ""),
        media_mime=content.get("media_mime", ""), quoted_external_id=content.get("quoted_external_id"),
        undecryptable=undecryptable, is_group=chat_id.endswith("@g.us"),
    )


def parse_notification(body: Any) -> Parsed:
    if not isinstance(body, dict):
        raise MalformedNotification(f"body is {type(body).__name__}, not an object")
    kind = _require(body, "typeWebhook")
    if kind == "incomingMessageReceived":
        return _chat_message(body, "in", by_api=False)
    if kind == "outgoingMessageReceived":
        return _chat_message(body, "out", by_api=False)
    if kind == "outgoingAPIMessageReceived":
        return _chat_message(body, "out", by_api=True)
    if kind == "outgoingMessageStatus":
        chat_id = body.get("chatId")
        return StatusUpdate(
            chat_id=chat_id if isinstance(chat_id, str) else None,
            external_id=_require(body, "idMessage"), status=_require(body, "status"),
            description=str(body.get("description") or ""), at=_timestamp(body),
        )
    if kind == "stateInstanceChanged":
        return InstanceStateNote(_require(body, "stateInstance"))
    if kind == "quotaExceeded":
        data = _require(body, "quotaData", dict)
        return QuotaNote(str(data.get("method", "")), str(data.get("status", "")), str(data.get("description", "")))
    if kind == "incomingCall":
        return CallNote(_require(body, "from"), str(body.get("idMessage") or ""), str(body.get("status") or "offer"), _timestamp(body))
    if kind in {"statusInstanceChanged", "deviceInfo", "incomingBlock"}:
        return Ignored(kind, "informational")
    return Ignored(kind, "unsupported notification type")


def dedupe_key(parsed: Parsed, receipt_id: int | None) -> str | None:
    """The inbox key that makes re-delivered notifications no-ops."""
    if isinstance(parsed, ChatMessage):
        return f"msg:{parsed.chat_id}:{parsed.external_id}"
    if isinstance(parsed, MessageEdit):
        digest = hashlib.sha1(parsed.new_text.encode("utf-8")).hexdigest()[:16]
        return f"edit:{parsed.chat_id}:{parsed.external_id}:{digest}"
    if isinstance(parsed, MessageDeletion):
        return f"del:{parsed.chat_id}:{parsed.external_id}"
    if isinstance(parsed, StatusUpdate):
        return f"status:{parsed.external_id}:{parsed.status}"
    if isinstance(parsed, CallNote):
        return f"call:{parsed.chat_id}:{parsed.external_id}:{parsed.status}"
    return None
