"""Nothing unsafe leaves: the last decision before a send, failing closed, the outbox
proving only its own posts, reconciliation that sees every post, four-eyes over every
author, and real time in the audit log."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.checks.post_checks import CheckSettings
from scheduler.config import Settings, load_settings
from scheduler.db import session_scope
from scheduler.editing import edit_post
from scheduler.errors import ReviewError
from scheduler.models import Account, Post
from scheduler.publishing.attempt import ClaimLost, save_ref
from scheduler.publishing.reconcile import reconcile_uncertain, resolve
from scheduler.review import approve
from tests.conftest import BOTH_DATABASES, WIB, actor, events, posts, worker_for

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

OPERATOR = actor("ops", "operator", "prov")
SLOT = datetime(2024, 1, 5, 9, 0, tzinfo=WIB)  # inside the mini election's "daftar" stage


def account_of(engine: Engine, region: str, platform: str) -> Account:
    with Session(engine) as session:
        return session.exec(select(Account).where(col(Account.region_key) == region,
                                                  col(Account.platform) == platform)).one()


def add_post(engine: Engine, region: str, platform: str, at: datetime, *,
             status: str = "approved", template: str | None = "daftar",
             text: str | None = None, **fields: Any) -> int:
    """An approved post as review would leave it (planned from the mini plan's rule)."""
    account = account_of(engine, region, platform)
    with session_scope(engine, write=True) as session:
        post = Post(account_id=account.id or 0, region_key=region, platform=platform,
                    election_key="uji-2024", stage_key="daftar", template=template,
                    rule_key="daftar-harian" if template == "daftar" else None,
                    batch=f"uji@{at:%Y-%m-%dT%H:%M}", scheduled_at=at, due_at=at,
                    text=text or f"Unggahan uji {region} {platform} {at:%H:%M}",
                    status=status, created_by="rina", created_at=at - timedelta(days=2),
                    updated_at=at - timedelta(days=2), approved_by="rudi",
                    platform_ref={}, problems=fields.pop("problems", []), **fields)
        session.add(post)
        session.flush()
        return post.id or 0


def status_of(engine: Engine, post_id: int) -> Post:
    with Session(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post


def settings_with(settings: Settings, **changes: str) -> Settings:
    return load_settings(env={**settings.environ, **changes}, env_file=None)


# --- 1. the last decision before every send --------------------------------------------


@pytest.mark.parametrize(("late", "status"), [
    (timedelta(minutes=30), "published"),
    (timedelta(minutes=30, seconds=1), "missed"),
    (timedelta(minutes=31), "missed"),
])
def test_a_post_is_sent_up_to_the_lateness_limit_and_missed_after(
        synced, catalog, settings, clock, late, status) -> None:
    post_id = add_post(synced, "kab-a", "facebook", SLOT)
    clock.set(SLOT + late)
    worker_for(synced, catalog, settings, clock).run_once()
    post = status_of(synced, post_id)
    assert post.status == status
    if status == "missed":
        assert "terlambat" in (post.last_error or "")
        assert not list(settings.outbox_dir.rglob(f"{post_id}.json"))  # nothing was sent
        assert events(synced, post_id)[-1].kind == "missed"


def test_a_rule_may_set_its_own_lateness_limit(synced, mini, settings, clock) -> None:
    plan = mini / "content" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "    image: kartu.jpg\n", "    image: kartu.jpg\n    max_lateness: 120\n", 1),
        encoding="utf-8")
    from scheduler.catalog import load_catalog

    catalog = load_catalog(settings.content_dir, settings.templates_dir)
    assert catalog.rule("daftar-harian").max_lateness == 120  # type: ignore[union-attr]
    kept = add_post(synced, "kab-a", "facebook", SLOT)
    clock.set(SLOT + timedelta(minutes=90))
    worker_for(synced, catalog, settings, clock).run_once()
    assert status_of(synced, kept).status == "published"


