"""Generic outgoing webhook, signed per Standard Webhooks v1 (platform-apis.md §8).

Each post is one event whose `webhook-id` is stable (`siar-post-{post_id}`), so a
conforming receiver drops a redelivery. We still cannot ask the receiver whether it
got an earlier attempt, so `can_reconcile` stays False: after a timeout an operator
decides, and releasing the post for another attempt is safe with such a receiver.
"""

import base64
import binascii
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from scheduler.adapters.base import (
    Adapter,
    PermanentPublishError,
    PlatformLimits,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import body_excerpt, make_error, retry_after_seconds, send

if TYPE_CHECKING:
    import requests

EVENT_TYPE = "siar.post"
WHSEC_PREFIX = "whsec_"
THROTTLE_STATUSES = frozenset({429, 502, 503, 504})


def decode_secret(secret: str) -> bytes:
    """The key bytes of a `whsec_<base64>` secret (the prefix is optional)."""
    encoded = secret.removeprefix(WHSEC_PREFIX)
    return base64.b64decode(encoded, validate=True)


def sign(key: bytes, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` value: v1,<base64 HMAC-SHA256 of "{id}.{ts}.{body}">."""
    content = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def event_id(post: PostPayload) -> str:
    return f"siar-post-{post.post_id}"


class WebhookAdapter(Adapter):
    name = "webhook"
    label = "Webhook"
    limits = PlatformLimits(1_000_000, "karakter", role="service", order=90)
    credential_fields = ("url", "secret")

    def publish(self, post: PostPayload) -> Receipt:
        url, key = self.credential("url"), self._key()
        now = self.context.clock.now()
        timestamp, message_id = int(now.timestamp()), event_id(post)
        body = json.dumps({"type": EVENT_TYPE, "timestamp": now.isoformat(),
                           "data": _post_data(post)}, ensure_ascii=False, separators=(",", ":"))
        headers = {"Content-Type": "application/json", "webhook-id": message_id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(key, message_id, timestamp, body)}
        response = send(self, "POST", url, data=body.encode(), headers=headers)
        if 200 <= response.status_code < 300:
            return Receipt(message_id)
        raise self._failure(response)

    def _key(self) -> bytes:
        try:
            return decode_secret(self.credential("secret"))
        except (binascii.Error, ValueError):
            raise make_error(self, ReauthorizationRequired,
                             "Secret webhook tidak valid: harus berbentuk whsec_<base64>") from None

    def _failure(self, response: "requests.Response") -> PublishError:
        status = response.status_code
        kind: type[PublishError] = PermanentPublishError
        message, wait = f"Penerima webhook menolak (HTTP {status})", None
        if status == 410:
            message = "Penerima webhook sudah tidak aktif (410 Gone); ganti atau matikan URL-nya"
        elif status in (401, 403):
            # The receiver refused our signature: the shared secret no longer matches.
            kind = ReauthorizationRequired
            message = f"Penerima webhook menolak tanda tangan (HTTP {status}); perbarui secret"
        elif status in THROTTLE_STATUSES or status >= 500:
            # Transient: a receiver drops a redelivery by its stable webhook-id.
            kind, message = TransientPublishError, f"Penerima webhook sibuk (HTTP {status})"
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.context.clock)
        elif 300 <= status < 400:  # the spec says not to follow redirects
            message = f"Penerima webhook mengalihkan (HTTP {status}); perbarui URL-nya"
        return make_error(self, kind, message, platform_message=body_excerpt(response),
                          status=status, code=str(status), retry_after=wait)


def _post_data(post: PostPayload) -> dict[str, Any]:
    return {"post_id": post.post_id, "region": post.region_key, "handle": post.handle,
            "text": post.text, "scheduled_at": post.scheduled_at.isoformat(),
            "image_url": post.image_url}
