"""scheduler.publishing.queue: the dispatcher's due posts, one line per account."""

from scheduler.publishing.queue import DueQueue


def taken(queue: DueQueue) -> list[int]:
    """Post ids taken until nothing more can go (accounts stay busy)."""
    ids = []
    while (item := queue.take()) is not None:
        ids.append(item.post_id)
    return ids


def test_the_earliest_post_of_an_account_with_nothing_in_flight_goes_next() -> None:
    queue = DueQueue()
    for post_id, account_id in [(1, 10), (2, 10), (3, 20), (4, 30), (5, 20), (6, 40)]:
        queue.add(post_id, account_id)
    queue.add(3, 20)  # already queued: not twice
    assert len(queue) == 6
    assert taken(queue) == [1, 3, 4, 6]  # one per account, in due order
    assert queue.busy == 4 and 2 in queue and 1 not in queue
    queue.done(20)
    queue.done(10)
    assert taken(queue) == [2, 5]  # each account's next, still in due order
    assert len(queue) == 0


def test_a_post_put_back_goes_first_again() -> None:
    queue = DueQueue()
    queue.add(1, 10)
    queue.add(2, 20)
    first = queue.take()
    assert first is not None and first.post_id == 1
    queue.put_back(first)
    assert queue.busy == 0
    assert taken(queue) == [1, 2]
