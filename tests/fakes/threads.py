"""Fake Threads API: /{user}/threads and threads_publish (platform-apis.md §5)."""

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import FakeContainerPlatform, graph_error


class FakeThreads(FakeContainerPlatform):
    """FakeThreads(tokens={"tok"}, user_id="27841400000000002") or, for many accounts,
    FakeThreads(accept_any_token=True, accept_any_account=True, latency=0.05).

    Constructor arguments: FakeContainerPlatform's (user_id / user_ids,
    polls_before_finished) and FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account).
    """

    create_edge = "threads"
    publish_edge = "threads_publish"
    quota_edge = "threads_publishing_limit"
    status_field = "status"
    text_field = "text"
    quota_total = 250
    usage_type = "threads"

    def permalink(self, media_id: str) -> str:
        return f"https://www.threads.net/@kpu_blitar/post/C{media_id[-6:]}"

    def validate(self, request: RecordedRequest) -> Reply | None:
        media_type = request.param("media_type")
        if media_type == "TEXT" and request.param("alt_text") is not None:
            # "This feature isn't available for text-only posts" (Threads, Accessibility).
            return graph_error(400, "(#100) Param alt_text is only supported for image and "
                               "video posts", 100)
        if media_type == "TEXT" and request.param("text"):
            return None
        if media_type == "IMAGE" and request.param("image_url"):
            return None
        return graph_error(400, "(#100) Param media_type must be TEXT with text, or IMAGE "
                           "with image_url", 100)
