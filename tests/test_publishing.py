"""Publishing against the outbox and fake platforms over real HTTP on 127.0.0.1."""

import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.config import Settings, load_settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import PermissionDenied
from scheduler.models import Account, Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.publishing.reconcile import resolve
from scheduler.review import approve
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES, FIRST_SLOT, actor, events, posts, worker_for
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

OPERATOR = actor("ops", "operator", "prov")
TOKEN = "123456:PLANTED-SECRET-TOKEN-kab-a"


@pytest.fixture
def planned_more(approved: Engine, catalog: Catalog, settings: Settings,
                 clock: FixedClock) -> None:
    """Two more days of the mini plan, approved (three posts per account in all)."""
    plan_posts(approved, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 2), date_to=date(2024, 1, 3)), clock.now(),
               actor=PLANNER)
    for day in ("02", "03"):
        with session_scope(approved, write=True) as session:
            approve(session, actor=actor("rudi", "reviewer", "prov"),
                    target=f"daftar-harian@2024-01-{day}T09:00", catalog=catalog,
                    checks=CheckSettings(), now=clock.now())


def test_without_credentials_everything_goes_to_the_outbox(approved, catalog, settings, clock):
    outcomes = worker_for(approved, catalog, settings, clock).run_once()
    assert sorted(o.status for o in outcomes) == ["published"] * 15
    assert {o.adapter for o in outcomes} == {"outbox"}
    published = posts(approved)
    assert {p.status for p in published} == {"published"}
    assert all(p.published_via == "outbox" for p in published)
    files = sorted(settings.outbox_dir.rglob("*.json"))
    assert len(files) == 15
    record = json.loads(files[0].read_text())
    post = next(p for p in published if p.id == record["post_id"])
    assert (record["text"], record["platform"], record["region"]) == (
        post.text, post.platform, post.region_key)
    trail = [(e.kind, e.from_status, e.to_status) for e in events(approved, published[0].id or 0)]
    assert trail[-2:] == [("attempt", "approved", "publishing"),
                          ("published", "publishing", "published")]


def test_the_worker_logs_one_line_per_published_or_missed_post(approved, catalog, settings,
                                                               clock, caplog):
    caplog.set_level("INFO", logger="scheduler.publishing")
    worker_for(approved, catalog, settings, clock).run_once()
    published = [r.getMessage() for r in caplog.records if r.getMessage().startswith("terbit:")]
    assert len(published) == 15
    kab_a = next(line for line in published if " kab-a via outbox" in line)
    assert "tepat waktu" in kab_a and "outbox" in kab_a
    # The next day's batch, found two hours late: each post is missed, one line each.
    caplog.clear()
    plan_posts(approved, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 2), date_to=date(2024, 1, 2)), clock.now(),
               actor=PLANNER)
    with session_scope(approved, write=True) as session:
        approve(session, actor=actor("rudi", "reviewer", "prov"),
                target="daftar-harian@2024-01-02T09:00", catalog=catalog,
                checks=CheckSettings(), now=clock.now())
    clock.set(FIRST_SLOT + timedelta(days=1, hours=2))
    worker_for(approved, catalog, settings, clock).run_once()
    missed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("missed:")]
    assert len(missed) == 15 and all("terlambat" in line for line in missed)


def test_the_worker_says_each_minute_that_it_lives_and_what_is_next(approved, catalog,
                                                                    settings, clock, caplog):
    caplog.set_level("INFO", logger="scheduler.worker")
    clock.set(FIRST_SLOT - timedelta(minutes=5))
    worker = worker_for(approved, catalog, settings, clock)
    worker.maintain()  # the maintenance job, every minute
    lines = [r.getMessage() for r in caplog.records if "hidup" in r.getMessage()]
    assert lines == ["pekerja uji:1:1 hidup (pemimpin: merencanakan dan merawat); unggahan "
                     "disetujui berikutnya: 2024-01-01 09.00 WIB"]
    worker.step_down()


def test_run_once_reports_progress_as_posts_finish(approved, catalog, settings, clock):
    heard: list[tuple[int, int]] = []
    outcomes = worker_for(approved, catalog, settings, clock).run_once(
        lambda done, known: heard.append((done, known)))
    assert len(outcomes) == 15
    assert heard[0][0] == 0 and heard[-1] == (15, 15)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    assert all(done <= known for done, known in heard)


def test_nothing_is_published_before_its_minute(approved, catalog, settings, clock):
    clock.set(FIRST_SLOT - timedelta(seconds=1))
    assert worker_for(approved, catalog, settings, clock).run_once() == []
    assert {p.status for p in posts(approved)} == {"approved"}