def test_the_worker_marks_overdue_posts_missed_even_on_a_held_account(
        synced, catalog, settings, clock) -> None:
    post_id = add_post(synced, "kab-a", "facebook", SLOT)
    with session_scope(synced, write=True) as session:
        account = session.get(Account, account_of(synced, "kab-a", "facebook").id)
        assert account is not None
        account.paused_at, account.paused_reason = SLOT, "ganti token (ops)"
    clock.set(SLOT + timedelta(hours=2))
    worker_for(synced, catalog, settings, clock).run_once()
    assert status_of(synced, post_id).status == "missed"


def test_a_post_held_until_the_quiet_period_is_not_sent(synced, catalog, settings,
                                                        clock) -> None:
    """Approved for the evening before the quiet period, its account paused; resumed
    (within the lateness limit) once the quiet period has begun: back to review."""
    evening = datetime(2024, 2, 10, 23, 50, tzinfo=WIB)
    post_id = add_post(synced, "kab-a", "facebook", evening)
    clock.set(evening + timedelta(minutes=20))  # 00:10 on 11 February: masa tenang
    worker_for(synced, catalog, settings, clock).run_once()
    post = status_of(synced, post_id)
    assert post.status == "pending"
    assert post.approved_by is None
    assert [p["code"] for p in post.problems] == ["quiet_period"]
    assert events(synced, post_id)[-1].kind == "unsafe"
    assert not list(settings.outbox_dir.rglob(f"{post_id}.json"))


def test_an_override_given_at_approval_still_holds_at_the_send(synced, catalog, settings,
                                                               clock) -> None:
    quiet = datetime(2024, 2, 12, 9, 0, tzinfo=WIB)
    post_id = add_post(synced, "kab-a", "facebook", quiet, problems=[
        {"code": "quiet_period", "message": "Masa tenang: diizinkan admin"}])
    clock.set(quiet + timedelta(seconds=5))
    worker_for(synced, catalog, settings, clock).run_once()
    assert status_of(synced, post_id).status == "published"


def test_an_operators_retry_of_a_late_post_is_missed_not_sent(synced, catalog, settings,
                                                              clock) -> None:
    post_id = add_post(synced, "kab-a", "telegram", SLOT, status="uncertain")
    clock.set(SLOT + timedelta(hours=3))
    with session_scope(synced, write=True) as session:
        resolve(session, actor=OPERATOR, post_id=post_id, now=clock.now(), retry=True,
                note="tidak ada")
    worker_for(synced, catalog, settings, clock).run_once()
    assert status_of(synced, post_id).status == "missed"


def test_missed_posts_of_a_batch_are_rescheduled_or_cancelled_at_once(
        synced, catalog, settings, clock, siar, cli_env) -> None:
    ids = [add_post(synced, region, "facebook", SLOT) for region in ("prov", "kab-a", "kota-b")]
    clock.set(SLOT + timedelta(hours=2))
    worker_for(synced, catalog, settings, clock).run_once()
    assert {status_of(synced, i).status for i in ids} == {"missed"}
    siar("user", "add", "ops.uji", "--role", "operator", "--region", "prov",
         "--password-stdin", input="sandi-operator\n")
    now = "2024-01-05T11:00"
    moved = siar("--now", now, "post", "reschedule", f"uji@{SLOT:%Y-%m-%dT%H:%M}", "--at",
                 "2024-01-05T13:00", "--as", "ops.uji", "--password-stdin",
                 input="sandi-operator\n")
    assert moved.exit_code == 0, moved.output
    assert "3 unggahan dijadwal ulang" in moved.output
    assert {status_of(synced, i).status for i in ids} == {"approved"}
    gone = siar("--now", now, "post", "cancel", f"uji@{SLOT:%Y-%m-%dT%H:%M}", "--as", "ops.uji",
                "--password-stdin", input="sandi-operator\n")
    assert gone.exit_code == 0, gone.output
    assert {status_of(synced, i).status for i in ids} == {"cancelled"}


# --- 2. fail closed ----------------------------------------------------------------------


