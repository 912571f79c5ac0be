"""JSON shapes the GREEN-API sandbox produces, modelled on GREEN-API's documented samples
(`shared/fixtures/greenapi/`): notification bodies, lastOutgoingMessages items, the 466
error body. Pure functions of their arguments.
"""

from __future__ import annotations

import mimetypes
from typing import Any


def instance_data(instance_id: str, wid: str) -> dict[str, Any]:
    return {"idInstance": int(instance_id), "wid": wid, "typeInstance": "whatsapp"}


def text_data(text: str) -> dict[str, Any]:
    return {"typeMessage": "textMessage", "textMessageData": {"textMessage": text}}


def file_data(download_url: str, file_name: str, caption: str) -> dict[str, Any]:
    """fileMessageData; the typeMessage follows the file's type, as WhatsApp shows it."""
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    major = mime.split("/", 1)[0]
    type_message = {"image": "imageMessage", "video": "videoMessage", "audio": "audioMessage"}.get(
        major, "documentMessage"
    )
    return {
        "typeMessage": type_message,
        "fileMessageData": {
            "downloadUrl": download_url, "caption": caption, "fileName": file_name,
            "jpegThumbnail": "", "mimeType": mime,
        },
    }


def message_body(
    type_webhook: str, instance: dict[str, Any], timestamp: int, id_message: str, *,
    chat_id: str, sender: str, chat_name: str, sender_name: str, data: dict[str, Any],
) -> dict[str, Any]:
    """incomingMessageReceived / outgoingMessageReceived / outgoingAPIMessageReceived."""
    return {
        "typeWebhook": type_webhook, "instanceData": instance, "timestamp": timestamp, "idMessage": id_message,
        "senderData": {"chatId": chat_id, "sender": sender, "chatName": chat_name, "senderName": sender_name},
        "messageData": data,
    }


def status_body(
    instance: dict[str, Any], timestamp: int, id_message: str, *, chat_id: str, status: str, send_by_api: bool
) -> dict[str, Any]:
    return {
        "typeWebhook": "outgoingMessageStatus", "chatId": chat_id, "instanceData": instance,
        "timestamp": timestamp, "idMessage": id_message, "status": status, "sendByApi": send_by_api,
    }


def state_body(instance: dict[str, Any], timestamp: int, state: str) -> dict[str, Any]:
    return {"typeWebhook": "stateInstanceChanged", "instanceData": instance, "timestamp": timestamp, "stateInstance": state}


def outgoing_record(
    id_message: str, chat_id: str, data: dict[str, Any], *, timestamp: int, send_by_api: bool
) -> dict[str, Any]:
    """One item of lastOutgoingMessages (its statusMessage is updated as statuses come)."""
    record: dict[str, Any] = {
        "type": "outgoing", "idMessage": id_message, "timestamp": timestamp, "typeMessage": data["typeMessage"],
        "chatId": chat_id, "statusMessage": "pending", "sendByApi": send_by_api,
    }
    if "textMessageData" in data:
        record["textMessage"] = data["textMessageData"]["textMessage"]
    else:
        file_part = data["fileMessageData"]
        record.update(
            downloadUrl=file_part["downloadUrl"], caption=file_part["caption"], fileName=file_part["fileName"]
        )
    return record


def quota_body(method: str) -> dict[str, Any]:
    """The HTTP 466 body (shape of http466_error_body_invokeStatus.json)."""
    return {"invokeStatus": {
        "method": method, "used": 100, "total": 100, "status": "QUOTE_EXCEEDED",
        "description": "Monthly quota has been exceeded. Please go to your personal account "
        "and change the tariff to business https://console.green-api.com",
    }}
