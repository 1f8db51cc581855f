"""The dispatcher's queue of due posts: per account, in due order, and which account's
post goes next.

The next post to start is the earliest queued post whose account has nothing in flight.
Kept as one list, finding it meant walking past every queued post of a busy account each
time a post finished (a burst of many posts on few accounts: quadratic). Here each
account has its own line, and the accounts free to send wait in a heap ordered by their
first post's place in the queue: starting a post, or freeing an account, costs a heap
operation.
"""

import heapq
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Queued:
    place: int  # order of arrival in the queue (due order)
    post_id: int
    account_id: int


class DueQueue:
    def __init__(self) -> None:
        self._lines: dict[int, deque[Queued]] = {}  # account id -> its queued posts
        self._ready: list[tuple[int, int]] = []  # (first post's place, account id)
        self._waiting: set[int] = set()  # accounts in _ready
        self._busy: set[int] = set()  # accounts with a post in flight
        self._posts: set[int] = set()
        self._places = 0

    def __len__(self) -> int:
        return len(self._posts)

    def __contains__(self, post_id: int) -> bool:
        return post_id in self._posts

    @property
    def busy(self) -> int:
        """How many accounts have a post in flight."""
        return len(self._busy)

    @property
    def ready(self) -> int:
        """How many accounts have a post queued and nothing in flight (could start now)."""
        return len(self._waiting)

    def add(self, post_id: int, account_id: int) -> None:
        """Queue a post behind those queued before it (a post already queued is not)."""
        if post_id in self._posts:
            return
        self._places += 1
        self._posts.add(post_id)
        self._lines.setdefault(account_id, deque()).append(
            Queued(self._places, post_id, account_id))
        self._offer(account_id)

    def take(self) -> Queued | None:
        """The earliest queued post of an account with nothing in flight, now in flight."""
        while self._ready:
            _, account_id = heapq.heappop(self._ready)
            self._waiting.discard(account_id)
            line = self._lines.get(account_id)
            if account_id in self._busy or not line:
                continue
            item = line.popleft()
            if not line:
                del self._lines[account_id]
            self._posts.discard(item.post_id)
            self._busy.add(account_id)
            return item
        return None

    def put_back(self, item: Queued) -> None:
        """Undo `take`: the post is first in its account's line again, nothing in flight."""
        self._busy.discard(item.account_id)
        self._posts.add(item.post_id)
        self._lines.setdefault(item.account_id, deque()).appendleft(item)
        self._offer(item.account_id)

    def done(self, account_id: int) -> None:
        """The account's post in flight has finished: its next post may go."""
        self._busy.discard(account_id)
        self._offer(account_id)

    def _offer(self, account_id: int) -> None:
        line = self._lines.get(account_id)
        if line and account_id not in self._busy and account_id not in self._waiting:
            heapq.heappush(self._ready, (line[0].place, account_id))
            self._waiting.add(account_id)
