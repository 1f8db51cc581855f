"""Operators' views and the rules the worker enforces: history, status, quotas,
Instagram reconciliation, account pausing from the command line."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from scheduler.config import load_settings
from scheduler.db import session_scope
from scheduler.history import history_page, status_report
from scheduler.models import Account, Post
from scheduler.posts import PostFilter
from scheduler.publishing.claims import claim
from scheduler.users import MACHINE_ADMIN
from tests.conftest import BOTH_DATABASES, FIRST_SLOT, WIB, events, posts, worker_for
from tests.fakes.instagram import FakeInstagram

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)


def test_history_filters_and_pages_newest_first(approved, catalog, settings, clock):
    worker_for(approved, catalog, settings, clock).run_once()
    with Session(approved) as session:
        def page_of(filters: PostFilter) -> list[Post]:
            return history_page(session, actor=MACHINE_ADMIN, filters=filters, tz=WIB)

        page = page_of(PostFilter(platforms=("x",), limit=2))
        assert [p.platform for p in page] == ["x", "x"]
        assert [p.region_key for p in page] == ["kota-b", "kab-a"]  # same time: newest id first
        rest = page_of(PostFilter(platforms=("x",), before_id=page[-1].id))
        assert [p.region_key for p in rest] == ["prov"]
        assert page_of(PostFilter(statuses=("failed",))) == []
        day = FIRST_SLOT.date()
        assert len(page_of(PostFilter(date_from=day, date_to=day))) == 15
        assert page_of(PostFilter(date_from=day + timedelta(days=1))) == []


def test_history_is_what_happened_newest_change_first(approved, catalog, settings, clock):
    from datetime import date

    from scheduler.planning import PlanRequest, plan_posts
    from scheduler.users import PLANNER

    worker_for(approved, catalog, settings, clock).run_once()
    plan_posts(approved, catalog, settings.templates_dir,  # next week's plans: not history
               PlanRequest(date_from=date(2024, 1, 2), date_to=date(2024, 1, 8)), clock.now(),
               actor=PLANNER)
    with Session(approved) as session:
        def page_of(filters: PostFilter) -> list[Post]:
            return history_page(session, actor=MACHINE_ADMIN, filters=filters, tz=WIB)

        everything = page_of(PostFilter())
        assert len(everything) == 15 and {p.status for p in everything} == {"published"}
        pending = page_of(PostFilter(statuses=("pending",)))
        assert pending and all(p.scheduled_at > FIRST_SLOT for p in pending)
        oldest = everything[-1]
    with session_scope(approved, write=True) as writing:
        changed = writing.get(Post, oldest.id)
        changed.updated_at = changed.updated_at + timedelta(minutes=30)  # changed last
    with Session(approved) as session:
        first, second = page_of(PostFilter(limit=2))
        assert first.id == oldest.id
        assert [p.id for p in page_of(PostFilter(before_id=first.id, limit=1))] == [second.id]


def test_history_formats(approved, catalog, settings, clock, siar):
    worker_for(approved, catalog, settings, clock).run_once()
    as_json = json.loads(siar("history", "--region", "kab-a", "--format", "json").stdout)
    assert len(as_json) == 5
    asked = siar("history", "--limit", "3").stdout  # the user's own limit: no hint to use it
    assert "3 unggahan." in asked and "batas tercapai" not in asked
    assert {r["status"] for r in as_json} == {"published"}
    assert as_json[0]["scheduled_at"] == "2024-01-01T09:00:00+07:00"
    assert as_json[0]["platform_url"].startswith("file://")
    rows = list(csv.DictReader(io.StringIO(siar("history", "--format", "csv").stdout)))
    assert len(rows) == 15
    assert set(rows[0]) >= {"id", "scheduled_at", "published_at", "region", "platform",
                            "status", "platform_url", "last_error"}
    table = siar("history", "--platform", "telegram")
    assert table.exit_code == 0
    assert "kota-b/telegram" in table.stdout
    assert "Terbit" in table.stdout and "09.00" in table.stdout  # when it really went out
    assert "file://" not in table.stdout  # an outbox file by its path
    shown = siar("post", "show", str(as_json[0]["id"]))
    assert "alamat: " in shown.stdout and "file://" not in shown.stdout  # likewise
    bad = siar("history", "--since", "2024-02-01", "--until", "2024-01-01")
    assert bad.exit_code == 2


def test_post_show_gives_the_whole_timeline(approved, catalog, settings, clock, siar):
    worker_for(approved, catalog, settings, clock).run_once()
    shown = siar("post", "show", "1")
    assert shown.exit_code == 0, shown.output
    # Events, statuses and actors as people read them (JSON and CSV keep English).
    for kind in ("direncanakan", "disetujui", "dikirim ke platform", "terbit"):
        assert kind in shown.stdout
    assert "pekerja (uji, pid 1)" in shown.stdout and "perencana" in shown.stdout
    assert siar("post", "show", "9999").exit_code == 3


def test_post_show_explains_each_event(synced, catalog, settings, clock, siar):
    """The audit in view: an edit as a diff, an admin's override with its reason and the
    problems it accepted, the attempt's adapter and the address it was published at."""
    from datetime import date

    from scheduler.checks.post_checks import CheckSettings
    from scheduler.editing import edit_post
    from scheduler.planning import PlanRequest, plan_posts
    from scheduler.review import approve
    from scheduler.users import PLANNER
    from tests.conftest import actor

    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1),
                           regions=("kab-a",), platforms=("facebook",)),
               clock.now(), actor=PLANNER)
    [post] = posts(synced)
    with session_scope(synced, write=True) as session:
        edit_post(session, actor=actor("rina", "author", "kab-a"), post_id=post.id or 0,
                  catalog=catalog, checks=CheckSettings(), now=clock.now(), tz=WIB,
                  text=post.text.replace("memeriksa data", "mengecek data")
                  + "\nBaris tambahan tentang Partai Contoh.")
        approve(session, actor=actor("admin", "admin", "prov"), target=str(post.id),
                catalog=catalog, checks=CheckSettings(), now=clock.now(),
                override_reason="diminta pimpinan")
    clock.set(FIRST_SLOT + timedelta(seconds=1))
    worker_for(synced, catalog, settings, clock).run_once()
    shown = siar("post", "show", str(post.id))
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    assert "teks (- sebelum, + sesudah):" in out
    lines = [line.strip() for line in out.splitlines()]
    assert any(line.startswith("-KPU Kabupaten A") and "memeriksa data" in line
               for line in lines)
    assert any(line.startswith("+KPU Kabupaten A") and "mengecek data" in line
               for line in lines)
    assert "+Baris tambahan tentang Partai Contoh." in lines
    assert "dikesampingkan oleh admin, alasan: diminta pimpinan" in lines
    assert any(line.startswith("masalah yang diterima: menyebut peserta pemilu")
               for line in lines)
    assert "lewat: outbox" in out and "alamat: /" in out  # an outbox file by its path
    assert "percobaan ke: 1" in out


