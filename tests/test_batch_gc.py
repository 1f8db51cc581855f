"""Planning's collector setting (scheduler.batch_gc) is undone when the last batch ends,
also when batches nest or overlap in threads or one fails."""

import gc
import threading

import pytest

from scheduler.batch_gc import BATCH_THRESHOLDS, batch_collection


def test_a_batch_tunes_the_collector_and_restores_it() -> None:
    before = gc.get_threshold()
    with batch_collection():
        assert gc.get_threshold() == BATCH_THRESHOLDS
        assert gc.get_freeze_count() > 0  # the heap that was there is left out
        with batch_collection():  # nested: still tuned
            assert gc.get_threshold() == BATCH_THRESHOLDS
        assert gc.get_threshold() == BATCH_THRESHOLDS
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failing_batch_restores_it_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), batch_collection():
        raise RuntimeError("rencana gagal")
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)


def test_overlapping_batches_in_threads_restore_when_the_last_ends() -> None:
    before = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with batch_collection():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with batch_collection():
        pass
    assert gc.get_threshold() == BATCH_THRESHOLDS  # the other batch is still running
    release.set()
    thread.join(10)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)


def test_garbage_cycles_made_in_a_batch_are_still_collected() -> None:
    class Node:
        pass

    with batch_collection():
        for _ in range(10):
            a, b = Node(), Node()
            a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b
        found = gc.collect()
    assert found >= 20
