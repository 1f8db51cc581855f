"""Putting uncertain posts right: look them up where the platform allows it, otherwise an
operator decides (`siar post resolve`)."""

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.adapters.base import AmbiguousPublishError, PublishError, TransientPublishError
from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.db import session_scope, write_connection
from scheduler.errors import InputError, ReviewError
from scheduler.events import record
from scheduler.labels import status_label
from scheduler.models import Account, Post, PostStatus
from scheduler.permissions import Action, require
from scheduler.publishing.attempt import backoff, payload_for
from scheduler.publishing.factory import AccountHeld, AdapterFactory
from scheduler.publishing.retrying import busy, reason, until_stored
from scheduler.publishing.statements import statements_for
from scheduler.publishing.store import store_for
from scheduler.redact import redact
from scheduler.targets import get_post
from scheduler.users import Actor

log = logging.getLogger(__name__)
RESOLVABLE = (PostStatus.UNCERTAIN, PostStatus.FAILED)


@dataclass(frozen=True)
class Reconciled:
    post_id: int
    verdict: str  # published | not_published | unknown | later


PAGE = 100  # uncertain posts read per query
LOOKUP_CONCURRENCY = 16  # accounts looked up at once
UNKNOWN_RECHECK = timedelta(days=1)  # the platform cannot tell: ask again tomorrow
FAILED_RECHECK = timedelta(hours=1)  # the lookup was refused (token, permission)


def reconcile_uncertain(engine: Engine, factory: AdapterFactory, settings: Settings,
                        clock: Clock, actor: str, limit: int = 500) -> list[Reconciled]:
    """Ask the platform about every uncertain post due for a look whose adapter can look
    posts up, paging through them all (up to `limit` a run). An uncertain post's due_at
    is when to look it up next: posts the platform cannot answer about now are asked
    again later, so they never hide the others."""
    reconcilable = sorted(factory.reconcilable())
    results: list[Reconciled] = []
    after = 0
    while len(results) < limit:
        with session_scope(engine, write=False) as session:
            page = list(session.exec(
                select(Post, Account).join(Account, col(Account.id) == col(Post.account_id))
                .where(col(Post.status) == PostStatus.UNCERTAIN.value,
                       col(Post.due_at) <= clock.now(), col(Post.id) > after,
                       # No adapter recorded (a claim older than attempt_via): try the
                       # account's current route.
                       col(Post.attempt_via).in_(reconcilable) | col(Post.attempt_via).is_(None))
                .order_by(col(Post.id)).limit(min(PAGE, limit - len(results)))))
        if not page:
            break
        after = max(post.id or 0 for post, _ in page)
        results += _reconcile_page(engine, factory, settings, clock, actor, page)
    return results


def _reconcile_page(engine: Engine, factory: AdapterFactory, settings: Settings, clock: Clock,
                    actor: str, page: list[tuple[Post, Account]]) -> list[Reconciled]:
    """Look the page's posts up, accounts in parallel (lookups are as slow as any
    request) and one request at a time per account, as when publishing."""
    by_account: dict[int, list[tuple[Post, Account]]] = defaultdict(list)
    for post, account in page:
        by_account[account.id or 0].append((post, account))

    def one_account(pairs: list[tuple[Post, Account]]) -> list[Reconciled]:
        return [_reconcile_one(engine, factory, settings, clock, actor, post, account)
                for post, account in pairs]

    workers = min(LOOKUP_CONCURRENCY, len(by_account))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="siar-lookup") as pool:
        return [r for found in pool.map(one_account, by_account.values()) for r in found]


def _reconcile_one(engine: Engine, factory: AdapterFactory, settings: Settings, clock: Clock,
                   actor: str, post: Post, account: Account) -> Reconciled:
    post_id = post.id or 0
    if not _hold(engine, post, actor, clock, settings.claim_lease):
        return Reconciled(post_id, "later")  # its account is busy, or someone else has it
    post.claimed_by = actor  # a detached copy: what the guarded verdicts below expect
    secrets: tuple[str, ...] = ()  # the account's credentials, masked in what is kept
    try:
        built = factory.build(account, checkpoint=lambda ref: None,
                              via=post.attempt_via)
        secrets = built.secrets
        payload = payload_for(post, account, settings, instance_id=factory.instance_id)
        receipt = built.adapter.reconcile(payload, dict(post.platform_ref or {}))
    except AccountHeld as exc:
        return _later(engine, post, clock, actor, FAILED_RECHECK, f"belum dapat dicek: {exc}")
    except TransientPublishError as exc:  # the platform could not answer now
        wait = timedelta(seconds=backoff(1, settings.retry_base, exc.retry_after))
        return _later(engine, post, clock, actor, wait, None)
    except AmbiguousPublishError as exc:
        return _later(engine, post, clock, actor, UNKNOWN_RECHECK, redact(str(exc), secrets),
                      verdict="unknown")
    except PublishError as exc:
        message = redact(str(exc), secrets)
        log.warning("unggahan #%s: pengecekan ulang gagal: %s", post_id, message)
        return _later(engine, post, clock, actor, FAILED_RECHECK, message)
    now = clock.now()
    if receipt:
        values: dict[str, Any] = {
            "status": PostStatus.PUBLISHED.value, "platform_id": receipt.platform_id,
            "platform_url": receipt.url, "published_at": now, "published_via": built.name}
        event = Change("reconciled", PostStatus.PUBLISHED.value, "sudah terbit menurut platform",
                       {"adapter": built.name, "platform_id": receipt.platform_id})
        verdict = "published"
    else:
        values = {"status": PostStatus.RETRYING.value, "due_at": now}
        event = Change("reconciled", PostStatus.RETRYING.value,
                       "belum terbit menurut platform; dicoba lagi", {"adapter": built.name})
        verdict = "not_published"
    stored = until_stored(f"pengecekan unggahan #{post_id}", lambda: _transition(
        engine, post, actor, now, values, event))
    return Reconciled(post_id, verdict if stored else "later")