def test_a_published_post_is_never_sent_again(approved, catalog, settings, clock):
    worker_for(approved, catalog, settings, clock).run_once()
    clock.advance(timedelta(hours=1))
    assert worker_for(approved, catalog, settings, clock).run_once() == []
    assert len(list(settings.outbox_dir.rglob("*.json"))) == 15


@pytest.fixture
def telegram(settings: Settings) -> Iterator[tuple[FakeTelegram, Settings]]:
    """A fake Telegram, and settings in which kab-a's Telegram account has credentials
    (the variables its content entry names)."""
    with FakeTelegram(tokens={TOKEN}, chats={"@kpukaba": {"type": "channel",
                                                         "username": "kpukaba"}}) as fake:
        environ = {**settings.environ, "SIAR_KAB_A_TELEGRAM_BOT_TOKEN": TOKEN,
                   "SIAR_KAB_A_TELEGRAM_CHAT_ID": "@kpukaba",
                   "SIAR_TELEGRAM_API_URL": fake.url, "SIAR_HTTP_TIMEOUT": "0.5",
                   "SIAR_RETRY_BASE": "10"}
        yield fake, load_settings(env=environ, env_file=None)


def telegram_post(engine: Engine) -> Post:
    return next(p for p in posts(engine) if p.region_key == "kab-a" and p.platform == "telegram")


def test_an_account_with_credentials_publishes_to_its_platform(
        approved, catalog, clock, telegram):
    fake, settings = telegram
    worker_for(approved, catalog, settings, clock).run_once()
    post = telegram_post(approved)
    assert post.status == "published"
    assert post.published_via == "telegram"
    assert post.platform_url and post.platform_url.startswith("https://t.me/kpukaba/")
    assert len(fake.calls("/sendPhoto")) + len(fake.calls("/sendMessage")) == 1


def test_transient_failure_is_retried_with_backoff_then_fails(
        approved, catalog, clock, telegram):
    fake, settings = telegram
    fake.fail_next("rate_limit", times=10, retry_after=120)
    for attempt in range(1, 6):
        worker_for(approved, catalog, settings, clock).run_once()
        post = telegram_post(approved)
        if attempt < 5:
            assert post.status == "retrying"
            assert post.due_at >= clock.now() + timedelta(seconds=120)  # Telegram's retry_after
            clock.set(post.due_at + timedelta(seconds=1))
    assert post.status == "failed"
    assert post.attempts == 5
    kinds = [e.kind for e in events(approved, post.id or 0)]
    assert kinds.count("retry") == 4
    assert kinds[-1] == "failed"


def test_expired_token_pauses_the_account_and_holds_its_posts(
        approved, catalog, clock, telegram):
    fake, settings = telegram
    fake.fail_next("expired_token")
    worker_for(approved, catalog, settings, clock).run_once()
    post = telegram_post(approved)
    assert post.status == "approved"  # held, not lost
    assert [e.kind for e in events(approved, post.id or 0)][-1] == "held"
    with Session(approved) as session:
        account = session.get(Account, post.account_id)
        assert account is not None
        assert account.paused_at is not None
    assert worker_for(approved, catalog, settings, clock).run_once() == []  # still held
    with session_scope(approved, write=True) as session:
        from scheduler.accounts import resume_account

        resume_account(session, actor=OPERATOR, key="kab-a/telegram")
    worker_for(approved, catalog, settings, clock).run_once()
    assert telegram_post(approved).status == "published"


def test_permanent_refusal_fails_with_the_platforms_message(
        approved, catalog, clock, telegram):
    fake, settings = telegram
    fake.fail_next("kicked")
    worker_for(approved, catalog, settings, clock).run_once()
    post = telegram_post(approved)
    assert post.status == "failed"
    assert post.last_error and "403" in (json.dumps(events(approved, post.id or 0)[-1].details))


def test_an_answer_that_never_comes_makes_the_post_uncertain_and_it_is_not_resent(
        approved, catalog, clock, telegram):
    fake, settings = telegram
    fake.fail_next("hang", process=True)
    worker_for(approved, catalog, settings, clock).run_once()
    post = telegram_post(approved)
    assert post.status == "uncertain"
    sent = len(fake.requests)
    clock.advance(timedelta(hours=2))
    worker_for(approved, catalog, settings, clock).run_once()
    assert telegram_post(approved).status == "uncertain"
    assert len(fake.requests) == sent  # never resent automatically


def test_operator_resolves_an_uncertain_post(approved, catalog, clock, telegram):
    fake, settings = telegram
    fake.fail_next("hang", process=True)
    worker_for(approved, catalog, settings, clock).run_once()
    post_id = telegram_post(approved).id or 0
    with pytest.raises(PermissionDenied), session_scope(approved, write=True) as session:
        resolve(session, actor=actor("rina", "author", "prov"), post_id=post_id, now=clock.now(),
                retry=True)
    with session_scope(approved, write=True) as session:
        resolve(session, actor=OPERATOR, post_id=post_id, now=clock.now(),
                published_url="https://t.me/kpukaba/1", note="dicek di kanal")
    post = telegram_post(approved)
    assert post.status == "published"
    assert post.platform_url == "https://t.me/kpukaba/1"
    assert events(approved, post_id)[-1].actor == "ops"


