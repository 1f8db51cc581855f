"""Instagram (Graph API content publishing): one image with a caption, via a container.

The image container carries the image's description as `alt_text` (image posts only).
"""

from scheduler.adapters.base import PermanentPublishError, PlatformLimits, PostPayload
from scheduler.adapters.containers import MetaContainerAdapter
from scheduler.adapters.http import make_error
from scheduler.adapters.meta_auth import MetaAuth


class InstagramAdapter(MetaContainerAdapter):
    name = "instagram"
    label = "Instagram"
    limits = PlatformLimits(
        2_200, "karakter", image_required=True, links_clickable=False, order=20,
        # 5 hashtags: Instagram's cap since Dec 2025 (setting SIAR_INSTAGRAM_MAX_HASHTAGS).
        # 50 API posts a day is Meta's current figure; older docs say 25.
        max_hashtags=5, hashtag_setting="SIAR_INSTAGRAM_MAX_HASHTAGS", daily_quota=50)
    default_base_url = "https://graph.facebook.com"
    credential_fields = ("ig_user_id", "access_token")
    auth = MetaAuth
    user_field = "ig_user_id"
    create_edge = "media"
    publish_edge = "media_publish"
    quota_edge = "content_publishing_limit"
    status_field = "status_code"
    text_field = "caption"

    def container_params(self, post: PostPayload) -> dict[str, str]:
        if not post.image_url:
            # Meta fetches the image itself, so a local file is not enough.
            raise make_error(self, PermanentPublishError,
                             "Instagram wajib memakai gambar dengan URL publik (image_url); "
                             "unggahan teks saja tidak didukung")
        params = {"image_url": post.image_url, "caption": post.text}
        if post.image_alt:
            params["alt_text"] = post.image_alt
        return params
