"""The Bot API methods the Telegram sandbox answers, with the real request and answer shapes.

`dispatch` routes `/bot{token}/{method}`: a wrong token gets 401 "Unauthorized", an
unknown method 404 "Not Found" (both as the Bot API's JSON error); planned faults come
next; then the method's handler runs with the request's parameters merged from the
query string, a JSON body or a form (files kept as `Upload`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from aiohttp import web

if TYPE_CHECKING:
    from .sandbox import TelegramSandbox


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


Params = dict[str, Any]
Handler = Callable[["TelegramSandbox", Params], Awaitable[web.Response]]
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendMediaGroup", "sendVoice", "sendDocument"})
_MAX_TEXT = 4096
_MAX_CAPTION = 1024


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def error_response(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


def ok(result: Any) -> web.Response:
    return web.Response(text=json.dumps({"ok": True, "result": result}, ensure_ascii=False),
                        content_type="application/json")


async def dispatch(sandbox: "TelegramSandbox", request: web.Request) -> web.StreamResponse:
    parts = request.path.strip("/").split("/")
    if len(parts) != 2 or not parts[0].startswith("bot"):
        return error_response(404, "Not Found")
    token, method = parts[0][3:], parts[1]
    if token != sandbox.token:
        return error_response(401, "Unauthorized")
    entry = HANDLERS.get(method) or HANDLERS.get(method[:1].lower() + method[1:])
    if entry is None:
        return error_response(404, "Not Found: method not found")
    sandbox.calls[method] = sandbox.calls.get(method, 0) + 1
    try:
        params = await _params(request)
    except ValueError as exc:
        return error_response(400, f"Bad Request: {exc}")
    fault = sandbox.take_fault(method)
    try:
        if fault is None:
            return await entry(sandbox, params)
        done: web.Response | None = None
        if fault.status is None or (fault.after_effect and method in SEND_METHODS):
            done = await entry(sandbox, params)  # carried out; the answer is slow or lost
        if fault.delay > 0:
            await sandbox.pause(fault.delay)
        if fault.status is None and done is not None:
            return done
        return _fault_response(fault.status or 500, fault.retry_after)
    except ApiError as exc:
        return error_response(exc.code, exc.description, exc.parameters)


def _fault_response(status: int, retry_after: int | None) -> web.Response:
    if status == 429:
        wait = retry_after if retry_after is not None else 1
        return error_response(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
    phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
    return error_response(status, phrases.get(status, "Error"))


async def _params(request: web.Request) -> Params:
    params: Params = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("the JSON body must be an object")
        params.update(body)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename or key, value.file.read())
        else:
            params[key] = value
    return params


def _int(params: Params, name: str, *, required: bool = True) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: {name} must be an integer") from None


def _json_field(params: Params, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None


def _chat(sandbox: "TelegramSandbox", params: Params) -> int:
    chat_id = _int(params, "chat_id")
    assert chat_id is not None
    if chat_id < 0 and chat_id not in sandbox.groups:
        raise ApiError(400, "Bad Request: chat not found")
    if chat_id > 0 and chat_id not in sandbox.users:
        raise ApiError(400, "Bad Request: chat not found")  # the user never wrote to the bot
    return chat_id


def _markup(params: Params) -> dict[str, Any] | None:
    markup = _json_field(params, "reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard", []), list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            if len(str(button.get("callback_data", "")).encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _photo_bytes(params: Params, value: Any, sandbox: "TelegramSandbox | None" = None, what: str = "photo") -> int:
    if isinstance(value, Upload):
        return len(value.content)
    if isinstance(value, str) and value.startswith("attach://"):
        upload = params.get(value[len("attach://"):])
        if not isinstance(upload, Upload):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return len(upload.content)
    if isinstance(value, str) and sandbox is not None and value in sandbox.files:
        return len(sandbox.files[value])  # a file_id of a file a user sent: Telegram re-sends it
    if isinstance(value, str) and value:
        return 0  # another file_id or a URL: Telegram fetches it
    raise ApiError(400, f"Bad Request: there is no {what} in the request")


def _upload_name(params: Params, value: Any) -> str:
    """An uploaded file's name (a multipart part itself, or an `attach://` reference to one)."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value[len("attach://"):])
    return value.name if isinstance(value, Upload) else ""


