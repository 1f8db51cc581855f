"""The lookup shared by Facebook and X (lookup.py) and how X's text is read back
(xtext.py): when "absent" may be said, and when only "cannot tell"."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from scheduler.adapters.base import AdapterContext, AmbiguousPublishError, Receipt
from scheduler.adapters.lookup import (
    CLOCK_SKEW,
    Listed,
    Match,
    Page,
    find_in_pages,
    parse_instant,
    window_start,
)
from scheduler.adapters.x import XAdapter
from scheduler.adapters.xtext import match_post
from scheduler.clock import FixedClock

from .cases import NOW, make_post

START = NOW - CLOCK_SKEW


@pytest.fixture
def adapter() -> Iterator[XAdapter]:
    with requests.Session() as session:
        yield XAdapter(AdapterContext(session=session, credentials={}, clock=FixedClock(NOW)))


def item(match: Match, minutes: float | None = 1, name: str = "1") -> Listed:
    created = None if minutes is None else NOW + timedelta(minutes=minutes)
    return Listed(created, match, Receipt(name))


def pages(*chunks: list[Listed]) -> Iterator[Page]:
    for number, chunk in enumerate(chunks):
        yield Page(chunk, more=number < len(chunks) - 1)


# -- the window ------------------------------------------------------------------------


def test_window_starts_at_the_scheduled_time_less_the_clock_skew() -> None:
    assert window_start(make_post(), FixedClock(NOW + timedelta(days=2))) == START


def test_window_never_starts_after_now() -> None:
    early = FixedClock(NOW - timedelta(hours=1))
    assert window_start(make_post(), early) == NOW - timedelta(hours=1) - CLOCK_SKEW


def test_a_naive_scheduled_time_is_utc() -> None:
    post = make_post(scheduled_at=NOW.replace(tzinfo=None))
    assert window_start(post, FixedClock(NOW)) == START


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-02-10T02:00:05+0000", NOW + timedelta(seconds=5)),  # Facebook
    ("2024-02-10T02:00:05.000Z", NOW + timedelta(seconds=5)),  # X
    ("2024-02-10T02:00:05", None), ("kemarin", None), (None, None), (1707530405, None)])
def test_platform_times_are_read_or_refused(text: object, expected: datetime | None) -> None:
    assert parse_instant(text) == expected


# -- when "absent" may be said -------------------------------------------------------


def test_a_match_in_the_window_is_found(adapter: XAdapter) -> None:
    found = find_in_pages(adapter, pages([item(Match.NO), item(Match.YES, name="42")]), START)
    assert found == Receipt("42")


def test_absent_once_the_listing_ends(adapter: XAdapter) -> None:
    assert find_in_pages(adapter, pages([item(Match.NO)], [item(Match.NO)]), START) is None


def test_absent_once_a_page_reaches_past_the_window_and_no_further_page_is_read(
        adapter: XAdapter) -> None:
    read: list[int] = []

    def endless() -> Iterator[Page]:
        for number in range(100):
            read.append(number)
            yield Page([item(Match.NO, minutes=-10 * number)], more=True)

    assert find_in_pages(adapter, endless(), START) is None
    assert read == [0, 1]  # the second page ends 10 minutes before the scheduled time


def test_the_same_text_before_the_window_is_not_ours(adapter: XAdapter) -> None:
    old = item(Match.YES, minutes=-60)
    assert find_in_pages(adapter, pages([old]), START) is None


def test_an_old_post_on_top_does_not_end_the_search(adapter: XAdapter) -> None:
    """Only a page's last post says the rest is older (a pinned post may come first)."""
    pinned = item(Match.NO, minutes=-60 * 24 * 30)
    found = find_in_pages(adapter, pages([pinned, item(Match.NO)], [item(Match.YES)]), START)
    assert found == Receipt("1")


def test_an_empty_page_with_more_to_come_reads_on(adapter: XAdapter) -> None:
    assert find_in_pages(adapter, pages([], [item(Match.YES)]), START) == Receipt("1")


