"""X (API v2): a post with optional image, uploaded first through /2/media/upload.

X's duplicate-content guard is no promise (it says nothing on how far back it looks),
so a 5xx to the publishing request is settled by looking the post up in the account's
own timeline (`/2/users/{id}/tweets`, read back with xtext.py), and an uncertain post
is reconciled the same way.

An image's description for screen readers goes to `POST /2/media/metadata` after the
upload and before the post, as `{"id": MEDIA_ID, "metadata": {"alt_text": {"text": ...}}}`
(X API v2, "Create Media metadata"; at most 1000 characters).
"""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
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
from scheduler.adapters.lookup import (
    Listed,
    Match,
    Page,
    find_in_pages,
    inconclusive,
    parse_instant,
    read_failure,
    recheck_before_resend,
    reconcile_by_lookup,
    settle_server_error,
    window_start,
)
from scheduler.adapters.x_auth import XAuth
from scheduler.adapters.xtext import match_post

if TYPE_CHECKING:
    import requests

# A monthly usage cap only lifts with the billing cycle: check back daily.
USAGE_CAP_RETRY_AFTER = 86_400.0
# Per-window limits; a 24-hour one only applies when its own budget is spent.
RATE_LIMIT_PREFIXES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
TIMELINE_PAGE_SIZE = "100"  # X's maximum (5-100)
TIMELINE_FIELDS = "created_at,text,entities"  # entities: to read t.co links back


class XAdapter(Adapter):
    name = "x"
    label = "X"
    limits = PlatformLimits(280, "karakter berbobot (URL = 23, emoji/CJK = 2)",
                            counter="x_weighted", order=40)
    default_base_url = "https://api.x.com"
    credential_fields = ("access_token",)
    can_reconcile = True
    auth = XAuth

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user_id: str | None = None  # the account's id, asked once per adapter

    def publish(self, post: PostPayload) -> Receipt:
        found = recheck_before_resend(post, self.find_post)
        if found is not None:
            return found
        tweet: dict[str, Any] = {"text": post.text}
        if post.image_path is not None:
            media_id = self._upload(post)
            if post.image_alt:
                self._describe(media_id, post.image_alt)
            tweet["media"] = {"media_ids": [media_id]}
        response = send(self, "POST", f"{self.base_url}/2/tweets", json=tweet,
                        headers=self._auth())
        if not response.ok:
            failure = self._failure(response)
            if response.status_code >= 500:  # X may have posted it before failing
                return settle_server_error(self, post, failure, self.find_post)
            raise failure
        tweet_id = (json_object(response).get("data") or {}).get("id")
        if not tweet_id:
            raise make_error(self, AmbiguousPublishError,
                             "X menerima unggahan tanpa memberi id; cek akun sebelum mengulang")
        return self._receipt(post, str(tweet_id))

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        return reconcile_by_lookup(self, post, self.find_post)

    def find_post(self, post: PostPayload) -> Receipt | None:
        """The post in the account's timeline since its scheduled time (see lookup.py)."""
        start = window_start(post, self.context.clock)
        return find_in_pages(self, self._pages(post, start), start)

    def _pages(self, post: PostPayload, start: datetime) -> Iterator[Page]:
        path = f"/2/users/{self._account_id()}/tweets"
        params = {"max_results": TIMELINE_PAGE_SIZE, "tweet.fields": TIMELINE_FIELDS,
                  "start_time": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        while True:
            tweets, token = self._timeline_page(self._read(path, params))
            yield Page([self._listed(post, t) for t in tweets], more=token is not None)
            if token is None:
                return
            params = {**params, "pagination_token": token}

    def _timeline_page(self, body: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        """The posts of one timeline page and the token of the next one (None: last)."""
        # X always sends `meta`, which says whether more pages follow; it leaves `data`
        # out when nothing matched, and then says result_count 0.
        meta = body.get("meta")
        if isinstance(meta, dict):
            data = body.get("data", [] if meta.get("result_count") == 0 else None)
            if isinstance(data, list):
                token = meta.get("next_token")
                return [t for t in data if isinstance(t, dict)], str(token) if token else None
        raise inconclusive(self, "jawaban daftar unggahan tidak dapat dibaca")

    def _listed(self, post: PostPayload, tweet: Mapping[str, Any]) -> Listed:
        tweet_id = str(tweet.get("id") or "")
        match = match_post(tweet, post.text)
        if match is Match.YES and not tweet_id:
            match = Match.MAYBE  # ours, perhaps, but nothing to record it by
        return Listed(parse_instant(tweet.get("created_at")), match,
                      self._receipt(post, tweet_id))

    def _account_id(self) -> str:
        if self._user_id is None:
            user = self._read("/2/users/me", {}).get("data")
            user_id = user.get("id") if isinstance(user, dict) else None
            if not user_id:
                raise inconclusive(self, "X tidak memberi id akun")
            self._user_id = str(user_id)
        return self._user_id

    def _read(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """A GET for a lookup; it changes nothing, so read_failure types its failures."""
        try:
            response = send(self, "GET", f"{self.base_url}{path}", params=params,
                            headers=self._auth())
        except PublishError as exc:
            raise read_failure(self, exc) from None
        if not response.ok:
            raise read_failure(self, self._failure(response, publishing=False))
        return json_object(response)

    def _receipt(self, post: PostPayload, tweet_id: str) -> Receipt:
        handle = post.handle.lstrip("@")
        return Receipt(tweet_id, f"https://x.com/{handle}/status/{tweet_id}")

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

    def _describe(self, media_id: str, alt: str) -> None:
        """Attach the image's alt text to the uploaded media; like the upload, this
        publishes nothing, so a lost answer is only transient."""
        body = {"id": media_id, "metadata": {"alt_text": {"text": alt}}}
        try:
            response = send(self, "POST", f"{self.base_url}/2/media/metadata", json=body,
                            headers=self._auth())
        except AmbiguousPublishError as exc:
            raise make_error(self, TransientPublishError,
                             f"X: teks alternatif gambar gagal dikirim, belum ada yang terbit "
                             f"({exc})") from None
        if not response.ok:
            raise self._failure(response, publishing=False)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential('access_token')}"}

    def _failure(self, response: "requests.Response", publishing: bool = True) -> PublishError:
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
            # Transient for reads and uploads; publish settles a 5xx to a post by lookup.
            kind = TransientPublishError
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.context.clock)
            message = f"X sedang bermasalah (HTTP {status})"
        problem_type = str(problem.get("type") or "").rsplit("/", 1)[-1] or None
        return make_error(self, kind, message, platform_message=detail, status=status,
                          code=problem_type, retry_after=wait)

    def _rate_limit_wait(self, response: "requests.Response",
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
