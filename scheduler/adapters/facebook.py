"""Facebook Pages: a text post on the Page feed, or one photo with a caption.

Facebook's only guard against double posts (error 506) refuses an identical post
*consecutive* on the Page: with another post in between, a resend goes through. So a
5xx to the publishing request is settled by looking the post up among the Page's own
posts (`/{page-id}/posts`), and an uncertain post is reconciled the same way.

A photo carries its description for screen readers as `alt_text_custom` (the Graph API's
Photo node: "user provided accessible alternative description for an image"); without
one Facebook makes up its own (`alt_text`).
"""

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PlatformLimits,
    PostPayload,
    PublishError,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import make_error, read_image
from scheduler.adapters.lookup import (
    Listed,
    Match,
    Page,
    find_in_pages,
    inconclusive,
    is_server_error,
    normalize,
    parse_instant,
    read_failure,
    recheck_before_resend,
    reconcile_by_lookup,
    settle_server_error,
    window_start,
)
from scheduler.adapters.meta import GraphAdapter
from scheduler.adapters.meta_auth import MetaAuth

# The Page's own posts, newest first (/feed would add visitors' posts to read through).
LISTING_EDGE = "posts"
LISTING_FIELDS = "id,message,created_time,permalink_url"
LISTING_PAGE_SIZE = "100"  # Graph's maximum for a Page's posts


class FacebookAdapter(GraphAdapter):
    name = "facebook"
    label = "Facebook"
    limits = PlatformLimits(63_206, "karakter", order=10)
    default_base_url = "https://graph.facebook.com"
    credential_fields = ("page_id", "access_token")
    can_reconcile = True
    auth = MetaAuth

    def publish(self, post: PostPayload) -> Receipt:
        found = recheck_before_resend(post, self.find_post)
        if found is not None:
            return found
        try:
            body = self._send(post)
        except TransientPublishError as exc:
            if not is_server_error(exc):
                raise  # throttled or never connected: Facebook did not act on it
            return settle_server_error(self, post, exc, self.find_post)
        # /photos answers the photo id plus the Page post id; the post is what people see.
        post_id = body.get("post_id") or body.get("id")
        if not post_id:
            raise make_error(self, AmbiguousPublishError,
                             "Facebook menerima unggahan tanpa memberi id; cek Page sebelum "
                             "mengulang")
        url = body.get("permalink_url") or f"https://www.facebook.com/{post_id}"
        return Receipt(str(post_id), str(url))

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        return reconcile_by_lookup(self, post, self.find_post)

    def find_post(self, post: PostPayload) -> Receipt | None:
        """The post among the Page's posts since its scheduled time (see lookup.py)."""
        start = window_start(post, self.context.clock)
        return find_in_pages(self, self._pages(post, start), start)

    def _send(self, post: PostPayload) -> dict[str, Any]:
        page = self.credential("page_id")
        if post.image_path is None:
            return self.graph("POST", f"{page}/feed",
                              {"message": post.text, "fields": "id,permalink_url"})
        params = {"caption": post.text}
        if post.image_alt:
            params["alt_text_custom"] = post.image_alt
        return self.graph("POST", f"{page}/photos", params,
                          files={"source": read_image(self, post.image_path)})

    def _pages(self, post: PostPayload, start: datetime) -> Iterator[Page]:
        page_id, wanted = self.credential("page_id"), normalize(post.text)
        params: dict[str, str] | None = {
            "fields": LISTING_FIELDS, "since": str(int(start.timestamp())),
            "limit": LISTING_PAGE_SIZE}
        while params is not None:
            body = self._read(f"{page_id}/{LISTING_EDGE}", params)
            data = body.get("data")
            if not isinstance(data, list):
                raise inconclusive(self, "jawaban daftar unggahan tidak dapat dibaca")
            items = [self._listed(item, wanted) for item in data if isinstance(item, dict)]
            params = self._next_params(body.get("paging"))
            yield Page(items, more=params is not None)

    def _read(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        try:
            return self.graph("GET", path, params)
        except PublishError as exc:
            raise read_failure(self, exc) from None

    def _listed(self, item: Mapping[str, Any], wanted: str) -> Listed:
        # A photo post's caption is the post's message.
        message = item.get("message")
        same = isinstance(message, str) and normalize(message) == wanted
        post_id = str(item.get("id") or "")
        url = item.get("permalink_url") or f"https://www.facebook.com/{post_id}"
        match = Match.NO if not same else Match.YES if post_id else Match.MAYBE
        return Listed(parse_instant(item.get("created_time")), match, Receipt(post_id, str(url)))

    def _next_params(self, paging: object) -> dict[str, str] | None:
        """The query of the next page, taken from `paging.next` (cursor or time based,
        whichever Graph chose) without its token: ours is added by `graph`, and our
        base URL is kept. None: this was the last page."""
        nxt = paging.get("next") if isinstance(paging, Mapping) else None
        if not nxt:
            return None
        query = {k: v for k, v in parse_qsl(urlsplit(str(nxt)).query) if k != "access_token"}
        if not query:
            raise inconclusive(self, "halaman berikutnya dari daftar unggahan tidak terbaca")
        return query
