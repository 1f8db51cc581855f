"""TikTok photo posts (Content Posting API, platform-apis.md §6): `creator_info/query`
(privacy levels, username), `content/init` (PHOTO, DIRECT_POST, one JPEG/WebP pulled from
its URL; the first line as title, the whole text as description), then `status/fetch`
polled until PUBLISH_COMPLETE or FAILED.

TikTok has no idempotency key and init is the request that publishes: `init_sent_at` is
checkpointed before it leaves, its `publish_id` (with the username) before the first
poll. A retry with a publish_id never sends init again: it polls that publish, and only
one TikTok reports FAILED (never public) is replaced. A lost or 5xx answer to init is
ambiguous; `reconcile` asks status/fetch about the saved publish_id, else says "init
never left" (no `init_sent_at`) or leaves it to an operator (TikTok has no other lookup).

Decisions (issue 12, item 4):
- Privacy: PUBLIC_TO_EVERYONE or nothing. A KPU post is public information; an account
  without that option (private, or an unaudited app: SELF_ONLY) is paused with
  ReauthorizationRequired, its posts held, until fixed on TikTok. No setting picks another
  level: "published" where nobody can see it would mislead.
- Title: the first non-empty line, cut on a word boundary with "…" to 90, counted in
  UTF-16 units (the stricter count). Description: the whole text, at most 4,000 (§6).
- Image: told by the URL path's extension, before any request: .jpg/.jpeg/.webp only.
- Credentials: `access_token` only; the username comes from creator_info.
- PUBLISH_COMPLETE without `publicaly_available_post_id` (moderation can take hours):
  live for TikTok, so the receipt is the publish_id, without a URL.
- 5xx is ambiguous on init, transient elsewhere; fail_reason `internal` is transient
  (retryable, says TikTok), any other fail_reason permanent.
"""

import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

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
from scheduler.adapters.http import body_excerpt, json_object, make_error, send

if TYPE_CHECKING:
    import requests

# Description limit, image required. The daily per-creator cap exists
# (spam_risk_too_many_posts) but TikTok does not publish it: daily_quota None = unknown.
TIKTOK_LIMITS = PlatformLimits(4_000, "karakter", image_required=True, order=60)
PUBLIC = "PUBLIC_TO_EVERYONE"
COMPLETE, FAILED = "PUBLISH_COMPLETE", "FAILED"
PROCESSING = frozenset({"PROCESSING_DOWNLOAD", "PROCESSING_UPLOAD"})
INIT_REF = "init_sent_at"
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".webp")
RATE_LIMIT_WAIT = 60.0  # TikTok counts requests in a one-minute sliding window
_RENEW = "Akses TikTok ke akun ini kedaluwarsa atau dicabut; hubungkan ulang akun"
REAUTH = {"access_token_invalid": _RENEW, "scope_not_authorized": _RENEW,
          "reached_active_user_cap": "Aplikasi mencapai batas pengguna aktif TikTok; akun "
                                     "dijeda sampai aplikasi lolos audit atau dihubungkan ulang"}
