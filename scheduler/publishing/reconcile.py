"""Putting uncertain posts right: look them up where the platform allows it, otherwise an
operator decides (`siar post resolve`)."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.adapters.base import AmbiguousPublishError, PublishError, TransientPublishError
from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.errors import InputError, ReviewError
from scheduler.events import record
from scheduler.models import Account, Post, PostStatus
from scheduler.permissions import Action, require
from scheduler.publishing.attempt import payload_for
from scheduler.publishing.factory import AdapterFactory
from scheduler.targets import get_post
from scheduler.users import Actor

log = logging.getLogger(__name__)
RESOLVABLE = (PostStatus.UNCERTAIN, PostStatus.FAILED)


@dataclass(frozen=True)
class Reconciled:
    post_id: int
    verdict: str  # published | not_published | unknown


def reconcile_uncertain(engine: Engine, factory: AdapterFactory, settings: Settings,
                        clock: Clock, actor: str, limit: int = 100) -> list[Reconciled]:
    """Ask the platform about each uncertain post whose adapter can look posts up."""
    with session_scope(engine, write=False) as session:
        pairs = list(session.exec(
            select(Post, Account).join(Account, col(Account.id) == col(Post.account_id))
            .where(col(Post.status) == PostStatus.UNCERTAIN.value)
            .order_by(col(Post.id)).limit(limit)))
    results = []
    for post, account in pairs:
        built = factory.build(account, checkpoint=lambda ref: None)
        if not built.adapter.can_reconcile:
            continue
        try:
            receipt = built.adapter.reconcile(payload_for(post, account, settings),
                                              dict(post.platform_ref or {}))
        except TransientPublishError:
            continue  # the platform could not answer now; ask again next time
        except AmbiguousPublishError:
            results.append(Reconciled(post.id or 0, "unknown"))
            continue
        except PublishError as exc:
            log.warning("unggahan #%s: pengecekan ulang gagal: %s", post.id, exc)
            continue
        verdict = "published" if receipt else "not_published"
        with session_scope(engine) as session:
            current = session.get(Post, post.id)
            if current is None or current.status != PostStatus.UNCERTAIN:
                continue
            now = clock.now()
            if receipt:
                current.platform_id, current.platform_url = receipt.platform_id, receipt.url
                current.published_at, current.published_via = now, built.name
                record(session, current, kind="reconciled", actor=actor, now=now,
                       to_status=PostStatus.PUBLISHED, note="sudah terbit menurut platform",
                       details={"adapter": built.name, "platform_id": receipt.platform_id})
            else:
                current.due_at = now
                record(session, current, kind="reconciled", actor=actor, now=now,
                       to_status=PostStatus.RETRYING,
                       note="belum terbit menurut platform; dicoba lagi",
                       details={"adapter": built.name})
        results.append(Reconciled(post.id or 0, verdict))
    return results


def resolve(session: Session, actor: Actor, post_id: int, *, now: datetime,
            published_url: str | None = None, retry: bool = False,
            note: str | None = None) -> Post:
    """An operator's verdict on an uncertain or failed post: it is live (at this URL), or
    it may be sent again."""
    if bool(published_url) == retry:
        raise InputError("pilih salah satu: --published URL atau --retry")
    post = get_post(session, actor, post_id)
    require(session, actor, Action.RESOLVE, [post.region_key])
    if post.status not in RESOLVABLE:
        raise ReviewError(f"unggahan #{post_id} berstatus {post.status}; hanya uncertain atau "
                          "failed yang diselesaikan operator")
    if published_url:
        if not published_url.startswith(("https://", "http://")):
            raise InputError(f"--published harus URL unggahan di platform: {published_url!r}")
        post.platform_url, post.published_at = published_url, now
        record(session, post, kind="resolved", actor=actor.name, now=now,
               to_status=PostStatus.PUBLISHED, note=note, details={"url": published_url})
    else:
        post.due_at, previous = now, post.attempts
        post.attempts = 0  # a fresh budget of automatic retries
        record(session, post, kind="resolved", actor=actor.name, now=now,
               to_status=PostStatus.RETRYING, note=note,
               details={"retry": True, "attempts_before": previous})
    return post
