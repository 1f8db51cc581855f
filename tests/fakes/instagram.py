"""Fake Instagram content publishing: /{ig-user}/media, media_publish (platform-apis.md §2)."""

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import FakeContainerPlatform, graph_error


class FakeInstagram(FakeContainerPlatform):
    create_edge = "media"
    publish_edge = "media_publish"
    quota_edge = "content_publishing_limit"
    status_field = "status_code"
    text_field = "caption"
    quota_total = 50
    usage_type = "instagram"

    def permalink(self, media_id: str) -> str:
        return f"https://www.instagram.com/p/C{media_id[-6:]}/"

    def validate(self, request: RecordedRequest) -> Reply | None:
        if not request.param("image_url"):
            return graph_error(400, "(#100) The parameter image_url is required", 100)
        return None