def test_more_pages_than_it_reads_is_inconclusive(adapter: XAdapter) -> None:
    endless = (Page([item(Match.NO)], more=True) for _ in range(100))
    with pytest.raises(AmbiguousPublishError, match="belum menjangkau"):
        find_in_pages(adapter, endless, START)


@pytest.mark.parametrize("unsure", [item(Match.MAYBE), item(Match.YES, minutes=None)])
def test_an_item_that_could_be_ours_makes_absent_inconclusive(adapter: XAdapter,
                                                              unsure: Listed) -> None:
    with pytest.raises(AmbiguousPublishError, match="tidak dapat dibandingkan"):
        find_in_pages(adapter, pages([unsure, item(Match.NO)]), START)


def test_a_sure_match_wins_over_an_unsure_one(adapter: XAdapter) -> None:
    found = find_in_pages(adapter, pages([item(Match.MAYBE), item(Match.YES, name="7")]), START)
    assert found == Receipt("7")


# -- X's text read back ------------------------------------------------------------------

TCO, MEDIA = "https://t.co/abcDEF1234", "https://t.co/pic0000001"
DPT = "Ayo cek DPT Anda di cekdptonline.kpu.go.id! #PemiluDamai"


def link(url: str, expanded: str | None, **extra: Any) -> dict[str, Any]:
    return {"url": url, "expanded_url": expanded, **extra} if expanded else {"url": url, **extra}


def tweet(text: str, *links: dict[str, Any]) -> dict[str, Any]:
    return {"id": "1", "text": text, "entities": {"urls": list(links)}} if links else {
        "id": "1", "text": text}


IMAGE = link(MEDIA, "https://x.com/kpu_blitar/status/1/photo/1",
             display_url="pic.x.com/pic0000001", media_key="3_99")


@pytest.mark.parametrize(("listed", "wanted", "expected"), [
    # A bare domain: X links it and adds http:// to the expanded URL.
    (tweet(f"Ayo cek DPT Anda di {TCO}! #PemiluDamai",
           link(TCO, "http://cekdptonline.kpu.go.id")), DPT, Match.YES),
    (tweet(f"Cek {TCO} sekarang", link(TCO, "https://kpu.go.id/a?b=1&c=2")),
     "Cek https://kpu.go.id/a?b=1&c=2 sekarang", Match.YES),
    (tweet("TPS 1 &amp; TPS 2 &lt;selesai&gt;"), "TPS 1 & TPS 2 <selesai>", Match.YES),
    (tweet("Tulis &amp;lt; bukan &lt;"), "Tulis &lt; bukan <", Match.YES),
    (tweet("TPS 1 &amp; TPS 2"), "TPS 1 &amp; TPS 2", Match.NO),
    # X's trailing link to the attached image is not part of our text.
    (tweet(f"Ayo memilih! {MEDIA}", IMAGE), "Ayo memilih!", Match.YES),
    (tweet(f"Lihat {TCO} {MEDIA}", link(TCO, "https://kpu.go.id"), IMAGE),
     "Lihat https://kpu.go.id", Match.YES),
    # NFC and surrounding whitespace do not count.
    (tweet("  Kafe\u0301 Merdeka \n"), "Kafé Merdeka", Match.YES),
    (tweet("Kafe Merdeka"), "Kafé Merdeka", Match.NO),
    # Another link, or other words: not ours.
    (tweet(f"Cek {TCO}", link(TCO, "https://kpu.go.id/b")), "Cek https://kpu.go.id/a",
     Match.NO),
    (tweet(f"Selamat pagi {TCO}"), "Info di https://kpu.go.id", Match.NO),
    # A link that cannot be read back: could be ours, so never "absent".
    (tweet(f"Info di {TCO}"), "Info di https://kpu.go.id", Match.MAYBE),
    (tweet(f"Info di {TCO}", link(TCO, None)), "Info di https://kpu.go.id", Match.MAYBE),
    (tweet(f"Info {MEDIA} di sini", IMAGE), "Info https://kpu.go.id di sini", Match.MAYBE),
    ({"id": "1"}, "Apa saja", Match.MAYBE),
])
def test_x_text_is_read_back_before_comparing(listed: dict[str, Any], wanted: str,
                                              expected: Match) -> None:
    assert match_post(listed, wanted) is expected
