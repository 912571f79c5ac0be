"""The GREEN-API methods the sandbox answers, with the real request and answer shapes.

`dispatch` routes `/waInstance{id}/{method}/{token}[/{extra}]`: auth (401), unknown
method (404), wrong verb (405), instance not ready (400), planned faults; then the
method's handler runs. Each handler gets the sandbox (its state lives there), the
aiohttp request and the optional extra path segment (deleteNotification's receiptId).
"""

from __future__ import annotations

import asyncio
import json
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from aiohttp import web

from . import sandbox_bodies as bodies

if TYPE_CHECKING:
    from .sandbox import GreenApiSandbox

Handler = Callable[["GreenApiSandbox", web.Request, "str | None"], Awaitable[web.StreamResponse]]

_CHAT_ID_RE = re.compile(r"^\d{5,20}@(c|g)\.us$")
_MAX_TEXT = 20000  # GREEN-API's limit for one text message
_PATH_RE = re.compile(r"^/waInstance([^/]+)/([A-Za-z]+)/([^/]+)(?:/([^/]+))?/?$")
SEND_METHODS = frozenset({"sendMessage", "sendFileByUpload", "sendFileByUrl"})
# Methods that still answer while the instance is starting / not authorized.
_STATE_FREE_METHODS = frozenset({"getStateInstance", "getSettings", "setSettings"})
NOT_READY_TEXT = "instance is starting or not authorized"


async def dispatch(sandbox: "GreenApiSandbox", request: web.Request) -> web.StreamResponse:
    match = _PATH_RE.match(request.path)
    if match is None:
        return web.Response(status=404, text="Not Found")
    instance, method, token, extra = match.groups()
    if instance != sandbox.instance_id or token != sandbox.token:
        return web.Response(status=401, text="Unauthorized")
    if method not in HANDLERS:
        return web.Response(status=404, text="Not Found")
    verb, handler = HANDLERS[method]
    if request.method != verb:
        return web.Response(status=405, text="Method Not Allowed")
    if sandbox.state in ("starting", "notAuthorized") and method not in _STATE_FREE_METHODS:
        return web.json_response({"code": 400, "description": NOT_READY_TEXT}, status=400)
    fault = sandbox.take_fault(method)
    if fault is None:
        return await handler(sandbox, request, extra)
    done: web.StreamResponse | None = None
    if fault.status is None or (fault.after_effect and method in SEND_METHODS):
        # The server does the work, then the answer is slow or lost: for a send this is
        # the ambiguous case (the client times out or gets an error, the message went).
        done = await handler(sandbox, request, extra)
    if fault.delay > 0:
        await sandbox.pause(fault.delay)
    if fault.status is not None or done is None:
        return fault_response(method, fault.status or 500, fault.body, fault.retry_after)
    return done


def fault_response(method: str, status: int, body: Any, retry_after: float | None) -> web.Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    if body is None and status == 466:
        body = bodies.quota_body(method)
    if body is None:
        try:
            body = HTTPStatus(status).phrase
        except ValueError:
            body = "Error"
    if isinstance(body, (dict, list)):
        return web.json_response(body, status=status, headers=headers)
    return web.Response(status=status, text=str(body), headers=headers)


def _bad_request(message: str) -> web.Response:
    return web.json_response({"code": 400, "description": "Validation failed", "message": message}, status=400)


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return _bad_request("the request body is not valid JSON")
    if not isinstance(body, dict):
        return _bad_request("the request body must be a JSON object")
    return body


def _check_chat_id(value: Any) -> str | None:
    if not isinstance(value, str) or not _CHAT_ID_RE.match(value):
        return "chatId must look like 77011234567@c.us"
    return None


