"""The review workflow: four-eyes, batch approval with exceptions, edits, overrides."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.editing import NewPost, cancel, create_posts, edit_post, reschedule, submit
from scheduler.errors import InputError, PermissionDenied, ReviewError
from scheduler.events import Move, record_moves
from scheduler.labels import status_label
from scheduler.models import Post, PostEvent, PostStatus
from scheduler.planning import PlanRequest, plan_posts
from scheduler.posts import PostFilter
from scheduler.review import approve, list_batches, reject
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES, actor

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

WIB = ZoneInfo("Asia/Jakarta")
CHECKS = CheckSettings()
BATCH = "daftar-harian@2024-01-05T09:00"
PROVINCE_REVIEWER = actor("rudi", "reviewer", "prov")
BLITAR_LIKE_REVIEWER = actor("sari", "reviewer", "kab-a")
ADMIN = actor("admin", "admin", "prov")
AUTHOR = actor("rina", "author", "kab-a")


@pytest.fixture
def planned(synced: Engine, catalog: Catalog, settings: Settings, clock: FixedClock) -> Engine:
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 2, 20)), clock.now(),
               actor=PLANNER)
    return synced


def statuses(engine: Engine, batch: str) -> dict[tuple[str, str], str]:
    with Session(engine) as session:
        return {(p.region_key, p.platform): p.status
                for p in session.exec(select(Post).where(col(Post.batch) == batch))}


def events(engine: Engine, post_id: int) -> list[PostEvent]:
    with Session(engine) as session:
        return list(session.exec(select(PostEvent).where(col(PostEvent.post_id) == post_id)
                                 .order_by(col(PostEvent.id))))


def test_province_reviewer_approves_a_whole_batch_in_one_decision(planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        decision = approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog,
                           checks=CHECKS, now=clock.now(), note="Sesuai jadwal")
    assert len(decision.changed) == 15
    assert set(statuses(planned, BATCH).values()) == {"approved"}
    approved = events(planned, decision.changed[0])[-1]
    assert (approved.kind, approved.actor, approved.from_status, approved.to_status,
            approved.note) == ("approved", "rudi", "pending", "approved", "Sesuai jadwal")


def test_a_batch_is_approved_with_its_values_stored_and_seen_by_the_session(
        planned, catalog, clock):
    """Approval writes in bulk; what it stores is what the posts read afterwards, in the
    same session and in a new one."""
    with session_scope(planned, write=True) as session:
        decision = approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog,
                           checks=CHECKS, now=clock.now())
        seen = session.get(Post, decision.changed[0])
        assert seen is not None and (seen.status, seen.approved_by) == ("approved", "rudi")
        assert not session.dirty
    with Session(planned) as session:
        stored = session.exec(select(Post).where(col(Post.id).in_(decision.changed))).all()
    assert {(p.status, p.approved_by, p.approved_at, p.updated_at, str(p.problems))
            for p in stored} == {("approved", "rudi", clock.now(), clock.now(), "[]")}
    assert [e.kind for e in events(planned, decision.changed[-1])][-1] == "approved"


def test_a_post_that_moved_under_a_decision_refuses_all_of_it(planned, clock):
    """The bulk update is guarded on the status each post was found in: one post moved
    meanwhile (here by hand) and the whole decision is refused, nothing written."""
    with session_scope(planned, write=True) as session:
        posts = list(session.exec(select(Post).where(col(Post.batch) == BATCH)))
        ids = [p.id or 0 for p in posts]
        session.execute(update(Post).where(col(Post.id) == posts[0].id)
                        .values(status=PostStatus.CANCELLED))
        with pytest.raises(ReviewError, match="1 unggahan berubah status"):
            record_moves(session, [Move(p) for p in posts], kind="rejected", actor="rudi",
                         now=clock.now(), from_status=PostStatus.PENDING,
                         to_status=PostStatus.REJECTED, note="x")
        session.rollback()
    assert set(statuses(planned, BATCH).values()) == {"pending"}
    assert not [e for i in ids for e in events(planned, i) if e.kind == "rejected"]


def test_regency_reviewer_approves_only_their_own_part_of_a_batch(planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        decision = approve(session, actor=BLITAR_LIKE_REVIEWER, target=BATCH, catalog=catalog,
                           checks=CHECKS, now=clock.now())
    assert len(decision.changed) == 5
    result = statuses(planned, BATCH)
    assert {k for k, v in result.items() if v == "approved"} == {
        ("kab-a", p) for p in ("facebook", "instagram", "x", "threads", "telegram")}
    assert result[("kota-b", "x")] == "pending"


def test_regency_reviewer_sees_only_their_batches(planned, clock):
    with session_scope(planned, write=False) as session:
        mine = list_batches(session, actor=BLITAR_LIKE_REVIEWER, filters=PostFilter(), tz=WIB)
        everything = list_batches(session, actor=PROVINCE_REVIEWER, filters=PostFilter(), tz=WIB)
    assert {b.pending for b in mine} == {5}
    assert {b.pending for b in everything} == {15, 10}
    assert {b.regions for b in mine} == {1}
    assert len(mine) == len(everything) == 13


def test_approval_with_exceptions_leaves_them_pending(planned, catalog, clock):
    with Session(planned) as session:
        ids = [p.id for p in session.exec(select(Post).where(
            col(Post.batch) == BATCH, col(Post.platform) == "x"))]
    with session_scope(planned, write=True) as session:
        decision = approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog,
                           checks=CHECKS, now=clock.now(), excepts=ids)
    assert len(decision.changed) == 12
    assert sorted(decision.skipped) == sorted(ids)
    assert {v for (_, p), v in statuses(planned, BATCH).items() if p == "x"} == {"pending"}


def test_except_must_belong_to_the_batch(planned, catalog, clock):
    with pytest.raises(InputError, match="bukan bagian"), \
            session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog, checks=CHECKS,
                now=clock.now(), excepts=[99999])


def test_one_problem_refuses_the_whole_batch_until_excepted(planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        bad = session.exec(select(Post).where(col(Post.batch) == BATCH,
                                              col(Post.region_key) == "kota-b",
                                              col(Post.platform) == "facebook")).one()
        edit_post(session, actor=actor("rina.b", "author", "kota-b"), post_id=bad.id or 0,
                  catalog=catalog,
                  checks=CHECKS, now=clock.now(), tz=WIB, text="Dukung PARTAI CONTOH!")
        bad_id = bad.id or 0
    with pytest.raises(ReviewError) as caught, session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog, checks=CHECKS,
                now=clock.now())
    assert f"#{bad_id}" in str(caught.value)
    assert "Partai Contoh" in str(caught.value)
    assert set(statuses(planned, BATCH).values()) == {"pending"}  # nothing changed
    with session_scope(planned, write=True) as session:
        decision = approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog,
                           checks=CHECKS, now=clock.now(), excepts=[bad_id])
    assert len(decision.changed) == 14


def test_four_eyes_nobody_approves_what_they_created(synced, catalog, clock):
    later = datetime(2024, 1, 20, 9, 0, tzinfo=WIB)
    with session_scope(synced, write=True) as session:
        post = create_posts(session, actor=ADMIN, catalog=catalog,
                            items=[NewPost("kab-a", "x", later, "Info TPS.")],
                            checks=CHECKS, now=clock.now())[0]
        submit(session, actor=ADMIN, target=str(post.id), now=clock.now())
    for reason in (None, "mendesak"):
        with pytest.raises(ReviewError, match="empat mata"), \
                session_scope(synced, write=True) as session:
            approve(session, actor=ADMIN, target=str(post.id), catalog=catalog, checks=CHECKS,
                    now=clock.now(), override_reason=reason)
    with session_scope(synced, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=str(post.id), catalog=catalog,
                checks=CHECKS, now=clock.now())


def test_four_eyes_nobody_approves_what_they_last_edited(planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        post = session.exec(select(Post).where(col(Post.batch) == BATCH)).first()
        assert post is not None
        edit_post(session, actor=ADMIN, post_id=post.id or 0, catalog=catalog, checks=CHECKS,
                  now=clock.now(),
                  tz=WIB, text="Cek DPT Anda hari ini.")
    with pytest.raises(ReviewError, match="empat mata"), \
            session_scope(planned, write=True) as session:
        approve(session, actor=ADMIN, target=str(post.id), catalog=catalog, checks=CHECKS,
                now=clock.now())


def test_editing_an_approved_post_sends_it_back_to_review_with_before_and_after(
        planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog, checks=CHECKS,
                now=clock.now())
        post = session.exec(select(Post).where(col(Post.batch) == BATCH,
                                               col(Post.region_key) == "kab-a",
                                               col(Post.platform) == "x")).one()
        old_text = post.text
        edited = edit_post(session, actor=AUTHOR, post_id=post.id or 0, catalog=catalog,
                           checks=CHECKS, now=clock.now(), tz=WIB, text="Teks baru.",
                           at=datetime(2024, 1, 5, 10, 0, tzinfo=WIB))
    assert edited.status == PostStatus.PENDING
    assert edited.approved_by is None
    assert edited.edited_by == "rina"
    event = events(planned, edited.id or 0)[-1]
    assert (event.kind, event.from_status, event.to_status) == ("edited", "approved", "pending")
    assert event.details == {
        "before": {"text": old_text, "scheduled_at": "2024-01-05T09:00:00+07:00",
                   "image": "kartu.jpg", "status": "approved"},
        "after": {"text": "Teks baru.", "scheduled_at": "2024-01-05T10:00:00+07:00",
                  "image": "kartu.jpg", "status": "approved"},
    }


def test_admin_override_needs_a_reason_and_is_logged(planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        post = session.exec(select(Post).where(col(Post.batch) == BATCH,
                                               col(Post.region_key) == "kab-a",
                                               col(Post.platform) == "facebook")).one()
        edit_post(session, actor=AUTHOR, post_id=post.id or 0, catalog=catalog, checks=CHECKS,
                  now=clock.now(), tz=WIB, text="Nomor urut: paslon 01, 02 dan 03.")
    with pytest.raises(InputError, match="alasan"), session_scope(planned, write=True) as session:
        approve(session, actor=ADMIN, target=str(post.id), catalog=catalog, checks=CHECKS,
                now=clock.now(),
                override_reason="  ")
    with pytest.raises(PermissionDenied), session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=str(post.id), catalog=catalog,
                checks=CHECKS, now=clock.now(), override_reason="semua paslon disebut setara")
    with session_scope(planned, write=True) as session:
        decision = approve(session, actor=ADMIN, target=str(post.id), catalog=catalog,
                           checks=CHECKS,
                           now=clock.now(), override_reason="semua paslon disebut setara")
    assert decision.overridden
    event = events(planned, post.id or 0)[-1]
    assert event.kind == "approved"
    assert event.details is not None
    assert event.details["override"] == "semua paslon disebut setara"
    assert "paslon 01" in event.details["problems"][0]["message"]


@pytest.mark.parametrize("status", [PostStatus.PUBLISHED, PostStatus.CANCELLED,
                                    PostStatus.APPROVED, PostStatus.REJECTED])
def test_approving_a_post_that_is_not_pending_is_refused(planned, catalog, clock, status):
    with session_scope(planned, write=True) as session:
        post = session.exec(select(Post).where(col(Post.batch) == BATCH)).first()
        assert post is not None
        post.status = status
        session.add(post)
    with pytest.raises(ReviewError, match=f"berstatus {status_label(status)},"), \
            session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=str(post.id), catalog=catalog,
                checks=CHECKS, now=clock.now())


def test_a_post_whose_time_has_passed_is_not_approved(planned, catalog, clock):
    clock.set(datetime(2024, 1, 6, tzinfo=WIB))
    with pytest.raises(ReviewError, match="sudah lewat"), \
            session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog, checks=CHECKS,
                now=clock.now())


def test_reject_needs_a_note_and_logs_it(planned, clock):
    with pytest.raises(InputError, match="catatan"), session_scope(planned, write=True) as session:
        reject(session, actor=PROVINCE_REVIEWER, target=BATCH, note=" ", now=clock.now())
    with session_scope(planned, write=True) as session:
        decision = reject(session, actor=PROVINCE_REVIEWER, target=BATCH, note="Tanggal salah",
                          now=clock.now())
    assert set(statuses(planned, BATCH).values()) == {"rejected"}
    event = events(planned, decision.changed[0])[-1]
    assert (event.kind, event.note, event.to_status) == ("rejected", "Tanggal salah", "rejected")


def test_cancel_and_reschedule(planned, catalog, clock):
    operator = actor("ops", "operator", "prov")
    with session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog, checks=CHECKS,
                now=clock.now())
        first, second = session.exec(select(Post).where(col(Post.batch) == BATCH)
                                     .order_by(col(Post.id)).limit(2)).all()
        moved = reschedule(session, actor=operator, post_id=first.id or 0,
                           at=datetime(2024, 1, 5, 15, 0, tzinfo=WIB), catalog=catalog,
                           checks=CHECKS, now=clock.now(), tz=WIB, note="bentrok acara")
        cancel(session, actor=operator, post_id=second.id or 0, now=clock.now(), note="duplikat")
    assert moved.status == PostStatus.APPROVED  # content unchanged, no new problem
    assert moved.due_at == datetime(2024, 1, 5, 15, 0, tzinfo=WIB)
    assert events(planned, second.id or 0)[-1].to_status == "cancelled"
    with pytest.raises(ReviewError, match="berstatus dibatalkan"), \
            session_scope(planned, write=True) as session:
        cancel(session, actor=operator, post_id=second.id or 0, now=clock.now())


def test_rescheduling_an_approved_post_into_the_quiet_period_is_refused(planned, catalog, clock):
    with session_scope(planned, write=True) as session:
        approve(session, actor=PROVINCE_REVIEWER, target=BATCH, catalog=catalog, checks=CHECKS,
                now=clock.now())
        post = session.exec(select(Post).where(col(Post.batch) == BATCH)).first()
        assert post is not None
    with pytest.raises(ReviewError, match="Masa tenang"), \
            session_scope(planned, write=True) as session:
        reschedule(session, actor=PROVINCE_REVIEWER, post_id=post.id or 0,
                   at=datetime(2024, 2, 12, 9, 0, tzinfo=WIB), catalog=catalog, checks=CHECKS,
                   now=clock.now(), tz=WIB)
    with Session(planned) as session:
        unchanged = session.get(Post, post.id)
        assert unchanged is not None
        assert unchanged.scheduled_at == post.scheduled_at


def test_every_transition_writes_an_event(synced, catalog, clock):
    later = datetime(2024, 1, 20, 9, 0, tzinfo=WIB)
    with session_scope(synced, write=True) as session:
        post = create_posts(session, actor=AUTHOR, catalog=catalog,
                            items=[NewPost("kab-a", "x", later, "Info.")],
                            checks=CHECKS, now=clock.now())[0]
        submit(session, actor=AUTHOR, target=str(post.id), now=clock.now())
        approve(session, actor=BLITAR_LIKE_REVIEWER, target=str(post.id), catalog=catalog,
                checks=CHECKS, now=clock.now())
        reschedule(session, actor=AUTHOR, post_id=post.id or 0, at=later + timedelta(hours=1),
                   catalog=catalog, checks=CHECKS, now=clock.now(), tz=WIB)
        cancel(session, actor=AUTHOR, post_id=post.id or 0, now=clock.now())
    trail = [(e.kind, e.actor, e.from_status, e.to_status) for e in events(synced, post.id or 0)]
    assert trail == [
        ("created", "rina", "draft", "draft"),
        ("submitted", "rina", "draft", "pending"),
        ("approved", "sari", "pending", "approved"),
        ("rescheduled", "rina", "approved", "approved"),
        ("cancelled", "rina", "approved", "cancelled"),
    ]