HINTS = {  # what a person should do about TikTok's refusal codes and fail reasons
    "url_ownership_unverified": "domain gambar belum diverifikasi di TikTok Developer Portal",
    "privacy_level_option_mismatch": "tingkat privasi tidak diizinkan untuk akun ini",
    "unaudited_client_can_only_post_to_private_accounts":
        "aplikasi belum diaudit TikTok, hanya boleh mengunggah ke akun privat",
    "spam_risk_too_many_posts": "batas unggahan harian akun tercapai; coba lagi besok",
    "invalid_params": "isian unggahan ditolak",
    "invalid_file_upload": "berkas gambar tidak memenuhi ketentuan TikTok",
    "file_format_check_failed": "format gambar tidak didukung; pakai JPEG atau WebP",
    "picture_size_check_failed": "ukuran gambar tidak diterima TikTok",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def make_title(text: str, limit: int = 90) -> str:
    """The post's first non-empty line, shortened on a word boundary with "…"."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if utf16_len(first) <= limit:
        return first
    room, kept = limit - 1, ""  # one unit for the ellipsis
    for word in first.split():
        candidate = f"{kept} {word}" if kept else word
        if utf16_len(candidate) > room:
            break
        kept = candidate
    kept = kept or first[:room]  # a first word longer than the title: cut inside it
    while utf16_len(kept) > room:
        kept = kept[:-1]
    return kept.rstrip(" ,.;:-–—") + "…"


class TikTokAdapter(Adapter):
    name = "tiktok"
    label = "TikTok"
    limits = TIKTOK_LIMITS
    title_length: ClassVar[int] = 90
    default_base_url = "https://open.tiktokapis.com"
    credential_fields = ("access_token",)
    can_reconcile = True
    # At most 10 polls, 3 s apart, within 60 s on the context clock: under status/fetch's
    # 30 requests a minute per token. Unsettled by then: a retry resumes the publish_id.
    poll_attempts: ClassVar[int] = 10
    poll_interval: ClassVar[float] = 3.0
    poll_budget: ClassVar[float] = 60.0
    not_ready_retry_after: ClassVar[float] = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it

    def publish(self, post: PostPayload) -> Receipt:
        image_url = self._checked(post)
        saved = post.ref.get("publish_id")
        if saved:
            status, data = self._saved_status(saved)
            username = post.ref.get("username", "")
            if status == COMPLETE:
                return self._receipt(saved, username, data)
            if status in PROCESSING:
                return self._wait(saved, username)
            if status != FAILED:  # FAILED was never public: a new init cannot duplicate it
                raise self._unexpected(status)
        creator = self._ask("creator_info/query/", None)
        username = str(creator.get("creator_username") or "")
        body = self._init_body(post, image_url, self._privacy(creator), creator)
        # Forget a FAILED publish_id: until init answers, only an operator can tell.
        self.context.checkpoint({INIT_REF: self.context.clock.now().isoformat(), "publish_id": ""})
        publish_id = self._init(body)
        self.context.checkpoint({"publish_id": publish_id, "username": username})
        return self._wait(publish_id, username)

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        publish_id = ref.get("publish_id")
        if not publish_id:
            if ref.get(INIT_REF):
                raise make_error(self, AmbiguousPublishError,
                                 "TikTok: permintaan unggah terkirim tetapi publish_id tidak "
                                 "diterima, dan TikTok tidak bisa dicari tanpanya; periksa akun "
                                 "TikTok lalu putuskan manual")
            return None  # init never left: nothing can be live
        status, data = self._saved_status(publish_id)
        if status == COMPLETE:
            return self._receipt(publish_id, ref.get("username", ""), data)
        if status == FAILED or status in PROCESSING:
            return None  # not public; a retry resumes or replaces this publish_id
        raise self._unexpected(status)

    def _checked(self, post: PostPayload) -> str:
        """The image's URL, or a refusal before any request."""
        url, limit = post.image_url or "", self.limits.max_length
        parts = urlsplit(url)
        path = parts.path.lower()
        for failed, message in (
            (not url, "TikTok wajib memakai gambar dengan URL publik (image_url); unggahan "
                      "teks saja tidak didukung"),
            (parts.scheme not in ("http", "https") or not parts.hostname,
             "TikTok butuh alamat gambar http(s) yang dapat diunduh publik"),
            (path.endswith(".png"), "TikTok menolak gambar PNG; ubah gambar ke JPEG atau WebP"),
            (not path.endswith(IMAGE_EXTENSIONS),
             "TikTok hanya menerima gambar JPEG atau WebP (.jpg, .jpeg, .webp)"),
            (len(post.text) > limit, f"Teks unggahan TikTok terlalu panjang: {len(post.text)} "
                                     f"karakter (maksimal {limit})"),
        ):
            if failed:
                raise make_error(self, PermanentPublishError, message)
        return url

    def _privacy(self, creator: Mapping[str, Any]) -> str:
        options = [str(o) for o in creator.get("privacy_level_options") or []]
        if PUBLIC in options:
            return PUBLIC
        raise make_error(self, ReauthorizationRequired, "Akun TikTok ini tidak mengizinkan "
                         f"unggahan publik (pilihan: {', '.join(options) or '-'}); jadikan akun "
                         "publik atau selesaikan audit aplikasi TikTok, lalu lanjutkan akun")

    def _init_body(self, post: PostPayload, image_url: str, privacy: str,
                   creator: Mapping[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "description": post.text, "privacy_level": privacy,
            # The creator's own setting wins (TikTok's UX guidelines): off unless they chose.
            "disable_comment": bool(creator.get("comment_disabled")),
            "auto_add_music": False, "brand_content_toggle": False,
            "brand_organic_toggle": False}
        title = make_title(post.text, self.title_length)
        if title:
            info["title"] = title
        return {"media_type": "PHOTO", "post_mode": "DIRECT_POST", "post_info": info,
                "source_info": {"source": "PULL_FROM_URL", "photo_images": [image_url],
                                "photo_cover_index": 0}}

    def _init(self, body: Mapping[str, Any]) -> str:
        data = self._call("content/init/", body, publishing=True)
        publish_id = data.get("publish_id")
        if not publish_id:
            raise make_error(self, AmbiguousPublishError, "TikTok menjawab permintaan unggah "
                             "tanpa publish_id; unggahan mungkin sudah terbit, cek dulu")
        return str(publish_id)

    def _wait(self, publish_id: str, username: str) -> Receipt:
        clock = self.context.clock
        deadline = clock.now() + timedelta(seconds=self.poll_budget)
        for attempt in range(self.poll_attempts):
            data = self._ask("status/fetch/", {"publish_id": publish_id})
            status = str(data.get("status") or "UNKNOWN")
            if status == COMPLETE:
                return self._receipt(publish_id, username, data)
            if status == FAILED:
                raise self._failed(str(data.get("fail_reason") or "-"))
            if status not in PROCESSING:
                raise self._unexpected(status)
            if attempt + 1 >= self.poll_attempts or clock.now() >= deadline:
                break
            self.sleep(self.poll_interval)
        raise make_error(self, TransientPublishError,
                         "TikTok masih memproses unggahan; dicek lagi nanti tanpa mengirim ulang",
                         retry_after=self.not_ready_retry_after)

    def _saved_status(self, publish_id: str) -> tuple[str, dict[str, Any]]:
        """The status of a publish an earlier attempt saved. Transient and reauthorization
        errors pass; a refused lookup (unknown publish_id) leaves it to an operator."""
        try:
            data = self._ask("status/fetch/", {"publish_id": publish_id})
        except PermanentPublishError as exc:  # transient and reauthorization pass
            raise make_error(self, AmbiguousPublishError,
                             f"TikTok: status unggahan tidak dapat dicek ({exc}); perlu "
                             "keputusan operator", platform_message=exc.platform_message,
                             status=exc.status, code=exc.code) from None
        return str(data.get("status") or "UNKNOWN"), data

    def _ask(self, path: str, payload: Mapping[str, Any] | None) -> dict[str, Any]:
        """A request that publishes nothing: a lost answer only means asking again."""
        try:
            return self._call(path, payload, publishing=False)
        except AmbiguousPublishError as exc:
            raise make_error(self, TransientPublishError,
                             f"{exc} (permintaan ini tidak menerbitkan apa pun; dicoba lagi)",
                             status=exc.status, code=exc.code) from None

    def _call(self, path: str, payload: Mapping[str, Any] | None, *,
              publishing: bool) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.credential('access_token')}",
                   "Content-Type": "application/json; charset=UTF-8"}
        response = send(self, "POST", f"{self.base_url}/v2/post/publish/{path}",
                        json=payload, headers=headers)
        body = json_object(response)
        error, data = body.get("error"), body.get("data")
        error = error if isinstance(error, dict) else {}
        if response.ok and error.get("code") == "ok":
            return data if isinstance(data, dict) else {}
        raise self._failure(response, error, publishing=publishing)

    def _failure(self, response: "requests.Response", error: Mapping[str, Any], *,
                 publishing: bool) -> PublishError:
        status, code = response.status_code, str(error.get("code") or "")
        platform = (f"{code}: {error.get('message') or ''} (log_id {error.get('log_id') or '-'})"
                    if code else body_excerpt(response))
        kind: type[PublishError]
        wait = None
        if code == "rate_limit_exceeded" or status == 429:
            kind, wait = TransientPublishError, RATE_LIMIT_WAIT
            message = "TikTok membatasi laju permintaan (unggah: 6 per menit per token)"
        elif code in REAUTH or status == 401:
            kind, message = ReauthorizationRequired, REAUTH.get(code, _RENEW)
        elif status >= 500 or code == "internal_error" or (response.ok and not code):
            kind, message = TransientPublishError, f"Server TikTok bermasalah (HTTP {status})"
            if publishing:  # it may have acted on the request: no idempotency key to retry by
                kind = AmbiguousPublishError
                message += " saat menerima unggahan; unggahan mungkin sudah terbit, cek dulu"
        else:
            kind = PermanentPublishError
            message = f"TikTok menolak unggahan: {HINTS.get(code, code or f'HTTP {status}')}"
            if code.startswith("spam_risk") and code not in HINTS:
                message += " (TikTok menilai akun berisiko spam)"
        return make_error(self, kind, message, platform_message=platform, status=status,
                          code=code or None, retry_after=wait)

    def _failed(self, reason: str) -> PublishError:
        if reason == "internal":  # TikTok: retryable; a FAILED publish is replaced by a new one
            return make_error(self, TransientPublishError,
                              "TikTok gagal memproses unggahan karena gangguan internal; "
                              "dicoba lagi nanti", code=reason)
        return make_error(self, PermanentPublishError,
                          f"TikTok gagal menerbitkan: {HINTS.get(reason, reason)}", code=reason)

    def _unexpected(self, status: str) -> AmbiguousPublishError:
        return make_error(self, AmbiguousPublishError, f"TikTok: status unggahan tak terduga "
                          f"({status}); perlu keputusan operator")

    def _receipt(self, publish_id: str, username: str, data: Mapping[str, Any]) -> Receipt:
        ids = data.get("publicaly_available_post_id") or []  # TikTok's spelling
        if not ids:  # public, but the id only comes after moderation
            return Receipt(publish_id)
        post_id = quote(str(ids[0]))
        return Receipt(post_id, f"https://www.tiktok.com/@{quote(username)}/video/{post_id}"
                       if username else None)
