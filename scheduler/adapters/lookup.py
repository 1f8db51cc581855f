"""Finding a post among an account's recent posts, for platforms that offer nothing else
to tell whether a failed publishing request went through (Facebook, X).

A post is never live before its scheduled time, so the search runs from `scheduled_at`
(minus some clock skew) to now, over the listing the platform gives newest first.
"Surely absent" needs the whole window read: pages until one reaches past the window's
start, or until the listing ends. Anything less (too many pages, an item that cannot be
read with confidence) is inconclusive and never "absent": a wrong "absent" is the one
answer that makes us publish a post twice.

A lookup has the four outcomes of `Adapter.reconcile`: a Receipt (it is live), None
(surely absent), TransientPublishError (ask again later), AmbiguousPublishError (the
platform cannot tell us); ReauthorizationRequired also passes through where the caller
can act on it (`reconcile_by_lookup` turns it into the ambiguous outcome).
"""

import itertools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import make_error
from scheduler.clock import Clock

# Our clock and the platform's may disagree a little about when the post went out.
CLOCK_SKEW = timedelta(minutes=5)
# Pages read at most before the lookup gives up as inconclusive.
MAX_PAGES = 10
# Saved (checkpoint) when a 5xx was followed by an "absent" lookup: the platform may
# still finish that request late, so the retry looks again before it sends.
RECHECK_REF = "lookup_before_resend"
# The wait before such a retry, so a late post has time to show up in the listing.
RECHECK_DELAY = 60.0

Lookup = Callable[[PostPayload], Receipt | None]


class Match(Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"  # the item's text could not be read with confidence


@dataclass(frozen=True)
class Listed:
    """One post of a platform's listing, as the lookup sees it."""

    created: datetime | None  # None: the platform gave no readable time
    match: Match
    receipt: Receipt


@dataclass(frozen=True)
class Page:
    items: list[Listed]
    more: bool  # the platform has a next page


def normalize(text: str) -> str:
    """The form two texts are compared in: NFC, without surrounding whitespace."""
    return unicodedata.normalize("NFC", text).strip()


def window_start(post: PostPayload, clock: Clock) -> datetime:
    """The earliest the post can have gone live; the listing is read back to here."""
    scheduled = post.scheduled_at
    if scheduled.tzinfo is None:  # stored instants are UTC
        scheduled = scheduled.replace(tzinfo=UTC)
    return min(scheduled, clock.now()) - CLOCK_SKEW


def parse_instant(value: object) -> datetime | None:
    """An ISO 8601 time as Meta ("…+0000") or X ("….000Z") write it; None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def find_in_pages(adapter: Adapter, pages: Iterable[Page], start: datetime) -> Receipt | None:
    """The first listed post matching ours within the window; None only when every page
    back to the window's start was read and nothing could be ours."""
    unsure = False
    for page in itertools.islice(pages, MAX_PAGES):
        for item in page.items:
            verdict = _verdict(item, start)
            if verdict is Match.YES:
                return item.receipt
            unsure = unsure or verdict is Match.MAYBE
        if not page.more or _reaches_start(page, start):
            if unsure:
                raise inconclusive(adapter, "ada unggahan di rentang waktunya yang teksnya "
                                   "tidak dapat dibandingkan")
            return None
    raise inconclusive(adapter, f"{MAX_PAGES} halaman daftar unggahan belum menjangkau "
                       "waktu jadwalnya")


def _verdict(item: Listed, start: datetime) -> Match:
    if item.match is Match.NO:
        return Match.NO
    if item.created is None:
        return Match.MAYBE  # same text, unknown time: could be ours
    if item.created < start:
        return Match.NO  # an older post with the same text (e.g. last week's)
    return item.match


def _reaches_start(page: Page, start: datetime) -> bool:
    """Newest first: once a page ends before the window, later pages are older still."""
    if not page.items:
        return False
    last = page.items[-1].created
    return last is not None and last < start


def inconclusive(adapter: Adapter, reason: str) -> AmbiguousPublishError:
    return make_error(adapter, AmbiguousPublishError,
                      f"{adapter.label}: tidak dapat dipastikan apakah unggahan sudah terbit "
                      f"({reason}); perlu keputusan operator")


def read_failure(adapter: Adapter, exc: PublishError) -> PublishError:
    """A failed listing request, typed for the lookup: a read changes nothing on the
    platform, so a lost answer or a 5xx only means "ask again later"."""
    if isinstance(exc, ReauthorizationRequired):
        return exc
    if isinstance(exc, TransientPublishError | AmbiguousPublishError):
        wait = exc.retry_after if isinstance(exc, TransientPublishError) else None
        return make_error(adapter, TransientPublishError,
                          f"{adapter.label}: daftar unggahan belum dapat dicek ({exc}); "
                          "dicek ulang nanti", platform_message=exc.platform_message,
                          status=exc.status, code=exc.code, retry_after=wait)
    # Refused (no read permission, bad request): asking again will not help.
    return make_error(adapter, AmbiguousPublishError,
                      f"{adapter.label}: daftar unggahan tidak dapat dicek ({exc}); "
                      "perlu keputusan operator", platform_message=exc.platform_message,
                      status=exc.status, code=exc.code)


def is_server_error(exc: PublishError) -> bool:
    return exc.status is not None and exc.status >= 500


def reconcile_by_lookup(adapter: Adapter, post: PostPayload, look: Lookup) -> Receipt | None:
    """`Adapter.reconcile` by lookup: a token that cannot read the listing is a question
    for a person (reconnect the account or decide), never a loop of retries."""
    try:
        return look(post)
    except ReauthorizationRequired as exc:
        raise make_error(adapter, AmbiguousPublishError,
                         f"{adapter.label}: daftar unggahan ditolak untuk dicek ({exc}); "
                         "hubungkan ulang akun atau putuskan manual",
                         platform_message=exc.platform_message, status=exc.status,
                         code=exc.code) from None


def settle_server_error(adapter: Adapter, post: PostPayload, error: PublishError,
                        look: Lookup) -> Receipt:
    """After a 5xx to the publishing request, which the platform may have acted on:
    the Receipt if the post is live, a retry only if a lookup proves it absent."""
    status = error.status
    try:
        found = look(post)
    except PublishError as exc:
        raise make_error(adapter, AmbiguousPublishError,
                         f"Server {adapter.label} bermasalah (HTTP {status}) saat menerbitkan "
                         f"dan pengecekan gagal ({exc}); unggahan mungkin sudah terbit, cek "
                         "dulu sebelum mengulang", platform_message=error.platform_message,
                         status=status, code=error.code) from None
    if found is not None:
        return found
    adapter.context.checkpoint({RECHECK_REF: adapter.context.clock.now().isoformat()})
    wait = error.retry_after if isinstance(error, TransientPublishError) else None
    raise make_error(adapter, TransientPublishError,
                     f"Server {adapter.label} bermasalah (HTTP {status}); menurut pengecekan "
                     "unggahan belum terbit, dicoba lagi nanti",
                     platform_message=error.platform_message, status=status, code=error.code,
                     retry_after=max(wait or 0.0, RECHECK_DELAY))


def recheck_before_resend(post: PostPayload, look: Lookup) -> Receipt | None:
    """Before resending a post whose earlier request got a 5xx: the Receipt if that
    request went through after all, None if it is still absent (send it)."""
    if not post.ref.get(RECHECK_REF):
        return None
    return look(post)

