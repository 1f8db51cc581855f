"""Fake webhook receiver that checks Standard Webhooks v1 signatures (platform-apis.md §8).

Its signature check is written here from the specification, independently of
scheduler.adapters.webhook, so a shared mistake cannot make both sides agree.
"""

import base64
import hashlib
import hmac
from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

TOLERANCE = 300  # seconds a timestamp may differ from the receiver's clock


class FakeWebhookReceiver(FakePlatform):
    def __init__(self, *, secret: str, path: str = "/hooks/siar", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = base64.b64decode(secret.split("_", 1)[1])
        self.path = path
        self.deliveries: list[dict[str, Any]] = []  # one per webhook-id
        self.redeliveries = 0
        self.rejections: list[str] = []

    def authorized(self, request: RecordedRequest) -> bool:
        reason = self.verify(request)
        if reason:
            self.rejections.append(reason)
        return reason is None

    def verify(self, request: RecordedRequest) -> str | None:
        """Why the delivery must be refused, or None when it is authentic and fresh."""
        msg_id = request.headers.get("webhook-id")
        stamp = request.headers.get("webhook-timestamp", "")
        signatures = request.headers.get("webhook-signature", "").split()
        if not (msg_id and stamp.isdigit() and signatures):
            return "missing headers"
        if abs(self.clock.now().timestamp() - int(stamp)) > TOLERANCE:
            return "stale timestamp"
        signed = msg_id.encode() + b"." + stamp.encode() + b"." + request.body
        expected = base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest())
        for candidate in signatures:
            version, _, value = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(value.encode(), expected):
                return None
        return "bad signature"

    def auth_error(self, request: RecordedRequest) -> Reply:
        return Reply(401, {"error": "invalid signature"})

    def handle(self, request: RecordedRequest) -> Reply:
        if request.method != "POST" or request.path != self.path:
            return Reply(404, {"error": "not found"})
        msg_id = request.headers["webhook-id"]
        if any(d["id"] == msg_id for d in self.deliveries):
            self.redeliveries += 1  # the id is the idempotency key: acknowledge, ignore
        else:
            self.deliveries.append({"id": msg_id, "payload": request.json})
        return Reply(200, {"received": True})

    # -- failures ------------------------------------------------------------------

    def reply_rate_limit(self, request: RecordedRequest, retry_after: int = 5) -> Reply:
        return Reply(429, {"error": "slow down"}, {"Retry-After": str(retry_after)})

    def reply_server_error(self, request: RecordedRequest) -> Reply:
        return Reply(503, "Service Unavailable")

    def reply_gone(self, request: RecordedRequest) -> Reply:
        return Reply(410, {"error": "endpoint disabled"})

    def reply_redirect(self, request: RecordedRequest) -> Reply:
        return Reply(301, "", {"Location": "https://elsewhere.example/hook"})

    def reply_expired_token(self, request: RecordedRequest) -> Reply:
        return self.auth_error(request)

    def reply_echo(self, request: RecordedRequest) -> Reply:
        return Reply(400, f"bad request: {request.echo()}")
