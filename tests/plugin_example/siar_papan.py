"""An out-of-tree Siar platform, written as a third party would ship it: this one module,
declared by one entry point (group "siar.adapters": papan = siar_papan:PapanAdapter),
and nothing edited in Siar. tests/test_plugin_platform.py installs it and plans, checks
and publishes through it.

Papan is a made-up notice-board service: POST {base}/v1/notes with a bearer token and
{"text", "handle"}; it answers {"id": ...}."""

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
    PlatformLimits,
    PostPayload,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import json_object, make_error, send


class PapanAdapter(Adapter):
    name = "papan"
    label = "Papan"
    # Counted in UTF-16 units (an emoji is 2); at most 3 posts a day per account.
    limits = PlatformLimits(300, "unit UTF-16", counter="utf16", daily_quota=3,
                            max_hashtags=4, hashtag_setting="SIAR_PAPAN_MAX_HASHTAGS",
                            order=70)
    default_base_url = "https://papan.example"
    credential_fields = ("token",)

    def publish(self, post: PostPayload) -> Receipt:
        response = send(self, "POST", f"{self.base_url}/v1/notes",
                        headers={"Authorization": f"Bearer {self.credential('token')}"},
                        json={"text": post.text, "handle": post.handle})
        status = response.status_code
        if status == 401:
            raise make_error(self, ReauthorizationRequired, "token Papan ditolak", status=status)
        if status == 429:
            raise make_error(self, TransientPublishError, "Papan sedang membatasi", status=status,
                             retry_after=60.0)
        if status >= 500:  # Papan has no lookup: a post may have gone up
            raise make_error(self, AmbiguousPublishError, f"Papan menjawab HTTP {status}",
                             status=status)
        note_id = json_object(response).get("id")
        if status != 200 or not note_id:
            raise make_error(self, PermanentPublishError, f"Papan menolak (HTTP {status})",
                             platform_message=response.text, status=status)
        return Receipt(str(note_id))
