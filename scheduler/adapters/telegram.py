"""Telegram Bot API: a message (HTML parse mode) or one photo with a caption.

The Bot API has no alt text for a photo (sendPhoto takes the photo, a caption and
display options, nothing that describes the image), so `image_alt` is not sent here.
"""

import html
from typing import TYPE_CHECKING, Any

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
    PlatformLimits,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import (
    body_excerpt,
    json_object,
    make_error,
    read_image,
    retry_after_seconds,
    send,
)

if TYPE_CHECKING:
    import requests


class TelegramAdapter(Adapter):
    name = "telegram"
    label = "Telegram"
    limits = PlatformLimits(4_096, "unit UTF-16", caption_length=1_024, counter="utf16",
                            order=50)
    default_base_url = "https://api.telegram.org"
    credential_fields = ("bot_token", "chat_id")

    def publish(self, post: PostPayload) -> Receipt:
        chat_id = self.credential("chat_id")
        # Our texts are plain: escape them so "<" or "&" never break entity parsing.
        text = html.escape(post.text, quote=False)
        if post.image_path is None:
            response = self._call("sendMessage", json={
                "chat_id": chat_id, "text": text, "parse_mode": "HTML"})
        else:
            response = self._call("sendPhoto", data={
                "chat_id": chat_id, "caption": text, "parse_mode": "HTML"},
                files={"photo": read_image(self, post.image_path)})
        body = json_object(response)
        if not (response.ok and body.get("ok")):
            raise self._failure(response, body)
        message = body.get("result") or {}
        if not message.get("message_id"):
            raise make_error(self, AmbiguousPublishError,
                             "Telegram menerima pesan tanpa memberi message_id; cek kanal dulu")
        return Receipt(str(message["message_id"]), self._message_url(chat_id, message))

    def verify(self) -> str | None:
        """getChat for the channel, then getChatMember for the bot itself: the bot must be
        an administrator allowed to post there."""
        chat_id = self.credential("chat_id")
        bot_id = self.credential("bot_token").partition(":")[0]
        if not bot_id.isdigit():
            raise make_error(self, PermanentPublishError,
                             "token bot Telegram tidak berbentuk <angka>:<kode> dari @BotFather")
        chat = self._result("getChat", {"chat_id": chat_id})
        member = self._result("getChatMember", {"chat_id": chat_id, "user_id": int(bot_id)})
        may_post = member.get("status") == "creator" or (
            member.get("status") == "administrator"
            and (chat.get("type") != "channel" or member.get("can_post_messages") is True))
        name = str(chat.get("title") or chat_id)
        if not may_post:
            raise make_error(self, PermanentPublishError,
                             f"bot belum menjadi admin yang boleh mengirim pesan di {name} "
                             f"(status: {member.get('status', '?')}); jadikan admin dulu")
        username = chat.get("username")
        return f"{name} (@{username})" if username else name

    def _result(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self._call(method, json=payload)
        body = json_object(response)
        if not (response.ok and body.get("ok")):
            raise self._failure(response, body)
        result = body.get("result")
        return result if isinstance(result, dict) else {}

    def _call(self, method: str, **kwargs: Any) -> "requests.Response":
        # The bot token is part of the path; `send` never puts a URL in its errors.
        token = self.credential("bot_token")
        return send(self, "POST", f"{self.base_url}/bot{token}/{method}", **kwargs)

    @staticmethod
    def _message_url(chat_id: str, message: dict[str, Any]) -> str | None:
        mid = message["message_id"]
        username = (message.get("chat") or {}).get("username")
        if username or chat_id.startswith("@"):
            return f"https://t.me/{username or chat_id[1:]}/{mid}"
        if chat_id.startswith("-100"):  # private channel or supergroup
            return f"https://t.me/c/{chat_id[4:]}/{mid}"
        return None  # basic groups and private chats have no message links

    def _failure(self, response: "requests.Response", body: dict[str, Any]) -> PublishError:
        status = int(body.get("error_code") or response.status_code)
        description = str(body.get("description") or body_excerpt(response))
        parameters = body.get("parameters") or {}
        kind: type[PublishError] = PermanentPublishError
        message, wait = f"Telegram menolak pesan: {description}", None
        if status == 429:
            kind, message = TransientPublishError, f"Telegram membatasi pengiriman: {description}"
            wait = parameters.get("retry_after") or retry_after_seconds(
                response.headers.get("Retry-After"), self.context.clock)
        elif parameters.get("migrate_to_chat_id"):
            message = ("Grup Telegram sudah menjadi supergroup; ganti chat_id di konfigurasi "
                       f"akun menjadi {parameters['migrate_to_chat_id']} lalu rilis ulang")
        elif status == 401:
            kind = ReauthorizationRequired
            message = "Token bot Telegram ditolak (401); buat token baru lewat @BotFather"
        elif status == 403:
            message = ("Telegram menolak: bot tidak punya akses ke kanal (dikeluarkan, diblokir "
                       f"atau bukan admin): {description}; jadikan bot admin lalu rilis ulang")
        elif status >= 500:
            # Telegram has no duplicate guard and a 5xx (a 502/504 from its proxy above
            # all) may come after the message went out: resending could post it twice.
            kind = AmbiguousPublishError
            message = (f"Server Telegram bermasalah (HTTP {status}); pesan mungkin sudah "
                       "terkirim, cek kanal sebelum mengulang")
        return make_error(self, kind, message, platform_message=description, status=status,
                          code=str(status), retry_after=float(wait) if wait else None)
