"""Threads (graph.threads.net): a text post, or one image with text, via a container.

An image container carries the image's description as `alt_text` (Threads API,
"Accessibility": for images and videos only, not for text posts).
"""

from scheduler.adapters.base import PermanentPublishError, PlatformLimits, PostPayload
from scheduler.adapters.containers import MetaContainerAdapter
from scheduler.adapters.http import make_error
from scheduler.adapters.threads_auth import ThreadsAuth


class ThreadsAdapter(MetaContainerAdapter):
    name = "threads"
    label = "Threads"
    limits = PlatformLimits(500, "karakter (emoji dihitung per bita UTF-8)",
                            counter="utf8_emoji", daily_quota=250, order=30)
    default_base_url = "https://graph.threads.net"
    api_version = "v1.0"
    credential_fields = ("threads_user_id", "access_token")
    user_field = "threads_user_id"
    create_edge = "threads"
    publish_edge = "threads_publish"
    quota_edge = "threads_publishing_limit"
    status_field = "status"
    text_field = "text"
    auth = ThreadsAuth

    def container_params(self, post: PostPayload) -> dict[str, str]:
        if post.image_url:
            params = {"media_type": "IMAGE", "image_url": post.image_url, "text": post.text}
            if post.image_alt:
                params["alt_text"] = post.image_alt
            return params
        if post.image_path is not None:
            # Posting the text alone would silently drop the image the reviewers approved.
            raise make_error(self, PermanentPublishError,
                             "Threads butuh URL publik gambar (image_url); berkas lokal saja "
                             "tidak bisa diunggah")
        return {"media_type": "TEXT", "text": post.text}
