"""Instagram and Threads: a retry that carries the saved container (`post.ref`) resumes
with it, so a lost or failed publishing answer never turns into a second post."""

from dataclasses import replace

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PostPayload,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.containers import MetaContainerAdapter
from tests.fakes.meta import FakeContainerPlatform

from .cases import AdapterCase

pytestmark = pytest.mark.parametrize("case", ["instagram", "threads"], indirect=True)


def fake(case: AdapterCase) -> FakeContainerPlatform:
    assert isinstance(case.fake, FakeContainerPlatform)
    return case.fake


def adapter(case: AdapterCase) -> MetaContainerAdapter:
    made = case.adapter()
    assert isinstance(made, MetaContainerAdapter)
    return made


def publish_calls(case: AdapterCase) -> int:
    return len(fake(case).calls(f"/{fake(case).publish_edge}"))


def retry_of(case: AdapterCase) -> PostPayload:
    """The next attempt, as the publishing service builds it: with the saved reference."""
    return replace(case.post, attempt=2, ref=dict(case.checkpoints[-1]))


def first_attempt_fails(case: AdapterCase, failure: str, *, process: bool) -> str:
    """Run an attempt whose publishing request fails; return the saved container id."""
    fake(case).fail_next(failure, path=fake(case).publish_edge, process=process)
    with pytest.raises(AmbiguousPublishError):
        adapter(case).publish(case.post)
    [ref] = case.checkpoints
    return ref["container_id"]


@pytest.mark.parametrize("failure", ["disconnect", "server_error", "unknown_error"])
def test_retry_after_an_unanswered_publish_reuses_the_container(case: AdapterCase,
                                                                failure: str) -> None:
    container_id = first_attempt_fails(case, failure, process=False)

    receipt = adapter(case).publish(retry_of(case))

    [live] = fake(case).published
    assert live["container_id"] == container_id
    assert receipt == Receipt(live["id"], live["permalink"])
    assert len(fake(case).container_requests()) == 1
    assert len(case.checkpoints) == 1  # nothing new to save


@pytest.mark.parametrize("failure", ["disconnect", "server_error"])
def test_retry_after_a_publish_that_went_through_publishes_nothing(case: AdapterCase,
                                                                   failure: str) -> None:
    first_attempt_fails(case, failure, process=True)

    receipt = adapter(case).publish(retry_of(case))

    [live] = fake(case).published
    assert receipt == Receipt(live["id"], live["permalink"])
    assert publish_calls(case) == 1  # only the first attempt's
    assert len(fake(case).container_requests()) == 1


def test_reconcile_then_retry_publishes_exactly_once(case: AdapterCase) -> None:
    """The publishing service's path: ambiguous → reconcile says not live → retry."""
    first_attempt_fails(case, "disconnect", process=False)

    assert adapter(case).reconcile(case.post, case.checkpoints[-1]) is None
    adapter(case).publish(retry_of(case))
    adapter(case).publish(retry_of(case))  # even a second, redundant retry

    assert len(fake(case).published) == 1
    assert len(fake(case).container_requests()) == 1


def test_retry_with_a_container_in_progress_polls_it_then_publishes_it(
        case: AdapterCase) -> None:
    fake(case).polls_before_finished = 100
    with pytest.raises(TransientPublishError):
        adapter(case).publish(case.post)  # gave up waiting for Meta
    container_id = case.checkpoints[-1]["container_id"]
    fake(case).containers[container_id].polls_left = 2
    case.sleeps.clear()

    adapter(case).publish(retry_of(case))

    assert case.sleeps  # polled as usual
    [live] = fake(case).published
    assert live["container_id"] == container_id
    assert len(fake(case).container_requests()) == 1


@pytest.mark.parametrize("status", ["EXPIRED", "ERROR"])
def test_retry_with_a_dead_container_makes_and_saves_a_new_one(case: AdapterCase,
                                                               status: str) -> None:
    old_id = first_attempt_fails(case, "disconnect", process=False)
    fake(case).set_status(old_id, status)

    adapter(case).publish(retry_of(case))

    assert len(fake(case).container_requests()) == 2
    new_id = case.checkpoints[-1]["container_id"]
    assert new_id != old_id
    [live] = fake(case).published
    assert live["container_id"] == new_id


def test_retry_with_an_unexpected_status_publishes_nothing(case: AdapterCase) -> None:
    old_id = first_attempt_fails(case, "disconnect", process=False)
    fake(case).set_status(old_id, "SOMETHING_NEW")

    with pytest.raises(AmbiguousPublishError, match="SOMETHING_NEW"):
        adapter(case).publish(retry_of(case))
    assert not fake(case).published
    assert len(fake(case).container_requests()) == 1


@pytest.mark.parametrize("failure", ["server_error", "disconnect", "rate_limit"])
def test_retry_that_cannot_read_the_saved_container_waits(case: AdapterCase,
                                                          failure: str) -> None:
    first_attempt_fails(case, "disconnect", process=False)
    fake(case).fail_next(failure)

    with pytest.raises(TransientPublishError):
        adapter(case).publish(retry_of(case))
    assert not fake(case).published
    assert len(fake(case).container_requests()) == 1  # no new container in its place


def test_retry_with_a_rejected_token_asks_for_reauthorization(case: AdapterCase) -> None:
    first_attempt_fails(case, "disconnect", process=False)
    fake(case).fail_next("expired_token")

    with pytest.raises(ReauthorizationRequired):
        adapter(case).publish(retry_of(case))
    assert not fake(case).published


def test_a_ref_without_a_container_starts_afresh(case: AdapterCase) -> None:
    adapter(case).publish(replace(case.post, ref={"something_else": "1"}))
    assert len(fake(case).published) == 1
    assert len(case.checkpoints) == 1