def test_a_missing_credential_publishes_nothing_and_says_so(synced, catalog, settings, clock,
                                                           siar) -> None:
    closed = settings_with(settings, SIAR_OUTBOX_FALLBACK="0")
    post_id = add_post(synced, "kab-a", "telegram", SLOT)
    clock.set(SLOT + timedelta(seconds=1))
    outcomes = worker_for(synced, catalog, closed, clock).run_once()
    assert outcomes == []
    assert status_of(synced, post_id).status == "approved"  # it waits
    assert not settings.outbox_dir.exists()
    env = {"SIAR_OUTBOX_FALLBACK": "0"}
    listing = siar("account", "list", "--region", "kab-a", env=env)
    assert "kredensial belum diisi: SIAR_KAB_A_TELEGRAM_BOT_TOKEN" in listing.output
    status = siar("status", env=env)
    assert "kab-a/telegram: kredensial belum diisi: SIAR_KAB_A_TELEGRAM_BOT_TOKEN" in \
        status.output.replace("\n", " ").replace("  ", " ")


def test_one_missing_variable_of_two_is_named(synced, settings, clock, siar) -> None:
    env = {"SIAR_OUTBOX_FALLBACK": "0", "SIAR_KAB_A_TELEGRAM_BOT_TOKEN": "1:ABC"}
    listing = siar("account", "list", "--region", "kab-a", env=env)
    assert "kredensial belum diisi: SIAR_KAB_A_TELEGRAM_CHAT_ID" in listing.output
    assert "SIAR_KAB_A_TELEGRAM_BOT_TOKEN" not in listing.output.split("telegram", 1)[1]


def test_every_published_post_names_the_adapter_that_carried_it(
        approved, catalog, settings, clock, siar) -> None:
    worker_for(approved, catalog, settings, clock).run_once()
    first = posts(approved)[0]
    assert first.published_via == "outbox"
    listed = json.loads(siar("posts", "--format", "json").output)
    assert {p["published_via"] for p in listed} == {"outbox"}
    history = json.loads(siar("history", "--format", "json").output)
    assert {p["published_via"] for p in history} == {"outbox"}
    shown = siar("post", "show", str(first.id))
    assert "Diterbitkan lewat: outbox" in shown.output


# --- 3. the outbox proves nothing it did not write ---------------------------------------


def test_a_fresh_database_reusing_the_outbox_folder_writes_its_own_files(
        approved, catalog, settings, clock, tmp_path, database_url) -> None:
    first = posts(approved)[0]
    stale = settings.outbox_dir / first.region_key / f"{first.id}.json"
    stale.parent.mkdir(parents=True)
    stale.write_text(json.dumps({"post_id": first.id, "text": "unggahan basis data lama"}))
    worker_for(approved, catalog, settings, clock).run_once()
    assert status_of(approved, first.id or 0).status == "published"
    written = list(settings.outbox_dir.rglob(f"{first.id}.json"))
    assert len(written) == 2
    ours = next(p for p in written if p != stale)
    assert json.loads(ours.read_text())["text"] == first.text
    assert ours.parent.parent.name.startswith("siar-")  # the instance's own folder


# --- 5. reconciliation sees every post it can reconcile -----------------------------------


def test_reconciliation_reaches_a_post_behind_150_it_cannot_look_up(
        synced, catalog, settings, clock) -> None:
    for i in range(150):  # Telegram cannot look posts up: an operator decides these
        add_post(synced, "kab-a", "telegram", SLOT, status="uncertain", text=f"t{i}",
                 attempt_via="telegram")
    outbox_post = add_post(synced, "kota-b", "facebook", SLOT, status="uncertain",
                           attempt_via="outbox")
    clock.set(SLOT + timedelta(minutes=1))
    worker = worker_for(synced, catalog, settings, clock)  # sets the instance id
    results = reconcile_uncertain(synced, worker.factory, settings, clock, "uji:1:1")
    assert [r.post_id for r in results] == [outbox_post]
    assert status_of(synced, outbox_post).status == "retrying"  # surely absent: sent again


