"""Instagram and Threads: container created and checkpointed before publishing, status
polling, and reconciliation through the container's status after a crash or lost answer."""

from collections.abc import Mapping

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishError,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.containers import MetaContainerAdapter
from scheduler.adapters.meta import QUOTA_RETRY_AFTER
from tests.fakes.base import unused_port
from tests.fakes.meta import FakeContainerPlatform

from .cases import IMAGE_URL, AdapterCase, make_post

pytestmark = pytest.mark.parametrize("case", ["instagram", "threads"], indirect=True)


class Crash(BaseException):
    """The worker dying right after the checkpoint was saved."""


def fake(case: AdapterCase) -> FakeContainerPlatform:
    assert isinstance(case.fake, FakeContainerPlatform)
    return case.fake


def adapter(case: AdapterCase, **kwargs: object) -> MetaContainerAdapter:
    made = case.adapter(**kwargs)  # type: ignore[arg-type]
    assert isinstance(made, MetaContainerAdapter)
    return made


def publish_calls(case: AdapterCase) -> int:
    return len(fake(case).calls(f"/{fake(case).publish_edge}"))


def test_container_is_checkpointed_before_the_publish_request(case: AdapterCase) -> None:
    seen: list[tuple[dict[str, str], int]] = []
    made = adapter(case)
    made.context.checkpoint = lambda ref: seen.append((dict(ref), publish_calls(case)))

    receipt = made.publish(case.post)

    [(ref, publishes_before)] = seen
    assert publishes_before == 0
    assert fake(case).containers[ref["container_id"]].status == "PUBLISHED"
    assert receipt.platform_id == fake(case).published[0]["id"]
    assert receipt.url == fake(case).published[0]["permalink"]


def test_waits_for_the_container_to_finish_before_publishing(case: AdapterCase) -> None:
    fake(case).polls_before_finished = 2
    adapter(case).publish(case.post)

    assert len(case.sleeps) == 2
    assert publish_calls(case) == 1


def test_container_that_never_finishes_is_transient_and_not_published(case: AdapterCase) -> None:
    fake(case).polls_before_finished = 100
    with pytest.raises(TransientPublishError) as caught:
        adapter(case).publish(case.post)
    assert caught.value.retry_after
    assert publish_calls(case) == 0


def test_container_processing_error_is_permanent(case: AdapterCase) -> None:
    fake(case).polls_before_finished = 100
    made = adapter(case)
    made.sleep = lambda _: fake(case).set_status(case.checkpoints[-1]["container_id"], "ERROR")
    with pytest.raises(PermanentPublishError, match="gagal memproses media"):
        made.publish(case.post)
    assert publish_calls(case) == 0


def crash_after_checkpoint(case: AdapterCase) -> MetaContainerAdapter:
    """An adapter whose worker dies right after saving the container id."""
    made = adapter(case)

    def crash(ref: Mapping[str, str]) -> None:
        case.checkpoints.append(dict(ref))
        raise Crash

    made.context.checkpoint = crash
    return made


def test_crash_after_container_reconciles_to_not_published_then_posts_once(
        case: AdapterCase) -> None:
    with pytest.raises(Crash):
        crash_after_checkpoint(case).publish(case.post)
    assert publish_calls(case) == 0

    assert adapter(case).reconcile(case.post, case.checkpoints[-1]) is None  # safe to retry
    adapter(case).publish(case.post)
    assert publish_calls(case) == 1
    assert len(fake(case).published) == 1


def test_lost_publish_answer_is_ambiguous_and_reconciles_to_the_live_post(
        case: AdapterCase) -> None:
    fake(case).fail_next("disconnect", path=fake(case).publish_edge, process=True)
    with pytest.raises(AmbiguousPublishError):
        adapter(case).publish(case.post)

    found = adapter(case).reconcile(case.post, case.checkpoints[-1])

    [live] = fake(case).published
    assert found == Receipt(live["id"], live["permalink"])
    assert publish_calls(case) == 1


def test_server_error_on_publish_is_ambiguous_not_transient(case: AdapterCase) -> None:
    """A 5xx answer to the publishing call does not prove nothing was published."""
    fake(case).fail_next("server_error", path=fake(case).publish_edge)
    with pytest.raises(AmbiguousPublishError):
        adapter(case).publish(case.post)


@pytest.mark.parametrize("failure", ["disconnect", "server_error"])
def test_failure_while_creating_the_container_is_only_transient(case: AdapterCase,
                                                                failure: str) -> None:
    fake(case).fail_next(failure, path=f"/{fake(case).create_edge}", process=True)
    with pytest.raises(TransientPublishError):
        adapter(case).publish(case.post)
    assert publish_calls(case) == 0