def _hold(engine: Engine, post: Post, actor: str, clock: Clock, lease: float) -> bool:
    """Hold the post for this lookup, so that no claim sends a request to its account
    meanwhile (one request at a time per account, lookups included)."""
    now = clock.now()
    try:
        with write_connection(engine, durable=False) as connection:
            return store_for(connection).hold_for_lookup(
                connection, post.id or 0, owner=post.claimed_by, worker=actor, now=now,
                lease_until=now + timedelta(seconds=lease))
    except Exception as exc:
        if not busy(exc):
            raise
        log.warning("unggahan #%s belum dicek: basis data sibuk (%s)", post.id, reason(exc))
        return False


@dataclass(frozen=True)
class Change:
    kind: str
    to_status: str
    note: str | None
    details: dict[str, Any] | None = None


def _transition(engine: Engine, post: Post, actor: str, now: datetime,
                values: dict[str, Any], change: Change) -> bool:
    """Apply a reconciliation's verdict to an uncertain post only if it is still uncertain
    and held by whom it was when read (an operator's verdict or another worker's lookup
    in the meantime wins); a lost guard is logged and writes nothing."""
    post_id = post.id or 0
    with write_connection(engine) as connection:
        if not store_for(connection).transition(
                connection, post_id, status=PostStatus.UNCERTAIN.value,
                owner=post.claimed_by, values={**values, "lease_until": None,
                                               "updated_at": now}):
            log.info("unggahan #%s sudah berubah sejak dibaca; hasil pengecekan diabaikan",
                     post_id)
            return False
        statements_for(connection).add_event(
            connection, post_id, kind=change.kind, actor=actor, now=now,
            from_status=PostStatus.UNCERTAIN.value, to_status=change.to_status,
            note=change.note, details=change.details)
    return True


def _later(engine: Engine, post: Post, clock: Clock, actor: str, wait: timedelta,
           note: str | None, verdict: str = "later") -> Reconciled:
    """Look this post up again after `wait`; an operator may decide before then."""
    now = clock.now()
    values: dict[str, Any] = {"due_at": now + wait}
    change = Change("reconcile_unknown", PostStatus.UNCERTAIN.value, None)
    if note and note[:2000] != post.last_error:
        values["last_error"] = note[:2000]
        change = Change("reconcile_unknown", PostStatus.UNCERTAIN.value, note[:2000])
    with write_connection(engine) as connection:
        changed = store_for(connection).transition(
            connection, post.id or 0, status=PostStatus.UNCERTAIN.value, owner=post.claimed_by,
            values={**values, "lease_until": None, "updated_at": now})
        if changed and change.note:
            statements_for(connection).add_event(
                connection, post.id or 0, kind=change.kind, actor=actor, now=now,
                from_status=PostStatus.UNCERTAIN.value, to_status=change.to_status,
                note=change.note)
    return Reconciled(post.id or 0, verdict)


def resolve(session: Session, *, actor: Actor, post_id: int, now: datetime,
            published_url: str | None = None, retry: bool = False,
            note: str | None = None) -> Post:
    """An operator's verdict on an uncertain or failed post: it is live (at this URL), or
    it may be sent again."""
    if bool(published_url) == retry:
        raise InputError("pilih salah satu: --published URL atau --retry")
    post = get_post(session, actor=actor, post_id=post_id)
    require(session, actor, Action.RESOLVE, [post.region_key])
    if post.status not in RESOLVABLE:
        raise ReviewError(f"unggahan #{post_id} berstatus {status_label(post.status)}; hanya "
                          "yang belum pasti atau gagal yang diselesaikan operator")
    if published_url and not published_url.startswith(("https://", "http://")):
        raise InputError(f"--published harus URL unggahan di platform: {published_url!r}")
    # A compare-and-set on status and owner as read: a worker's lookup that settled the
    # post meanwhile wins, and the operator is told. It locks the row until the commit.
    guard = session.exec(update(Post).where(
        col(Post.id) == post_id, col(Post.status) == post.status,
        col(Post.claimed_by).is_not_distinct_from(post.claimed_by)).values(updated_at=now))
    if guard.rowcount != 1:
        raise ReviewError(f"unggahan #{post_id} baru saja berubah (dicek ulang oleh pekerja); "
                          "lihat statusnya lalu coba lagi")
    if published_url:
        post.platform_url, post.published_at = published_url, now
        post.published_via = post.attempt_via or post.platform
        record(session, post, kind="resolved", actor=actor.name, now=now,
               to_status=PostStatus.PUBLISHED, note=note, details={"url": published_url})
    else:
        post.due_at, previous = now, post.attempts
        post.attempts = 0  # a fresh budget of automatic retries
        record(session, post, kind="resolved", actor=actor.name, now=now,
               to_status=PostStatus.RETRYING, note=note,
               details={"retry": True, "attempts_before": previous})
    return post
