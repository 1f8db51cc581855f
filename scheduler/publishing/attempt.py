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
from typing import Protocol

from sqlalchemy.engine import Engine

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
from scheduler.media import public_image_url
from scheduler.models import Account, PostStatus
from scheduler.publishing.checkpoints import Checkpoint, save_checkpoint
from scheduler.publishing.checkpoints import ClaimLost as ClaimLost  # re-exported
from scheduler.publishing.checkpoints import save_ref as save_ref  # re-exported
from scheduler.publishing.claims import Claimed
from scheduler.publishing.factory import AccountHeld, AdapterFactory
from scheduler.publishing.recording import Finish, Record, record_outcome
from scheduler.redact import SecretSet, redact

log = logging.getLogger(__name__)
MAX_RETRY_DELAY = 3600.0
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Outcome:
    post_id: int
    status: str
    adapter: str
    message: str | None = None


class PostFields(Protocol):
    """What an attempt reads of a post: an ORM Post or a ClaimedPost."""

    @property
    def id(self) -> int | None: ...
    @property
    def account_id(self) -> int: ...
    @property
    def region_key(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def image(self) -> str | None: ...
    @property
    def image_alt(self) -> str | None: ...
    @property
    def scheduled_at(self) -> datetime: ...
    @property
    def attempts(self) -> int: ...
    @property
    def platform_ref(self) -> dict[str, str]: ...
    @property
    def attempt_via(self) -> str | None: ...


def payload_for(post: PostFields, account: Account, settings: Settings, *,
                instance_id: str = "") -> PostPayload:
    """What the adapter gets. The image's public URL is under SIAR_MEDIA_BASE_URL, or else
    its signed address under SIAR_PUBLIC_URL (served by `siar web`)."""
    image_url = public_image_url(
        image=post.image, media_base_url=settings.media_base_url,
        public_url=settings.public_url, secret=settings.secret_key,
        instance_id=instance_id) if post.image else None
    return PostPayload(
        post_id=post.id or 0, text=post.text, scheduled_at=post.scheduled_at,
        region_key=post.region_key, handle=account.handle, platform=account.platform,
        image_path=settings.media_dir / post.image if post.image else None,
        image_url=image_url, image_alt=post.image_alt or None, attempt=post.attempts,
        ref=dict(post.platform_ref or {}))


def run_attempt(engine: Engine, claimed: Claimed, factory: AdapterFactory, settings: Settings,
                clock: Clock, worker: str, record: Record | None = None,
                save: Callable[[Checkpoint], None] | None = None) -> Outcome:
    """Publish one claimed post and record its outcome (through `record`: a worker's
    OutcomeRecorder; alone, in its own transaction, without one), saving its checkpoints
    likewise (through `save`: a worker's CheckpointSaver)."""
    post, account = claimed.post, claimed.account
    post_id = post.id or 0
    store: Record = record or (lambda finish: record_outcome(engine, finish))
    keep = save or (lambda checkpoint: save_checkpoint(engine, checkpoint))
    # What the post's platform_ref holds: as claimed, then as this attempt saved it (no
    # one else writes it while this worker holds the claim).
    known = dict(post.platform_ref or {})

    def checkpoint(ref: Mapping[str, str]) -> None:
        keep(Checkpoint(post_id, worker, clock.now(), dict(ref), dict(known)))
        known.update(ref)

    try:
        built = factory.build(account, checkpoint=checkpoint, via=post.attempt_via)
    except AccountHeld as exc:  # its credentials went away since the claim: nothing sent
        return _record_failure(store, post, worker, clock.now(), post.attempt_via or "-",
                               ReauthorizationRequired(str(exc)), str, settings)
    scrub = _scrubber(built.secrets)
    try:
        receipt = built.adapter.publish(payload_for(post, account, settings,
                                                    instance_id=factory.instance_id))
    except PublishError as exc:
        return _record_failure(store, post, worker, clock.now(), built.name, exc, scrub,
                               settings)
    except Exception as exc:  # a bug or an unforeseen library error: the request may have left
        log.error("unggahan #%s: galat tak terduga %s: %s", post_id, type(exc).__name__,
                  scrub(str(exc)))
        error = AmbiguousPublishError(f"galat tak terduga {type(exc).__name__}: {exc}")
        return _record_failure(store, post, worker, clock.now(), built.name, error, scrub,
                               settings)
    return _record_published(store, post, worker, clock.now(), built.name, receipt, scrub)


def _record_published(store: Record, post: PostFields, worker: str, now: datetime,
                      adapter: str, receipt: Receipt, scrub: Callable[[str], str]) -> Outcome:
    url = scrub(receipt.url) if receipt.url else None
    store(Finish(post.id or 0, worker, now, {
        "status": PostStatus.PUBLISHED.value, "platform_id": receipt.platform_id,
        "platform_url": receipt.url, "published_at": now, "published_via": adapter,
        "last_error": None,
    }, kind="published", details={"adapter": adapter, "platform_id": receipt.platform_id,
                                  "url": url}))
    log.info("terbit: unggahan #%s %s via %s, %s: %s", post.id, post.region_key, adapter,
             lateness(post.scheduled_at, now), url or "-")
    return Outcome(post.id or 0, PostStatus.PUBLISHED, adapter, receipt.url)


def _record_failure(store: Record, post: PostFields, worker: str, now: datetime, adapter: str,
                    exc: PublishError, scrub: Callable[[str], str], settings: Settings) -> Outcome:
    message = scrub(str(exc))[:MAX_ERROR_CHARS]
    platform_message = scrub(exc.platform_message) if exc.platform_message else None
    details: dict[str, object] = {
        "adapter": adapter, "error": type(exc).__name__, "status": exc.status, "code": exc.code,
        "platform_message": platform_message[:MAX_ERROR_CHARS] if platform_message else None}
    values: dict[str, object] = {"last_error": message}
    pause = None
    if isinstance(exc, TransientPublishError) and post.attempts < settings.max_attempts:
        delay = backoff(post.attempts, settings.retry_base, exc.retry_after)
        values.update(status=PostStatus.RETRYING.value, due_at=now + timedelta(seconds=delay))
        details["retry_in"] = round(delay, 1)
        kind = "retry"
    elif isinstance(exc, TransientPublishError | PermanentPublishError):
        values["status"], kind = PostStatus.FAILED.value, "failed"
    elif isinstance(exc, ReauthorizationRequired):
        # The account is paused and the post waits, held; it was never tried on the platform.
        values.update(status=PostStatus.APPROVED.value, attempts=post.attempts - 1)
        kind, pause = "held", (post.account_id, message)
    else:  # AmbiguousPublishError, or anything unforeseen: it may be live
        values["status"], kind = PostStatus.UNCERTAIN.value, "uncertain"
    store(Finish(post.id or 0, worker, now, values, kind=kind, note=message, details=details,
                 pause=pause))
    log.warning("%s: unggahan #%s %s via %s, %s: %s", values.get("status", kind), post.id,
                post.region_key, adapter, lateness(post.scheduled_at, now), message)
    return Outcome(post.id or 0, str(values["status"]), adapter, message)


def lateness(scheduled_at: datetime, now: datetime) -> str:
    """"tepat waktu", or how late after its minute, for the worker's log lines."""
    seconds = int((now - scheduled_at).total_seconds())
    if seconds < 60:
        return "tepat waktu"
    minutes, rest = divmod(seconds, 60)
    return f"terlambat {minutes} menit {rest} detik" if minutes < 120 else \
        f"terlambat {minutes // 60} jam {minutes % 60} menit"


def backoff(attempt: int, base: float, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never sooner than the platform asked."""
    exponential = min(MAX_RETRY_DELAY, base * 2 ** max(attempt - 1, 0))
    jittered: float = exponential * random.uniform(0.5, 1.0)
    return max(jittered, float(retry_after or 0.0))


def _scrubber(secrets: tuple[str, ...]) -> Callable[[str], str]:
    known = SecretSet(secrets)  # indexed once per attempt, not once per text
    return lambda text: redact(text, known)