async def get_me(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    return ok(sandbox.get_me())


async def delete_webhook(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    sandbox.webhook_url = ""
    return ok(True)


async def get_updates(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    if sandbox.webhook_url:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
    offset = _int(params, "offset", required=False) or 0
    timeout = _int(params, "timeout", required=False) or 0
    limit = max(1, min(100, _int(params, "limit", required=False) or 100))
    if offset:
        sandbox.confirm_below(offset)
    loop_time = asyncio.get_running_loop().time
    deadline = loop_time() + timeout * sandbox.poll_scale
    while not (found := sandbox.updates_from(offset, limit)):
        remaining = deadline - loop_time()
        if remaining <= 0 or sandbox.closing:
            break
        await sandbox.wait_updates(remaining)
    return ok(found)


async def send_message(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    chat_id = _chat(sandbox, params)
    text = str(params.get("text") or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > _MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    _, message = sandbox.record_send(chat_id, "text", text=text, reply_markup=_markup(params))
    return ok(message)


async def send_photo(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    chat_id = _chat(sandbox, params)
    caption = str(params.get("caption") or "")
    if len(caption) > _MAX_CAPTION:
        raise ApiError(400, "Bad Request: message caption is too long")
    value = params.get("photo")
    size = _photo_bytes(params, value, sandbox)
    file_id = value if isinstance(value, str) and value in sandbox.files else ""
    name = _upload_name(params, value)
    _, message = sandbox.record_send(chat_id, "photo", caption=caption, reply_markup=_markup(params), photo_bytes=size,
                                     file_id=file_id, file_name=name)
    return ok(message)


async def _send_file(sandbox: "TelegramSandbox", params: Params, kind: str) -> web.Response:
    """sendVoice / sendDocument: an upload (multipart) or a file_id / URL, with a caption."""
    chat_id = _chat(sandbox, params)
    caption = str(params.get("caption") or "")
    if len(caption) > _MAX_CAPTION:
        raise ApiError(400, "Bad Request: message caption is too long")
    value = params.get(kind)
    size = _photo_bytes(params, value, sandbox, kind)
    file_id = value if isinstance(value, str) and value in sandbox.files else ""
    name = _upload_name(params, value)
    _, message = sandbox.record_send(chat_id, kind, caption=caption, reply_markup=_markup(params), photo_bytes=size,
                                     file_id=file_id, file_name=name)
    return ok(message)


async def send_voice(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    return await _send_file(sandbox, params, "voice")


async def send_document(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    return await _send_file(sandbox, params, "document")


async def send_media_group(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    chat_id = _chat(sandbox, params)
    media = _json_field(params, "media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise ApiError(400, "Bad Request: media must include 2-10 items")
    sizes = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") != "photo":
            raise ApiError(400, "Bad Request: unsupported media type in the group")
        sizes.append((_photo_bytes(params, item.get("media")), str(item.get("caption") or "")))
    group_id = sandbox.new_media_group_id()
    messages = [sandbox.record_send(chat_id, "media_group", caption=caption, photo_bytes=size, media_group_id=group_id)[1]
                for size, caption in sizes]
    return ok(messages)


async def edit_message_text(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    sent = _editable(sandbox, params)
    text = str(params.get("text") or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    markup = _markup(params)
    if sent.text == text and sent.reply_markup == markup:
        raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup "
                            "are exactly the same as a current content and reply markup of the message")
    sent.text, sent.reply_markup = text, markup
    sent.edits += 1
    sandbox.mark_edited()
    return ok(sandbox.message_object(sent))


async def edit_message_reply_markup(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    sent = _editable(sandbox, params)
    markup = _markup(params)
    if sent.reply_markup == markup:
        raise ApiError(400, "Bad Request: message is not modified")
    sent.reply_markup = markup
    sent.edits += 1
    sandbox.mark_edited()
    return ok(sandbox.message_object(sent))


def _editable(sandbox: "TelegramSandbox", params: Params) -> Any:
    chat_id = _chat(sandbox, params)
    message_id = _int(params, "message_id")
    assert message_id is not None
    sent = sandbox.find(message_id, chat_id)
    if sent is None:
        raise ApiError(400, "Bad Request: message to edit not found")
    return sent


async def answer_callback_query(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    from .sandbox import CallbackAnswer

    query_id = str(params.get("callback_query_id") or "")
    if not query_id:
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    show_alert = str(params.get("show_alert", "")).lower() in ("true", "1")
    sandbox.answers.append(CallbackAnswer(query_id, 0, str(params.get("text") or ""), show_alert))
    sandbox.mark_edited()
    return ok(True)


async def get_chat(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    chat_id = _chat(sandbox, params)
    if chat_id < 0:
        return ok({"id": chat_id, "type": "supergroup", "title": sandbox.groups[chat_id].title,
                   "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
                       "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                       "premium_subscription": False}})
    user = sandbox.users[chat_id]
    return ok({"id": chat_id, "type": "private", "first_name": user["first_name"], "accent_color_id": 0,
               "max_reaction_count": 11, "accepted_gift_types": {
                   "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                   "premium_subscription": False}})


async def get_chat_member(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    chat_id = _chat(sandbox, params)
    user_id = _int(params, "user_id")
    assert user_id is not None
    if chat_id > 0:
        raise ApiError(400, "Bad Request: method is available only for supergroups and channel")
    from .sandbox import BOT_ID

    status = sandbox.groups[chat_id].members.get(user_id, "left")
    user = sandbox.get_me() if user_id == BOT_ID else sandbox.users.get(user_id) or {
        "id": user_id, "is_bot": False, "first_name": "?"}
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                       "can_delete_messages": False, "can_manage_video_chats": False, "can_restrict_members": False,
                       "can_promote_members": False, "can_change_info": False, "can_invite_users": True,
                       "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
                       "can_send_welcome_messages": False})
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return ok(member)


async def get_file(sandbox: "TelegramSandbox", params: Params) -> web.Response:
    file_id = str(params.get("file_id") or "")
    content = sandbox.files.get(file_id)
    if content is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
               "file_path": f"photos/{file_id}.jpg"})


def download(sandbox: "TelegramSandbox", request: web.Request) -> web.Response:
    """GET /file/bot{token}/{file_path}: the file's bytes, as the Bot API's file host serves them."""
    parts = request.path.split("/", 4)  # "", "file", "bot<token>", "photos", "<id>.jpg"
    if len(parts) < 5 or parts[2] != f"bot{sandbox.token}":
        return web.Response(status=404, text="Not Found")
    file_id = parts[4].rsplit(".", 1)[0]
    content = sandbox.files.get(file_id)
    if content is None:
        return web.Response(status=404, text="Not Found")
    return web.Response(body=content, content_type="image/jpeg")


HANDLERS: dict[str, Handler] = {
    "getFile": get_file,
    "getMe": get_me,
    "deleteWebhook": delete_webhook,
    "getUpdates": get_updates,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendMediaGroup": send_media_group,
    "sendVoice": send_voice,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
}
