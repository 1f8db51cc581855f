"""Planning's candidates in batches: the natural keys of the posts a run may create, a
batch at a time, so that the database is asked once per batch which of them exist and
only the new ones are rendered.

Candidates come in groups (scheduler.planning_rows.Candidates: one rule's accounts of
one lane in one slot, or one activity's accounts): a group's keys are built at once and
nothing else is made for a key until its post is found missing, so re-planning a range
that is planned costs little more than building its keys and reading them back.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple


class Candidates(NamedTuple):
    """Posts a run may create that share a stage: their natural keys first (cheap), and
    the row of the key at index i on demand (row(i): the render and the checks)."""

    keys: list[str]
    stage_key: str | None
    platforms: list[str]  # of each key
    row: Callable[[int], dict[str, Any]]


class Batch:
    """Up to a batch size of keys, as slices of consecutive groups (in their order)."""

    def __init__(self) -> None:
        self.parts: list[tuple[Candidates, int, int]] = []
        self.keys: list[str] = []

    def add(self, group: Candidates, start: int, stop: int) -> None:
        self.parts.append((group, start, stop))
        self.keys += group.keys[start:stop]

    def counts(self) -> Counter[tuple[str | None, str]]:
        """How many candidates by stage and platform."""
        found: Counter[tuple[str | None, str]] = Counter()
        for group, start, stop in self.parts:
            for platform, n in Counter(group.platforms[start:stop]).items():
                found[(group.stage_key, platform)] += n
        return found

    def rows(self, existing: set[str]) -> list[dict[str, Any]]:
        """The rows of the keys not in `existing`, rendered now (in the batch's order)."""
        return [group.row(i) for group, start, stop in self.parts
                for i in range(start, stop) if group.keys[i] not in existing]


def batches(groups: Iterable[Candidates], size: int) -> Iterator[Batch]:
    """The groups' keys in batches of `size` (the last one smaller); a group larger
    than what a batch has room for is split across batches."""
    batch = Batch()
    for group in groups:
        start, end = 0, len(group.keys)
        while start < end:
            stop = min(end, start + size - len(batch.keys))
            batch.add(group, start, stop)
            start = stop
            if len(batch.keys) >= size:
                yield batch
                batch = Batch()
    if batch.keys:
        yield batch
