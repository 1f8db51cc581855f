"""The review pages' services: the aggregate queue, a batch's cards, many batches in one
decision, media files and ticked ids (on SQLite and PostgreSQL)."""

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler import review_queue
from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.editing import edit_post
from scheduler.errors import InputError, NotFoundError, PermissionDenied, ReviewError
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.posts import PostFilter
from scheduler.review_bulk import Selection, approve_many, bulk_summary
from scheduler.review_queue import pending_batches
from scheduler.review_view import batch_view, media_file, ticked_ids
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES, actor

WIB = ZoneInfo("Asia/Jakarta")
CHECKS = CheckSettings()
RUDI = actor("rudi", "reviewer", "prov")
SARI = actor("sari", "reviewer", "kab-a")
ANI = actor("ani", "author", "prov")
ADMIN = actor("admin", "admin", "prov")
DAY1, DAY2, DAY3 = (f"daftar-harian@2024-01-0{d}T09:00" for d in (1, 2, 3))
both = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)


@pytest.fixture
def planned(synced: Engine, catalog: Catalog, settings: Settings, clock: FixedClock) -> Engine:
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 10)), clock.now(),
               actor=PLANNER)
    return synced


def statuses(engine: Engine, batch: str) -> dict[tuple[str, str], str]:
    with Session(engine) as session:
        return {(p.region_key, p.platform): p.status
                for p in session.exec(select(Post).where(col(Post.batch) == batch))}


def post_id(engine: Engine, batch: str, region: str, platform: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Post.id).where(
            col(Post.batch) == batch, col(Post.region_key) == region,
            col(Post.platform) == platform)).one()
    assert found is not None
    return found


def edit(engine: Engine, catalog: Catalog, clock: FixedClock, who, pid: int, text: str) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        edit_post(session, actor=who, post_id=pid, catalog=catalog, checks=CHECKS, now=clock.now(),
                  tz=WIB, text=text)


@pytest.fixture(params=["small", "large"])
def queue_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the queue is counted: one aggregate over every pending post (a small
    queue), or the page's batches found first (a queue over SMALL_QUEUE posts)."""
    if request.param == "large":
        monkeypatch.setattr(review_queue, "SMALL_QUEUE", 0)
    return str(request.param)


@both
def test_queue_counts_problems_regions_and_platforms_in_sql(planned, catalog, clock,
                                                            queue_size):
    edit(planned, catalog, clock, ANI, post_id(planned, DAY2, "kab-a", "x"), "PARTAI CONTOH!")
    with session_scope(planned) as session:
        batches = pending_batches(session, actor=RUDI, filters=PostFilter(), tz=WIB, limit=3)
        mine = pending_batches(session, actor=SARI, filters=PostFilter(), tz=WIB, offset=1,
                               limit=2)
    assert [b.batch for b in batches] == [DAY1, DAY2, DAY3]
    assert [(b.pending, b.with_problems, b.regions) for b in batches] == [
        (15, 0, 3), (15, 1, 3), (15, 0, 3)]
    assert batches[0].platforms == ("facebook", "instagram", "telegram", "threads", "x")
    assert batches[0].first_at == batches[0].scheduled_at
    assert [(b.batch, b.pending, b.with_problems, b.regions) for b in mine] == [
        (DAY2, 5, 1, 1), (DAY3, 5, 0, 1)]


