"""Group commit: items submitted from many threads are committed together by one thread.

`submit` blocks until the transaction holding the item has committed (or failed), so a
caller goes on exactly as if it had written alone; every item waiting while one batch
commits joins the next batch. Claims (scheduler.publishing.groupclaim) and outcomes
(scheduler.publishing.recording) are written so."""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BatcherClosed(Exception):
    """The batcher was closed before the item was submitted: nothing was written."""


class Batcher(Generic[T, R]):
    """`commit(items)` returns one result per item, in order; a result that is an
    exception is raised to that item's caller alone. An exception `commit` raises goes to
    every caller of the batch."""

    def __init__(self, commit: Callable[[Sequence[T]], Sequence[R | BaseException]],
                 name: str) -> None:
        self._commit = commit
        self._name = name
        self._waiting: list[tuple[T, Future[R]]] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, item: T) -> R:
        """The item's result once committed; BatcherClosed once the batcher is closed."""
        result: Future[R] = Future()
        with self._ready:
            if self._closed:
                raise BatcherClosed(self._name)
            self._waiting.append((item, result))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name,
                                                daemon=True)
                self._thread.start()
            self._ready.notify()
        return result.result()

    def close(self) -> None:
        """Commit the items already submitted, then stop."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._waiting and not self._closed:
                    self._ready.wait()
                if not self._waiting:
                    return
                batch, self._waiting = self._waiting, []
            self._settle(batch)

    def _settle(self, batch: list[tuple[T, Future[R]]]) -> None:
        try:
            results = self._commit([item for item, _ in batch])
        except BaseException as exc:  # nothing of the batch was written
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


class GroupWriter(Generic[T]):
    """Items written from any thread, together by one thread (a Batcher); each caller
    returns once its own item is written. A batch that fails is written again item by
    item, so a fault reaches its own caller only; once closed, an item is written alone.
    Subclasses say how a batch and a single item are written."""

    def __init__(self, name: str) -> None:
        self._batcher: Batcher[T, None] = Batcher(self._commit, name)

    def write(self, item: T) -> None:
        try:
            self._batcher.submit(item)
        except BatcherClosed:
            self.write_alone(item)

    def close(self) -> None:
        """Write the items already submitted, then stop."""
        self._batcher.close()

    def write_together(self, batch: Sequence[T]) -> None:
        raise NotImplementedError

    def write_alone(self, item: T) -> None:
        raise NotImplementedError

    def settled(self, batch: Sequence[T], exc: Exception) -> bool:
        """Whether the batch's failure is dealt with as it is (no item written alone)."""
        return False

    def _commit(self, batch: Sequence[T]) -> list[BaseException | None]:
        try:
            self.write_together(batch)
            return [None] * len(batch)
        except Exception as exc:
            if self.settled(batch, exc):
                return [None] * len(batch)
            if len(batch) == 1:
                return [exc]
        results: list[BaseException | None] = []
        for item in batch:
            try:
                self.write_alone(item)
                results.append(None)
            except Exception as exc:  # its caller reports it
                results.append(exc)
        return results
