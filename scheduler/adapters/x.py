"""X (API v2): a post with optional image, uploaded first through /2/media/upload."""

from typing import Any

import requests

from scheduler.adapters.base import (
    PLATFORM_LIMITS,
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
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

# A monthly usage cap only lifts with the billing cycle: check back daily.
USAGE_CAP_RETRY_AFTER = 86_400.0
# Per-window limits; a 24-hour one only applies when its own budget is spent.
RATE_LIMIT_PREFIXES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")


class XAdapter(Adapter):
    name = "x"
    label = "X"
    limits = PLATFORM_LIMITS["x"]
    default_base_url = "https://api.x.com"
    credential_fields = ("access_token",)

    def publish(self, post: PostPayload) -> Receipt:
        tweet: dict[str, Any] = {"text": post.text}
        if post.image_path is not None:
            tweet["media"] = {"media_ids": [self._upload(post)]}
        response = send(self, "POST", f"{self.base_url}/2/tweets", json=tweet,
                        headers=self._auth())
        if not response.ok:
            raise self._failure(response)
        tweet_id = (json_object(response).get("data") or {}).get("id")
        if not tweet_id:
            raise make_error(self, AmbiguousPublishError,
                             "X menerima unggahan tanpa memberi id; cek akun sebelum mengulang")
        handle = post.handle.lstrip("@")
        return Receipt(str(tweet_id), f"https://x.com/{handle}/status/{tweet_id}")

    def _upload(self, post: PostPayload) -> str:
        """Upload the image; a lost answer here publishes nothing, so it is only transient."""
        assert post.image_path is not None
        try:
            response = send(self, "POST", f"{self.base_url}/2/media/upload",
                            data={"media_category": "tweet_image"},
                            files={"media": read_image(self, post.image_path)},
                            headers=self._auth())
        except AmbiguousPublishError as exc:
            raise make_error(self, TransientPublishError,
                             f"X: unggah gambar gagal, belum ada yang terbit ({exc})") from None
        if not response.ok:
            raise self._failure(response, publishing=False)
        media_id = (json_object(response).get("data") or {}).get("id")
        if not media_id:
            raise make_error(self, TransientPublishError, "X tidak memberi id media")
        return str(media_id)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential('access_token')}"}

    def _failure(self, response: requests.Response, publishing: bool = True) -> PublishError:
        status, problem = response.status_code, json_object(response)
        detail = str(problem.get("detail") or problem.get("title") or body_excerpt(response))
        kind: type[PublishError] = PermanentPublishError
        message, wait = f"X menolak unggahan: {detail}", None
        if status == 429:
            kind, wait = TransientPublishError, self._rate_limit_wait(response, problem)
            message = f"X membatasi permintaan: {detail}"
        elif status == 401:
            kind = ReauthorizationRequired
            message = f"Token X kedaluwarsa atau dicabut; hubungkan ulang akun: {detail}"
        elif status == 403 and "duplicate" in detail.lower() and publishing:
            # X's only guard against double posts; our own lost earlier attempt trips it too.
            kind = AmbiguousPublishError
            message = "X menolak karena isinya sama dengan unggahan sebelumnya; cek dulu"
        elif status >= 500:
            # Transient: X refuses a resend of the same text (403 duplicate → ambiguous).
            kind = TransientPublishError
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.context.clock)
            message = f"X sedang bermasalah (HTTP {status})"
        problem_type = str(problem.get("type") or "").rsplit("/", 1)[-1] or None
        return make_error(self, kind, message, platform_message=detail, status=status,
                          code=problem_type, retry_after=wait)

    def _rate_limit_wait(self, response: requests.Response,
                         problem: dict[str, Any]) -> float | None:
        """X sends no Retry-After: wait until the latest exhausted window resets."""
        now = self.context.clock.now().timestamp()
        waits = []
        for prefix in RATE_LIMIT_PREFIXES:
            reset = response.headers.get(f"{prefix}-reset", "")
            remaining = response.headers.get(f"{prefix}-remaining")
            spent = prefix == "x-rate-limit" or remaining == "0"
            if reset.isdigit() and spent:
                waits.append(max(0.0, int(reset) - now))
        wait = max(waits) if waits else None
        if str(problem.get("type", "")).endswith("usage-capped"):
            wait = max(wait or 0.0, USAGE_CAP_RETRY_AFTER)
        return wait