def test_a_post_the_platform_cannot_answer_about_waits_its_turn(
        synced, catalog, settings, clock, tmp_path) -> None:
    unreadable = settings_with(settings, SIAR_OUTBOX_DIR=str(tmp_path / "nowhere" / "x"))
    post_id = add_post(synced, "kota-b", "facebook", SLOT, status="uncertain",
                       attempt_via="outbox")
    (tmp_path / "nowhere").write_text("not a folder")  # the lookup fails: ask again later
    clock.set(SLOT + timedelta(minutes=1))
    worker = worker_for(synced, catalog, unreadable, clock)
    reconcile_uncertain(synced, worker.factory, unreadable, clock, "uji:1:1")
    post = status_of(synced, post_id)
    assert post.status == "uncertain"
    assert post.due_at > clock.now()  # looked up again later, not every minute


# --- 6. fewer posts left to a person ------------------------------------------------------


def test_saving_a_container_fails_once_the_claim_is_lost(synced, clock) -> None:
    post_id = add_post(synced, "kab-a", "instagram", SLOT, status="uncertain")
    with pytest.raises(ClaimLost):
        save_ref(synced, post_id, "uji:1:1", {"container_id": "1789"}, clock.now())
    assert status_of(synced, post_id).platform_ref == {}


def test_a_dead_workers_instagram_post_without_a_container_is_sent_again_once(
        synced, catalog, settings, clock) -> None:
    from tests.fakes.instagram import FakeInstagram

    post_id = add_post(synced, "kab-a", "instagram", SLOT, image="kartu.jpg",
                       status="publishing", claimed_by="mesin-mati:1:1", claimed_at=SLOT,
                       attempt_via="instagram", attempts=1)
    with FakeInstagram(tokens={"IG-KAB-A"}, user_id="1784") as fake:
        live = settings_with(settings, SIAR_INSTAGRAM_API_URL=fake.url,
                             SIAR_MEDIA_BASE_URL="https://media.kpu.example",
                             SIAR_KAB_A_INSTAGRAM_IG_USER_ID="1784",
                             SIAR_KAB_A_INSTAGRAM_ACCESS_TOKEN="IG-KAB-A",
                             SIAR_CLAIM_LEASE="60")
        clock.set(SLOT + timedelta(minutes=2))  # the dead machine's lease has run out
        worker = worker_for(synced, catalog, live, clock)
        worker.run_once()
        assert status_of(synced, post_id).status == "published"
        assert len(fake.published) == 1
    kinds = [e.kind for e in events(synced, post_id) if e.kind != "checkpoint"]
    assert kinds[-4:] == ["uncertain", "reconciled", "attempt", "published"]


# --- 7. durable claims ----------------------------------------------------------------------


def test_sqlite_commits_are_durable(engine, database_url) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("a PostgreSQL commit is durable by default (synchronous_commit=on)")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


# --- 12. four-eyes over every author -------------------------------------------------------


def test_whoever_rewrote_a_post_cannot_approve_it_after_a_later_edit(
        synced, catalog, clock) -> None:
    post_id = add_post(synced, "kab-a", "facebook", SLOT, status="pending")
    clock.set(SLOT - timedelta(days=1))
    tz = WIB
    with session_scope(synced, write=True) as session:
        edit_post(session, actor=actor("rudi", "admin", "prov"), post_id=post_id, catalog=catalog,
                  checks=CheckSettings(), now=clock.now(), tz=tz, text="Teks baru dari Rudi")
    with session_scope(synced, write=True) as session:
        edit_post(session, actor=actor("rina", "author", "kab-a"), post_id=post_id, catalog=catalog,
                  checks=CheckSettings(), now=clock.now(), tz=tz, text="Teks baru dari Rudi.")
    with pytest.raises(ReviewError, match="empat mata"), \
            session_scope(synced, write=True) as session:
        approve(session, actor=actor("rudi", "admin", "prov"), target=str(post_id), catalog=catalog,
                checks=CheckSettings(), now=clock.now())
    with session_scope(synced, write=True) as session:
        approve(session, actor=actor("sari", "reviewer", "prov"), target=str(post_id),
                catalog=catalog, checks=CheckSettings(), now=clock.now())
    assert status_of(synced, post_id).status == "approved"


