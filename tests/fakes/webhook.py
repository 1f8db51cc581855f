"""Fake webhook receiver that checks Standard Webhooks v1 signatures (platform-apis.md §8).

Its signature check is written here from the specification, independently of
scheduler.adapters.webhook, so a shared mistake cannot make both sides agree.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

TOLERANCE = 300  # seconds a timestamp may differ from the receiver's clock


class FakeWebhookReceiver(FakePlatform):
    """A receiver that checks signatures and drops redeliveries by webhook-id.

    Constructor arguments, besides FakePlatform's (clock, latency):

    - secret / secrets: the `whsec_…` secrets it accepts (one per account; a delivery
      signed with any of them passes).
    - path: where it listens; deliveries to any path below it ("/hooks/siar/<region>")
      are accepted too, each path being a separate receiver for redeliveries.
    - accept_any_token=True: skip the signature comparison (headers are still needed).

    `published` items: {"id" (the webhook-id), "path", "payload"}, one per delivery.
    """

    def __init__(self, *, secret: str | None = None, secrets: Iterable[str] = (),
                 path: str = "/hooks/siar", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        every = [*secrets, *([secret] if secret else [])]
        self.keys = [base64.b64decode(s.split("_", 1)[-1]) for s in every]
        self.path = path.rstrip("/")
        self.redeliveries = 0
        self.rejections: list[str] = []

    def authorized(self, request: RecordedRequest) -> bool:
        reason = self.verify(request)
        if reason:
            with self._lock:
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
        if self.accept_any_token:
            return None
        signed = msg_id.encode() + b"." + stamp.encode() + b"." + request.body
        for key in self.keys:
            expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
            for candidate in signatures:
                version, _, value = candidate.partition(",")
                if version == "v1" and hmac.compare_digest(value.encode(), expected):
                    return None
        return "bad signature"

    def auth_error(self, request: RecordedRequest) -> Reply:
        return Reply(401, {"error": "invalid signature"})

    def handle(self, request: RecordedRequest) -> Reply:
        path = request.path.rstrip("/")
        if request.method != "POST" or not (path == self.path
                                             or path.startswith(self.path + "/")):
            return Reply(404, {"error": "not found"})
        msg_id = request.headers["webhook-id"]
        if any(d["id"] == msg_id and d["path"] == path for d in self._published):
            self.redeliveries += 1  # the id is the idempotency key: acknowledge, ignore
        else:
            self.record_published({"id": msg_id, "path": path, "payload": request.json})
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
