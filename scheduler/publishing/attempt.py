"""One attempt: call the adapter for a claimed post and record what happened, typed.

published   -> `published`, with the platform's id and URL
transient   -> `retrying` at a backed-off time (honouring the platform's retry signal),
               or `failed` once attempts run out
re-auth     -> the account is paused and the post goes back to `approved` (held)
permanent   -> `failed`, with the platform's message
ambiguous   -> `uncertain`: never resent automatically
"""

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.events import record
from scheduler.models import Account, Post, PostStatus
from scheduler.publishing.claims import Claimed
from scheduler.publishing.factory import AdapterFactory
from scheduler.redact import redact

log = logging.getLogger(__name__)
MAX_RETRY_DELAY = 3600.0
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Outcome:
    post_id: int
    status: str
    adapter: str
    message: str | None = None


def payload_for(post: Post, account: Account, settings: Settings) -> PostPayload:
    image_url = None
    if post.image and settings.media_base_url:
        image_url = f"{settings.media_base_url.rstrip('/')}/{post.image.lstrip('/')}"
    return PostPayload(
        post_id=post.id or 0, text=post.text, scheduled_at=post.scheduled_at,
        region_key=post.region_key, handle=account.handle, platform=account.platform,
        image_path=settings.media_dir / post.image if post.image else None,
        image_url=image_url, attempt=post.attempts, ref=dict(post.platform_ref or {}))


def run_attempt(engine: Engine, claimed: Claimed, factory: AdapterFactory, settings: Settings,
                clock: Clock, worker: str) -> Outcome:
    post, account = claimed.post, claimed.account
    post_id = post.id or 0
    built = factory.build(account, checkpoint=lambda ref: save_ref(engine, post_id, worker, ref,
                                                                   clock.now()))
    scrub = _scrubber(built.secrets)
    try:
        receipt = built.adapter.publish(payload_for(post, account, settings))
    except PublishError as exc:
        return _record_failure(engine, post_id, worker, clock.now(), built.name, exc, scrub,
                               settings)
    except Exception as exc:  # a bug or an unforeseen library error: the request may have left
        log.error("unggahan #%s: galat tak terduga %s: %s", post_id, type(exc).__name__,
                  scrub(str(exc)))
        error = AmbiguousPublishError(f"galat tak terduga {type(exc).__name__}: {exc}")
        return _record_failure(engine, post_id, worker, clock.now(), built.name, error, scrub,
                               settings)
    return _record_published(engine, post_id, worker, clock.now(), built.name, receipt, scrub)


def save_ref(engine: Engine, post_id: int, worker: str, ref: Mapping[str, str],
             now: datetime) -> None:
    """Commit a platform reference (a media container id) before the next request goes."""
    def apply(session: Session, post: Post) -> None:
        post.platform_ref = {**(post.platform_ref or {}), **ref}
        record(session, post, kind="checkpoint", actor=worker, now=now, details=dict(ref))

    _finish(engine, post_id, worker, apply)


def _record_published(engine: Engine, post_id: int, worker: str, now: datetime, adapter: str,
                      receipt: Receipt, scrub: Callable[[str], str]) -> Outcome:
    def apply(session: Session, post: Post) -> None:
        post.platform_id, post.platform_url = receipt.platform_id, receipt.url
        post.published_at, post.published_via, post.last_error = now, adapter, None
        record(session, post, kind="published", actor=worker, now=now,
               to_status=PostStatus.PUBLISHED,
               details={"adapter": adapter, "platform_id": receipt.platform_id,
                        "url": scrub(receipt.url) if receipt.url else None})

    _finish(engine, post_id, worker, apply)
    return Outcome(post_id, PostStatus.PUBLISHED, adapter, receipt.url)


def _record_failure(engine: Engine, post_id: int, worker: str, now: datetime, adapter: str,
                    exc: PublishError, scrub: Callable[[str], str], settings: Settings) -> Outcome:
    message = scrub(str(exc))[:MAX_ERROR_CHARS]
    platform_message = scrub(exc.platform_message) if exc.platform_message else None
    details: dict[str, object] = {
        "adapter": adapter, "error": type(exc).__name__, "status": exc.status, "code": exc.code,
        "platform_message": platform_message[:MAX_ERROR_CHARS] if platform_message else None}
    result: dict[str, str] = {}

    def apply(session: Session, post: Post) -> None:
        post.last_error = message
        status, kind = _failure_status(session, post, exc, now, settings, details)
        result["status"] = status
        record(session, post, kind=kind, actor=worker, now=now, to_status=status, note=message,
               details=details)

    _finish(engine, post_id, worker, apply)
    log.warning("unggahan #%s via %s: %s", post_id, adapter, message)
    return Outcome(post_id, result.get("status", "unknown"), adapter, message)


def _failure_status(session: Session, post: Post, exc: PublishError, now: datetime,
                    settings: Settings, details: dict[str, object]) -> tuple[str, str]:
    if isinstance(exc, TransientPublishError):
        if post.attempts >= settings.max_attempts:
            return PostStatus.FAILED, "failed"
        delay = backoff(post.attempts, settings.retry_base, exc.retry_after)
        post.due_at = now + timedelta(seconds=delay)
        details["retry_in"] = round(delay, 1)
        return PostStatus.RETRYING, "retry"
    if isinstance(exc, ReauthorizationRequired):
        account = session.get(Account, post.account_id)
        if account is not None and account.paused_at is None:
            account.paused_at, account.paused_reason = now, post.last_error
            session.add(account)
        post.attempts -= 1  # the post was never tried on the platform; it waits, held
        return PostStatus.APPROVED, "held"
    if isinstance(exc, PermanentPublishError):
        return PostStatus.FAILED, "failed"
    return PostStatus.UNCERTAIN, "uncertain"  # AmbiguousPublishError or anything unforeseen


def backoff(attempt: int, base: float, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never sooner than the platform asked."""
    exponential = min(MAX_RETRY_DELAY, base * 2 ** max(attempt - 1, 0))
    jittered: float = exponential * random.uniform(0.5, 1.0)
    return max(jittered, float(retry_after or 0.0))


def _finish(engine: Engine, post_id: int, worker: str,
            apply: Callable[[Session, Post], None]) -> None:
    """Apply an outcome only if this worker still holds the claim (a post recovered as
    uncertain by someone else in the meantime keeps that verdict)."""
    with session_scope(engine) as session:
        post = session.get(Post, post_id)
        if post is None or post.status != PostStatus.PUBLISHING or post.claimed_by != worker:
            log.warning("unggahan #%s tidak lagi diklaim oleh pekerja ini; hasil diabaikan",
                        post_id)
            return
        apply(session, post)


def _scrubber(secrets: tuple[str, ...]) -> Callable[[str], str]:
    return lambda text: redact(text, secrets)