async def receive_notification(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    if sandbox.settings.get("webhookUrl"):
        return _bad_request("Message cannot be received (webhook set)")
    try:
        receive_timeout = int(request.query.get("receiveTimeout", "5"))
    except ValueError:
        return _bad_request("receiveTimeout must be an integer")
    if not 5 <= receive_timeout <= 60:
        return _bad_request("receiveTimeout must be within 5..60")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + receive_timeout * sandbox.poll_scale
    while (head := sandbox.head()) is None:
        remaining = deadline - loop.time()
        if remaining <= 0 or sandbox.closing:
            return web.Response(text="null", content_type="application/json")
        await sandbox.wait_queue(remaining)
    receipt_id, body_text = head
    # The body is spliced in verbatim: a poison body stays poison, as it would upstream.
    return web.Response(text=f'{{"receiptId": {receipt_id}, "body": {body_text}}}', content_type="application/json")


async def delete_notification(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    if extra is None or not extra.isdigit():
        return _bad_request("receiptId must be a number in the path")
    return web.json_response({"result": sandbox.delete(int(extra))})


async def send_message(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    problem = _check_chat_id(body.get("chatId"))
    message = body.get("message")
    if problem is None and (not isinstance(message, str) or not message.strip()):
        problem = "message must be a non-empty string"
    if problem is None and len(message) > _MAX_TEXT:
        problem = f"message must be at most {_MAX_TEXT} characters"
    if problem is not None:
        return _bad_request(problem)
    quoted = body.get("quotedMessageId")
    sent = sandbox.record_send(
        body["chatId"], "text", text=message, quoted_message_id=quoted if isinstance(quoted, str) else None
    )
    return web.json_response({"idMessage": sent.id_message})


async def send_file_by_upload(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    if not request.content_type.startswith("multipart/"):
        return _bad_request("sendFileByUpload expects multipart/form-data")
    form = await request.post()
    chat_id = form.get("chatId")
    upload = form.get("file")
    problem = _check_chat_id(chat_id)
    if problem is None and not isinstance(upload, web.FileField):
        problem = "file is required"
    if problem is not None:
        return _bad_request(problem)
    assert isinstance(upload, web.FileField) and isinstance(chat_id, str)
    content = upload.file.read()
    file_name = str(form.get("fileName") or upload.filename or "file.bin")
    sent = sandbox.record_send(
        chat_id, "file_upload", file_name=file_name, caption=str(form.get("caption") or ""), content=content
    )
    return web.json_response({"idMessage": sent.id_message, "urlFile": sent.download_url})


async def send_file_by_url(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    problem = _check_chat_id(body.get("chatId"))
    if problem is None and not str(body.get("urlFile") or "").startswith(("http://", "https://")):
        problem = "urlFile must be an http(s) URL"
    if problem is None and not body.get("fileName"):
        problem = "fileName is required"
    if problem is not None:
        return _bad_request(problem)
    sent = sandbox.record_send(
        body["chatId"], "file_url", file_name=str(body["fileName"]), caption=str(body.get("caption") or ""),
        url=str(body["urlFile"]),
    )
    return web.json_response({"idMessage": sent.id_message})


async def get_state_instance(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    return web.json_response({"stateInstance": sandbox.state})


async def get_settings(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    return web.json_response(sandbox.settings)


async def set_settings(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    unknown = sorted(set(body) - set(sandbox.settings))
    if unknown:
        return _bad_request(f"unknown settings: {', '.join(unknown)}")
    sandbox.settings.update(body)
    return web.json_response({"saveSettings": True})


async def read_chat(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    problem = _check_chat_id(body.get("chatId"))
    if problem is not None:
        return _bad_request(problem)
    id_message = body.get("idMessage")
    sandbox.read_chats.append((body["chatId"], id_message if isinstance(id_message, str) else None))
    return web.json_response({"setRead": True})


async def last_outgoing_messages(sandbox: "GreenApiSandbox", request: web.Request, extra: str | None) -> web.StreamResponse:
    try:
        minutes = int(request.query.get("minutes", "1440"))
    except ValueError:
        return _bad_request("minutes must be an integer")
    return web.Response(text=json.dumps(sandbox.last_outgoing(minutes), ensure_ascii=False), content_type="application/json")


HANDLERS: dict[str, tuple[str, Handler]] = {
    "receiveNotification": ("GET", receive_notification),
    "deleteNotification": ("DELETE", delete_notification),
    "sendMessage": ("POST", send_message),
    "sendFileByUpload": ("POST", send_file_by_upload),
    "sendFileByUrl": ("POST", send_file_by_url),
    "getStateInstance": ("GET", get_state_instance),
    "getSettings": ("GET", get_settings),
    "setSettings": ("POST", set_settings),
    "readChat": ("POST", read_chat),
    "lastOutgoingMessages": ("GET", last_outgoing_messages),
}
