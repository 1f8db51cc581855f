"""Facebook Pages: a text post on the Page feed, or one photo with a caption."""

from typing import Any

from scheduler.adapters.base import (
    PLATFORM_LIMITS,
    AmbiguousPublishError,
    PostPayload,
    Receipt,
)
from scheduler.adapters.http import make_error, read_image
from scheduler.adapters.meta import GraphAdapter


class FacebookAdapter(GraphAdapter):
    name = "facebook"
    label = "Facebook"
    limits = PLATFORM_LIMITS["facebook"]
    default_base_url = "https://graph.facebook.com"
    credential_fields = ("page_id", "access_token")

    def publish(self, post: PostPayload) -> Receipt:
        page = self.credential("page_id")
        if post.image_path is None:
            # A 5xx here stays transient: Facebook refuses an identical consecutive post
            # (506 → AmbiguousPublishError), so a prompt resend cannot double-post.
            body = self.graph("POST", f"{page}/feed",
                              {"message": post.text, "fields": "id,permalink_url"})
        else:
            body = self._post_photo(page, post)
        # /photos answers the photo id plus the Page post id; the post is what people see.
        post_id = body.get("post_id") or body.get("id")
        if not post_id:
            raise make_error(self, AmbiguousPublishError,
                             "Facebook menerima unggahan tanpa memberi id; cek Page sebelum "
                             "mengulang")
        url = body.get("permalink_url") or f"https://www.facebook.com/{post_id}"
        return Receipt(str(post_id), str(url))

    def _post_photo(self, page: str, post: PostPayload) -> dict[str, Any]:
        assert post.image_path is not None
        # No duplicate guard is documented for photo uploads, so a 5xx is ambiguous.
        return self.graph_publish(f"{page}/photos", {"caption": post.text},
                                  files={"source": read_image(self, post.image_path)})