# --- 13. real time in the audit log ----------------------------------------------------------


def test_changing_commands_refuse_a_pretended_now_unless_allowed(synced, siar) -> None:
    refused = siar("--now", "2024-01-05T09:00", "run", "--once",
                   env={"SIAR_ALLOW_NOW": "0"})
    assert refused.exit_code == 2
    assert "SIAR_ALLOW_NOW" in refused.output
    read = siar("--now", "2024-01-05T09:00", "status", env={"SIAR_ALLOW_NOW": "0"})
    assert read.exit_code == 0, read.output
    dry = siar("--now", "2024-01-05T09:00", "plan", "--from", "2024-01-05", "--to",
               "2024-01-05", "--dry-run", env={"SIAR_ALLOW_NOW": "0"})
    assert dry.exit_code == 0, dry.output


def test_every_event_records_the_real_clock_beside_its_instant(
        approved, catalog, settings, clock) -> None:
    before = datetime.now(UTC)
    worker_for(approved, catalog, settings, clock).run_once()
    trail = events(approved, posts(approved)[0].id or 0)
    assert {e.kind for e in trail} >= {"planned", "approved", "attempt", "published"}
    for event in trail:
        assert event.at < datetime(2025, 1, 1, tzinfo=UTC)  # the pretended instant
        assert event.recorded_at is not None
        assert event.recorded_at >= before - timedelta(minutes=10)


def test_only_outcome_commits_skip_the_fsync(engine, database_url) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's synchronous setting")
    from scheduler.db import write_connection

    with write_connection(engine, durable=False) as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with write_connection(engine) as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_claims_waiting_together_share_one_durable_commit(synced, catalog, clock) -> None:
    import threading
    import time

    from sqlalchemy import event

    from scheduler.db import _write_lock
    from scheduler.publishing.claims import ClaimedPost
    from scheduler.publishing.gate import Gate
    from scheduler.publishing.groupclaim import GroupClaimer

    if synced.dialect.name != "sqlite":
        pytest.skip("the test holds the committer with SQLite's in-process write lock")
    # One post per account: an account has at most one post in flight.
    accounts = {add_post(synced, region, platform, SLOT, text=f"uji {region} {platform}"):
                account_of(synced, region, platform)
                for region in ("prov", "kab-a", "kota-b")
                for platform in ("telegram", "x", "facebook", "threads")}
    ids = list(accounts)
    clock.set(SLOT + timedelta(seconds=1))
    claimer = GroupClaimer(synced, "uji:1:1", clock, Gate(catalog, timedelta(minutes=30)))
    commits: list[int] = []
    event.listen(synced, "commit", lambda _connection: commits.append(1))
    results: dict[int, object] = {}
    taken: list[int] = []  # the size of each batch the committer took
    batcher = claimer._batcher
    commit_batch = batcher._commit

    def counted(batch: list[Any]) -> Any:
        taken.append(len(batch))
        return commit_batch(batch)

    batcher._commit = counted  # type: ignore[method-assign]
    lock = _write_lock(synced)
    lock.acquire()  # hold the committer at its first transaction while every claim queues
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(
        i, claimer.claim(i, accounts[i], accounts[i].platform))) for i in ids]
    for thread in threads:
        thread.start()
    while True:  # every claim is queued, or in the batch the committer holds
        with batcher._ready:
            if len(batcher._waiting) + sum(taken) == len(ids):
                break
        time.sleep(0.01)
    lock.release()
    for thread in threads:
        thread.join()
    claimer.close()
    assert all(isinstance(results[i], ClaimedPost) for i in ids)
    # At most the batch the committer held when the lock was taken, then all the rest.
    assert len(commits) == len(taken) <= 2
    assert {status_of(synced, i).status for i in ids} == {"publishing"}