def test_operator_retry_sends_an_uncertain_post_again(approved, catalog, clock, telegram):
    fake, settings = telegram
    fake.fail_next("disconnect")  # closed before the platform acted
    worker_for(approved, catalog, settings, clock).run_once()
    post_id = telegram_post(approved).id or 0
    assert telegram_post(approved).status == "uncertain"
    with session_scope(approved, write=True) as session:
        resolve(session, actor=OPERATOR, post_id=post_id, now=clock.now(), retry=True,
                note="tidak ada di kanal")
    worker_for(approved, catalog, settings, clock).run_once()
    assert telegram_post(approved).status == "published"


def dead_worker_claims(engine: Engine, post_id: int, clock: FixedClock) -> None:
    """Leave a post as a worker that was killed after claiming it would."""
    with session_scope(engine, write=True) as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.status, post.claimed_at = "publishing", clock.now()
        post.claimed_by = f"{socket.gethostname()}:{2**22 + 12345}:1"  # no such process


def test_a_dead_workers_outbox_post_is_reconciled_then_sent(approved, catalog, settings, clock):
    first = posts(approved)[0].id or 0
    dead_worker_claims(approved, first, clock)
    worker_for(approved, catalog, settings, clock).run_once()
    trail = [(e.kind, e.to_status) for e in events(approved, first)]
    # Recovered as uncertain; the outbox has no file for it, so it surely was not written,
    # and it is sent again, once.
    assert trail[-4:] == [("uncertain", "uncertain"), ("reconciled", "retrying"),
                          ("attempt", "publishing"), ("published", "published")]
    assert len(list(settings.outbox_dir.rglob(f"{first}.json"))) == 1


def test_a_dead_workers_post_that_reached_the_outbox_is_not_written_again(
        approved, catalog, settings, clock):
    worker_for(approved, catalog, settings, clock).run_once()
    first = posts(approved)[0].id or 0
    path = next(settings.outbox_dir.rglob(f"{first}.json"))
    written = path.read_bytes()
    dead_worker_claims(approved, first, clock)  # as if it died after writing the file
    worker_for(approved, catalog, settings, clock).run_once()
    assert [e.kind for e in events(approved, first)][-2:] == ["uncertain", "reconciled"]
    assert next(p for p in posts(approved) if p.id == first).status == "published"
    assert path.read_bytes() == written


def test_another_machines_claim_is_respected_until_its_lease_ends(approved, catalog, settings,
                                                                  clock):
    first = posts(approved)[0].id or 0
    with session_scope(approved, write=True) as session:
        post = session.get(Post, first)
        assert post is not None
        post.status, post.claimed_at = "publishing", clock.now()
        post.claimed_by = "mesin-lain:4242:1"
    worker_for(approved, catalog, settings, clock).run_once()
    assert next(p for p in posts(approved) if p.id == first).status == "publishing"
    clock.advance(timedelta(seconds=settings.claim_lease + 1))
    worker_for(approved, catalog, settings, clock).run_once()
    assert [e.kind for e in events(approved, first)][-1] in ("published", "reconciled")


def test_one_request_at_a_time_per_account_several_accounts_at_once(approved, catalog, clock,
                                                                     settings, planned_more):
    with FakeTelegram(accept_any_token=True, accept_any_account=True, chats={},
                      latency=0.3) as fake:
        # Three days' posts fall due at once: let the old ones still go out.
        environ = {**settings.environ, "SIAR_TELEGRAM_API_URL": fake.url,
                   "SIAR_MAX_LATENESS": str(3 * 24 * 60)}
        for region in ("PROV", "KAB_A", "KOTA_B"):
            environ[f"SIAR_{region}_TELEGRAM_BOT_TOKEN"] = f"1:{region}"
            environ[f"SIAR_{region}_TELEGRAM_CHAT_ID"] = f"@kpu{region.lower()}"
        live = load_settings(env=environ, env_file=None)
        clock.set(FIRST_SLOT + timedelta(days=2, seconds=1))  # three days' posts are due
        worker_for(approved, catalog, live, clock).run_once()
    telegram = [p for p in posts(approved) if p.platform == "telegram"]
    assert len(telegram) == 9
    assert {p.status for p in telegram} == {"published"}
    assert fake.max_in_flight == {"@kpuprov": 1, "@kpukab_a": 1, "@kpukota_b": 1}
    assert fake.max_in_flight_overall > 1  # the accounts were served in parallel