def test_status_counts_and_lists_problems(approved, catalog, settings, clock, siar):
    with session_scope(approved, write=True) as session:
        post = session.get(Post, 1)
        assert post is not None
        post.status, post.last_error, post.updated_at = "failed", "ditolak platform", clock.now()
        account = session.exec(select(Account).where(Account.region_key == "kab-a",
                                                     Account.platform == "x")).one()
        account.paused_at, account.paused_reason = clock.now(), "token kedaluwarsa"
    with Session(approved) as session:
        report = status_report(session, now=clock.now(), actor=MACHINE_ADMIN)
    assert report.counts == {"approved": 14, "failed": 1}
    assert [p.id for p in report.recent_problems] == [1]
    assert [f"{a.region_key}/{a.platform}" for a in report.paused] == ["kab-a/x"]
    shown = siar("--now", FIRST_SLOT.isoformat(), "status")
    assert "disetujui 14, gagal 1" in shown.stdout
    assert "token kedaluwarsa" in shown.stdout


def test_instagram_daily_quota_is_enforced_locally(approved, clock):
    with session_scope(approved, write=True) as session:
        post = session.exec(select(Post).where(Post.region_key == "kab-a",
                                               Post.platform == "instagram")).one()
        for i in range(50):  # fifty posts published through the API in the last 24 hours
            session.add(Post(
                account_id=post.account_id, region_key="kab-a", platform="instagram",
                scheduled_at=clock.now(), due_at=clock.now(), text=f"lama {i}",
                status="published", created_by="uji", created_at=clock.now(),
                updated_at=clock.now(), platform_ref={}, problems=[],
                published_at=clock.now() - timedelta(hours=23, minutes=59 - i),
                published_via="instagram"))
    with Session(approved) as session:
        account = session.get(Account, post.account_id)
    claimed = claim(approved, post.id or 0, "uji:1:1", clock.now(), account, via="instagram")
    assert claimed is None
    with Session(approved) as session:
        deferred = session.get(Post, post.id)
        assert deferred is not None
        assert deferred.status == "approved"
        # when the oldest of the fifty leaves the 24-hour window
        assert deferred.due_at == clock.now() - timedelta(hours=23, minutes=59) + timedelta(
            hours=24, seconds=1)
    assert [e.kind for e in events(approved, post.id or 0)][-1] == "deferred"


def test_outbox_posts_do_not_count_against_the_platform_quota(approved, clock):
    with session_scope(approved, write=True) as session:
        post = session.exec(select(Post).where(Post.region_key == "kab-a",
                                               Post.platform == "instagram")).one()
        for i in range(60):
            session.add(Post(
                account_id=post.account_id, region_key="kab-a", platform="instagram",
                scheduled_at=clock.now(), due_at=clock.now(), text=f"lama {i}",
                status="published", created_by="uji", created_at=clock.now(),
                updated_at=clock.now(), platform_ref={}, problems=[],
                published_at=clock.now() - timedelta(hours=1), published_via="outbox"))
    with Session(approved) as session:
        account = session.get(Account, post.account_id)
    claimed = claim(approved, post.id or 0, "uji:1:1", clock.now(), account, via="instagram")
    assert claimed is not None