def test_queue_takes_the_same_few_queries_however_many_batches(planned, queue_size):
    def count_queries(limit: int) -> int:
        seen: list[str] = []

        def note(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(planned, "before_cursor_execute", note)
        try:
            with session_scope(planned) as session:
                found = pending_batches(session, actor=RUDI, filters=PostFilter(), tz=WIB,
                                        limit=limit)
                assert len(found) == limit
        finally:
            event.remove(planned, "before_cursor_execute", note)
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    assert count_queries(1) == count_queries(10) <= 6


def test_batch_view_groups_posts_by_text_in_the_viewers_scope(planned, settings):
    with session_scope(planned) as session:
        view = batch_view(session, actor=SARI, batch=DAY1, media_dir=settings.media_dir)
        everything = batch_view(session, actor=RUDI, batch=DAY1, media_dir=settings.media_dir)
    assert {p.post.region_key for c in view.cards for p in c.posts} == {"kab-a"}
    assert len(view.cards) == 2  # X has its own template
    long, short = view.cards
    assert [f.platform for f in long.platforms] == ["facebook", "instagram", "telegram",
                                                    "threads"]
    assert long.image_found and long.regions == [("kab-a", "KPU Kabupaten A")]
    telegram = next(f for f in long.platforms if f.platform == "telegram")
    assert telegram.limit == 1024 and not telegram.over  # a caption: the image is attached
    assert [f.limit for f in short.platforms] == [280]
    assert (view.pending, everything.pending, everything.regions) == (5, 15, 3)


def test_batch_view_refuses_a_batch_outside_the_scope(planned, settings):
    with session_scope(planned) as session, pytest.raises(NotFoundError):
        batch_view(session, actor=SARI, batch="tidak-ada", media_dir=settings.media_dir)
    with session_scope(planned, write=True) as session:
        for post in session.exec(select(Post).where(col(Post.batch) == DAY1,
                                                    col(Post.region_key) == "kab-a")):
            post.batch = "khusus-kab-a"
            session.add(post)
    with pytest.raises(PermissionDenied), session_scope(planned) as session:
        batch_view(session, actor=actor("kiki", "reviewer", "kota-b"), batch="khusus-kab-a",
                   media_dir=settings.media_dir)


@both
def test_bulk_summary_then_approval_of_two_batches(planned, catalog, clock):
    selection = Selection(batches=(DAY1, DAY2))
    with session_scope(planned) as session:
        summary = bulk_summary(session, actor=RUDI, selection=selection, tz=WIB, now=clock.now())
    assert (summary.batches, summary.posts, summary.regions, summary.texts,
            summary.with_problems, summary.past) == (2, 30, 3, 18, 0, 0)  # Instagram: no https://
    assert [b.batch for b in summary.listed] == [DAY1, DAY2]
    with session_scope(planned, write=True) as session:
        decision = approve_many(session, actor=RUDI, selection=selection, tz=WIB,
                                catalog=catalog, checks=CHECKS, now=clock.now(),
                                expected=summary.fingerprint, note="Sesuai")
    assert len(decision.changed) == 30
    assert set(statuses(planned, DAY2).values()) == {"approved"}
    assert set(statuses(planned, DAY3).values()) == {"pending"}


@both
def test_bulk_approval_by_stage_and_dates_stays_in_scope(planned, catalog, clock):
    selection = Selection(filters=PostFilter(stages=("daftar",), date_from=date(2024, 1, 2),
                                             date_to=date(2024, 1, 4)))
    with session_scope(planned, write=True) as session:
        decision = approve_many(session, actor=SARI, selection=selection, tz=WIB,
                                catalog=catalog, checks=CHECKS, now=clock.now())
    assert len(decision.changed) == 15
    for batch in (DAY2, DAY3):
        assert {k[0] for k, v in statuses(planned, batch).items() if v == "approved"} == {"kab-a"}
    assert set(statuses(planned, DAY1).values()) == {"pending"}


@both
def test_bulk_approval_is_all_or_nothing(planned, catalog, clock):
    bad = post_id(planned, DAY3, "kota-b", "threads")
    edit(planned, catalog, clock, ANI, bad, "Dukung PARTAI CONTOH!")
    with pytest.raises(ReviewError) as caught, session_scope(planned, write=True) as session:
        approve_many(session, actor=RUDI, selection=Selection(batches=(DAY1, DAY3)), tz=WIB,
                     catalog=catalog, checks=CHECKS, now=clock.now())
    assert f"#{bad}" in str(caught.value) and "--except" not in str(caught.value)
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_bulk_approval_keeps_the_four_eyes_rule(planned, catalog, clock):
    edited = post_id(planned, DAY1, "kab-a", "facebook")
    edit(planned, catalog, clock, ADMIN, edited, "Disunting admin.")
    with pytest.raises(ReviewError, match="empat mata"), \
            session_scope(planned, write=True) as session:
        approve_many(session, actor=ADMIN, selection=Selection(batches=(DAY1, DAY2)), tz=WIB,
                     catalog=catalog, checks=CHECKS, now=clock.now(), override_reason="x")
    assert set(statuses(planned, DAY2).values()) == {"pending"}


def test_bulk_approval_refuses_a_changed_selection(planned, catalog, clock):
    selection = Selection(batches=(DAY1,))
    with session_scope(planned) as session:
        summary = bulk_summary(session, actor=RUDI, selection=selection, tz=WIB, now=clock.now())
    edit(planned, catalog, clock, ANI, post_id(planned, DAY1, "prov", "x"), "Teks baru.")
    with pytest.raises(ReviewError, match="pilihan berubah"), \
            session_scope(planned, write=True) as session:
        approve_many(session, actor=RUDI, selection=selection, tz=WIB, catalog=catalog,
                     checks=CHECKS, now=clock.now(), expected=summary.fingerprint)
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_bulk_refuses_an_empty_or_foreign_selection_and_authors(planned, catalog, clock):
    with session_scope(planned) as session:
        with pytest.raises(InputError, match="pilih batch"):
            bulk_summary(session, actor=RUDI, selection=Selection(), tz=WIB, now=clock.now())
        with pytest.raises(ReviewError, match="tidak-ada"):
            bulk_summary(session, actor=RUDI, selection=Selection(batches=(DAY1, "tidak-ada")),
                         tz=WIB, now=clock.now())
    with pytest.raises(PermissionDenied), session_scope(planned, write=True) as session:
        approve_many(session, actor=ANI, selection=Selection(batches=(DAY1,)), tz=WIB,
                     catalog=catalog, checks=CHECKS, now=clock.now())


def test_media_file_stays_inside_the_media_folder(tmp_path: Path):
    media = tmp_path / "media"
    (media / "sub").mkdir(parents=True)
    (media / "sub" / "a.png").write_bytes(b"png")
    (media / "catatan.txt").write_text("bukan gambar")
    (tmp_path / "rahasia.jpg").write_bytes(b"secret")
    (media / "tautan.jpg").symlink_to(tmp_path / "rahasia.jpg")
    assert media_file(media, "sub/a.png") == (media / "sub" / "a.png").resolve()
    for bad in ("../rahasia.jpg", str(tmp_path / "rahasia.jpg"), "tautan.jpg", "catatan.txt",
                "sub", "tidak-ada.jpg", "a\0.jpg"):
        assert media_file(media, bad) is None, bad


def test_ticked_ids_read_single_and_comma_separated_values():
    assert ticked_ids(["3", "1,2", " 2 , 5 ", ""]) == [1, 2, 3, 5]
    with pytest.raises(InputError, match="'x'"):
        ticked_ids(["1,x"])