def test_daily_publishing_cap_waits_long(case: AdapterCase) -> None:
    fake(case).fail_next("quota", path=fake(case).publish_edge)
    with pytest.raises(TransientPublishError) as caught:
        adapter(case).publish(case.post)
    assert (caught.value.retry_after or 0) >= QUOTA_RETRY_AFTER


def test_missing_permalink_does_not_fail_a_published_post(case: AdapterCase) -> None:
    fake(case).fail_next("server_error", path="/18000000")  # media ids, not containers
    receipt = adapter(case).publish(case.post)
    assert receipt.platform_id == fake(case).published[0]["id"]
    assert receipt.url is None


@pytest.mark.parametrize("status", ["FINISHED", "IN_PROGRESS", "EXPIRED", "ERROR"])
def test_reconcile_unpublished_container_is_safe_to_retry(case: AdapterCase,
                                                          status: str) -> None:
    with pytest.raises(Crash):
        crash_after_checkpoint(case).publish(case.post)
    fake(case).set_status(case.checkpoints[-1]["container_id"], status)

    assert adapter(case).reconcile(case.post, case.checkpoints[-1]) is None


def test_reconcile_without_a_saved_container_is_surely_unpublished(case: AdapterCase) -> None:
    """The container is saved before the publishing call leaves; without one, that call
    never left, even if a container was created (its id lost with the answer)."""
    fake(case).fail_next("disconnect", process=True)  # the container is made, the id lost
    with pytest.raises(PublishError):
        adapter(case).publish(case.post)
    assert not case.checkpoints
    assert adapter(case).reconcile(case.post, {}) is None
    assert not fake(case).published


@pytest.mark.parametrize("failure", ["server_error", "unknown_error", "disconnect", "hang",
                                     "rate_limit"])
def test_reconcile_when_meta_cannot_answer_now_is_transient(case: AdapterCase,
                                                           failure: str) -> None:
    """Check again later: these say nothing about the post, and later Meta may answer."""
    adapter(case).publish(case.post)
    fake(case).fail_next(failure)
    with pytest.raises(TransientPublishError) as caught:
        adapter(case, timeout=0.2).reconcile(case.post, case.checkpoints[-1])
    assert "belum dapat dicek" in str(caught.value)
    if failure == "rate_limit":
        assert caught.value.retry_after == case.retry_after(5)


def test_reconcile_against_an_unreachable_meta_is_transient(case: AdapterCase) -> None:
    made = adapter(case, base_url=f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(TransientPublishError):
        made.reconcile(case.post, {"container_id": "17890000000000001"})


@pytest.mark.parametrize("failure", ["invalid", "expired_token", "permission"])
def test_reconcile_when_meta_refuses_the_lookup_is_for_the_operator(case: AdapterCase,
                                                                   failure: str) -> None:
    made = adapter(case)
    made.publish(case.post)
    fake(case).fail_next(failure)
    with pytest.raises(AmbiguousPublishError):
        made.reconcile(case.post, case.checkpoints[-1])


def test_reconcile_of_an_unknown_container_is_for_the_operator(case: AdapterCase) -> None:
    with pytest.raises(AmbiguousPublishError):
        adapter(case).reconcile(case.post, {"container_id": "17899999999999999"})


def test_reconcile_of_an_unexpected_status_is_for_the_operator(case: AdapterCase) -> None:
    with pytest.raises(Crash):
        crash_after_checkpoint(case).publish(case.post)
    fake(case).set_status(case.checkpoints[-1]["container_id"], "SOMETHING_NEW")
    with pytest.raises(AmbiguousPublishError, match="SOMETHING_NEW"):
        adapter(case).reconcile(case.post, case.checkpoints[-1])


def test_reconcile_published_but_unlisted_returns_the_container_receipt(
        case: AdapterCase) -> None:
    made = adapter(case)
    made.publish(case.post)
    fake(case).clear_published()  # the post is live but not among the listed ones

    found = made.reconcile(case.post, case.checkpoints[-1])

    assert found == Receipt(f"container:{case.checkpoints[-1]['container_id']}")


def test_publishing_quota_reports_usage(case: AdapterCase) -> None:
    made = adapter(case)
    made.publish(case.post)
    assert made.publishing_quota() == (1, fake(case).quota_total)
    assert made.limits.daily_quota == fake(case).quota_total


def test_image_post_sends_the_public_image_url(case: AdapterCase) -> None:
    adapter(case).publish(make_post(image_url=IMAGE_URL))
    [call] = fake(case).container_requests()
    assert call.form["image_url"] == IMAGE_URL
    assert call.form[fake(case).text_field] == case.post.text
