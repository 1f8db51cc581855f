"""Fake Instagram content publishing: /{ig-user}/media, media_publish (platform-apis.md §2)."""

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import FakeContainerPlatform, graph_error


class FakeInstagram(FakeContainerPlatform):
    """FakeInstagram(tokens={"tok"}, user_id="17841400000000001") or, for many accounts,
    FakeInstagram(accept_any_token=True, accept_any_account=True, latency=0.05).

    Constructor arguments: FakeContainerPlatform's (user_id / user_ids,
    polls_before_finished) and FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account).
    """

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
