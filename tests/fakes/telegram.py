"""Fake Telegram Bot API: /bot<token>/sendMessage and sendPhoto (platform-apis.md §4), and
getChat / getChatMember, which connecting an account asks (Bot API: getChat returns a
ChatFullInfo, getChatMember a ChatMember whose `status` is creator, administrator,
member, restricted, left or kicked; an administrator of a channel has
`can_post_messages`)."""

import html
import itertools
import re
from collections.abc import Mapping
from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|blockquote|tg-spoiler)"
                  r"(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
MAX_TEXT, MAX_CAPTION = 4096, 1024


def telegram_error(code: int, description: str, **parameters: Any) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(code, body)


def entity_error(text: str) -> str | None:
    """What Telegram says about HTML it cannot parse, or None when it parses."""
    for match in re.finditer(r"[<&]", text):
        at = match.start()
        pattern = _TAG if match.group() == "<" else _ENTITY
        if not pattern.match(text, at):
            return (f"Bad Request: can't parse entities: Unsupported start tag or entity at "
                    f"byte offset {len(text[:at].encode())}")
    return None


class FakeTelegram(FakePlatform):
    """sendMessage and sendPhoto with Telegram's HTML parsing and length checks.

    Constructor arguments, besides FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account):

    - tokens: bot tokens (they travel in the URL path: /bot<token>/sendMessage).
    - chats: maps a chat_id as clients send it ("@name" or "-100…") to its Chat object.
      With accept_any_account=True an unknown chat_id gets a made-up public channel.

    `published` items: the Message returned (message_id, chat, date, text or caption)
    plus "raw" (the text as sent) and "photo" (the uploaded bytes, or None).
    """

    def __init__(self, *, chats: Mapping[str, dict[str, Any]] | None = None,
                 members: Mapping[str, dict[str, Any]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chats = dict(chats or {})
        # chat_id -> the bot's ChatMember there (default: an admin allowed to post)
        self.members = dict(members or {})
        self._ids = itertools.count(101)

    def flight_key(self, request: RecordedRequest) -> str | None:
        chat = request.param("chat_id")
        return str(chat) if chat is not None else None

    def authorized(self, request: RecordedRequest) -> bool:
        match = _PATH.match(request.path)
        return bool(match) and self.accepts(match["token"])  # type: ignore[index]

    def auth_error(self, request: RecordedRequest) -> Reply:
        return telegram_error(401, "Unauthorized")

    def handle(self, request: RecordedRequest) -> Reply:
        method = _PATH.match(request.path)["method"]  # type: ignore[index]
        if method in ("getChat", "getChatMember"):
            return self._about(request, method)
        if method not in ("sendMessage", "sendPhoto"):
            return telegram_error(404, "Not Found")
        chat = self._chat(str(request.param("chat_id")))
        if chat is None:
            return telegram_error(400, "Bad Request: chat not found")
        text_field, limit = ("text", MAX_TEXT) if method == "sendMessage" else ("caption",
                                                                                MAX_CAPTION)
        text = str(request.param(text_field) or "")
        problem = self._check(request, method, text, limit)
        if problem:
            return telegram_error(400, problem)
        return Reply(200, {"ok": True, "result": self._store(chat, text_field, text, request)})

    def _about(self, request: RecordedRequest, method: str) -> Reply:
        chat_id = str(request.param("chat_id"))
        chat = self._chat(chat_id)
        if chat is None:
            return telegram_error(400, "Bad Request: chat not found")
        if method == "getChat":
            return Reply(200, {"ok": True, "result": dict(chat)})
        user = {"id": int(str(request.param("user_id") or 0)), "is_bot": True,
                "first_name": "Siar", "username": "siar_bot"}
        member = self.members.get(chat_id, {"status": "administrator", "can_post_messages": True,
                                            "can_be_edited": False, "is_anonymous": False})
        return Reply(200, {"ok": True, "result": {**member, "user": user}})

    def _chat(self, chat_id: str) -> dict[str, Any] | None:
        chat = self.chats.get(chat_id)
        if chat is None and self.accept_any_account:
            numeric = chat_id.lstrip("-").isdigit()
            chat = {"id": int(chat_id) if numeric else -1000000000000 - len(self.chats),
                    "title": chat_id, "type": "channel"}
            if not numeric:
                chat["username"] = chat_id.lstrip("@")
            self.chats[chat_id] = chat
        return chat

    def _check(self, request: RecordedRequest, method: str, text: str, limit: int) -> str | None:
        if method == "sendPhoto" and "photo" not in request.files:
            return "Bad Request: there is no photo in the request"
        if method == "sendMessage" and not text:
            return "Bad Request: message text is empty"
        if request.param("parse_mode") == "HTML" and (error := entity_error(text)):
            return error
        shown = html.unescape(re.sub(_TAG, "", text))
        if len(shown) > limit:
            return ("Bad Request: message is too long" if method == "sendMessage"
                    else "Bad Request: message caption is too long")
        return None

    def _store(self, chat: dict[str, Any], field: str, text: str,
               request: RecordedRequest) -> dict[str, Any]:
        message = {"message_id": next(self._ids), "chat": chat, "date": 1707530400,
                   field: html.unescape(re.sub(_TAG, "", text))}
        self.record_published({**message, "raw": text, "photo": request.files.get("photo")})
        return message

    # -- failures ------------------------------------------------------------------

    def reply_rate_limit(self, request: RecordedRequest, retry_after: int = 5) -> Reply:
        return telegram_error(429, f"Too Many Requests: retry after {retry_after}",
                              retry_after=retry_after)

    def reply_migrate(self, request: RecordedRequest,
                      migrate_to_chat_id: int = -1001987654321) -> Reply:
        return telegram_error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                              migrate_to_chat_id=migrate_to_chat_id)

    def reply_kicked(self, request: RecordedRequest) -> Reply:
        return telegram_error(403, "Forbidden: bot was kicked from the channel chat")

    def reply_server_error(self, request: RecordedRequest, status: int = 502) -> Reply:
        return telegram_error(status, "Bad Gateway" if status == 502 else "Internal Server Error")

    def reply_proxy_error(self, request: RecordedRequest, status: int = 504) -> Reply:
        """What the proxy in front of the Bot API answers: HTML, no JSON at all."""
        return Reply(status, f"<html><body><h1>{status} Gateway Time-out</h1></body></html>")

    def reply_expired_token(self, request: RecordedRequest) -> Reply:
        return self.auth_error(request)

    def reply_echo(self, request: RecordedRequest) -> Reply:
        return telegram_error(400, f"Bad Request: {request.echo()}")