def test_an_ambiguous_instagram_publish_is_reconciled_without_publishing_twice(
        approved, catalog, settings, clock):
    with FakeInstagram(tokens={"IG-TOKEN-KAB-A"}, user_id="1784") as fake:
        env = {**settings.environ, "SIAR_INSTAGRAM_API_URL": fake.url,
               "SIAR_KAB_A_INSTAGRAM_IG_USER_ID": "1784",
               "SIAR_KAB_A_INSTAGRAM_ACCESS_TOKEN": "IG-TOKEN-KAB-A",
               "SIAR_MEDIA_BASE_URL": "https://media.kpu.example/siar", "SIAR_HTTP_TIMEOUT": "0.5"}
        live = load_settings(env=env, env_file=None)
        fake.fail_next("hang", path="/media_publish", process=True)
        worker_for(approved, catalog, live, clock).run_once()
        post = next(p for p in posts(approved) if (p.region_key, p.platform) == (
            "kab-a", "instagram"))
        assert post.status == "uncertain"
        assert post.platform_ref.get("container_id")  # checkpointed before media_publish
        clock.advance(timedelta(minutes=1))
        worker_for(approved, catalog, live, clock).run_once()  # reconciles on start
        post = next(p for p in posts(approved) if p.id == post.id)
        assert post.status == "published"
        assert [e.kind for e in events(approved, post.id or 0)][-1] == "reconciled"
        assert len(fake.published) == 1
        assert len(fake.calls("/media_publish")) == 1


def test_operator_pauses_and_resumes_an_account_from_the_command_line(approved, siar):
    assert siar("user", "add", "ops", "--role", "operator", "--region", "province",
                "--password-stdin", input="sandi-ops-123\n").exit_code == 0
    login = {"input": "sandi-ops-123\n"}
    paused = siar("account", "pause", "kab-a/x", "--note", "ganti token", "--as", "ops",
                  "--password-stdin", **login)
    assert paused.exit_code == 0, paused.output
    listed = siar("account", "list", "--region", "kab-a")
    assert "dijeda: ganti token (ops)" in listed.stdout
    assert "outbox" in listed.stdout  # no credentials: publishes to the outbox
    unknown = siar("account", "pause", "kab-a/myspace", "--note", "x", "--as", "ops",
                   "--password-stdin", **login)
    assert unknown.exit_code == 3
    resumed = siar("account", "resume", "kab-a/x", "--as", "ops", "--password-stdin", **login)
    assert resumed.exit_code == 0, resumed.output
    with Session(approved) as session:
        assert session.exec(select(Account).where(
            col(Account.paused_at).is_not(None))).first() is None


def test_status_lists_unapproved_posts_due_within_a_day_by_office(synced, catalog, settings,
                                                                   clock, siar):
    from datetime import date

    from scheduler.planning import PlanRequest, plan_posts
    from scheduler.users import PLANNER

    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 3)),
               clock.now(), actor=PLANNER)
    shown = siar("--now", "2024-01-01T08:00", "status")
    assert shown.exit_code == 0, shown.output
    assert "Belum disetujui, jatuh tempo dalam 24 jam: 15" in shown.stdout
    assert "kab-a: 5 unggahan, pertama 2024-01-01 09.00" in shown.stdout
    later = siar("--now", "2024-01-03T10:00", "status")
    assert "Belum disetujui, jatuh tempo dalam 24 jam: 0" in later.stdout


def test_a_refusal_names_the_status_in_indonesian(approved, siar):
    """`post resolve` of an approved post (the README's example on the demo) is refused
    with exit 6 and the status people read, not the stored English value."""
    assert siar("user", "add", "ops", "--role", "operator", "--region", "province",
                "--password-stdin", input="sandi-ops-123\n").exit_code == 0
    post_id = str(posts(approved)[0].id)
    for how in (["--retry"], ["--published", "https://t.me/kpu/1"]):
        refused = siar("post", "resolve", post_id, *how, "--as", "ops", "--password-stdin",
                       input="sandi-ops-123\n")
        assert refused.exit_code == 6, refused.output
        assert "berstatus disetujui; hanya yang belum pasti atau gagal" in refused.stderr
        assert "approved" not in refused.stderr
    cancelled = siar("post", "cancel", post_id, "--as", "ops", "--password-stdin",
                     input="sandi-ops-123\n")
    assert cancelled.exit_code == 0, cancelled.output
    again = siar("post", "cancel", post_id, "--as", "ops", "--password-stdin",
                 input="sandi-ops-123\n")
    assert again.exit_code == 6 and "berstatus dibatalkan, tidak dapat" in again.stderr
