"""Database tables (SQLModel). Every instant is a UTCDateTime; the schema itself is
owned by the Alembic migrations in scheduler/migrations, which must match this file
(tests/test_migrations.py checks that they do)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from scheduler.coltypes import UTCDateTime


class PostStatus(StrEnum):
    DRAFT = "draft"  # ad-hoc post being written, not yet sent to review
    PENDING = "pending"  # awaiting review
    APPROVED = "approved"  # waiting for its minute
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    PUBLISHING = "publishing"  # claimed by a worker; an attempt may be in flight
    RETRYING = "retrying"  # a transient failure; tried again at due_at
    PUBLISHED = "published"
    FAILED = "failed"  # the platform refused it, or attempts ran out
    UNCERTAIN = "uncertain"  # may or may not be live; never resent automatically
    MISSED = "missed"  # too late to publish (SIAR_MAX_LATENESS); never sent automatically


class Region(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=64)
    name: str
    area: str
    kind: str = Field(max_length=16)
    province_key: str = Field(max_length=64, index=True)
    website: str
    hashtag: str
    timezone: str = Field(max_length=64)
    synced_at: datetime = Field(sa_type=UTCDateTime)


class Account(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("region_key", "platform", name="uq_account_region_platform"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_key: str = Field(foreign_key="region.key", max_length=64)
    platform: str = Field(max_length=32)
    handle: str
    placeholder: bool = False
    enabled: bool = True
    url: str | None = None
    # Names of the environment variables that hold the credentials, never the values.
    credential_names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_reason: str | None = None
    synced_at: datetime = Field(sa_type=UTCDateTime)


class PlanRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    actor: str
    date_from: str = Field(max_length=10)
    date_to: str = Field(max_length=10)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created: int = 0
    existing: int = 0


class Post(SQLModel, table=True):
    __table_args__ = (
        Index("ix_post_status_due", "status", "due_at"),
        Index("ix_post_region_platform_time", "region_key", "platform", "scheduled_at"),
        Index("ix_post_scheduled", "scheduled_at"),
        Index("ix_post_updated", "updated_at"),  # history: newest change first
        Index("ix_post_batch", "batch"),
        Index("ix_post_plan_run", "plan_run_id"),
        # The operators' history filters by these and shows the newest first.
        Index("ix_post_status_scheduled", "status", "scheduled_at"),
        Index("ix_post_region_scheduled", "region_key", "scheduled_at"),
        Index("ix_post_stage_scheduled", "stage_key", "scheduled_at"),
        Index("ix_post_account_published", "account_id", "published_at"),
        # A claim looks for a post of the same account in flight (one at a time).
        Index("ix_post_account_status", "account_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    region_key: str = Field(max_length=64)
    platform: str = Field(max_length=32)
    election_key: str | None = Field(default=None, max_length=64)
    stage_key: str | None = Field(default=None, max_length=64)
    template: str | None = Field(default=None, max_length=64)
    rule_key: str | None = Field(default=None, max_length=64)
    batch: str | None = Field(default=None, max_length=128)
    # Natural key of a planned post: rule, account and slot. Unique, so planning the
    # same range twice inserts nothing. Ad-hoc posts have none (NULLs never collide).
    plan_key: str | None = Field(default=None, max_length=200, unique=True)
    plan_run_id: int | None = Field(default=None, foreign_key="planrun.id")
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)  # next dispatch instant
    text: str
    image: str | None = None
    image_alt: str | None = None  # the image's description for screen readers
    status: str = Field(default=PostStatus.PENDING, max_length=16)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    edited_by: str | None = Field(default=None, max_length=64)  # last person to edit
    updated_at: datetime = Field(sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=64)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=128)  # host:pid:start of a worker
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Until when the claim (or a reconciliation's hold on an uncertain post) is the
    # owner's: renewed while its request is in flight; once past, it counts as abandoned.
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    platform_id: str | None = None
    platform_url: str | None = None
    platform_ref: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    last_error: str | None = None
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_via: str | None = Field(default=None, max_length=32)  # the adapter that did it
    # The adapter of the latest attempt, written with the claim: after a crash it says
    # where to look the post up (the platform, or the outbox).
    attempt_via: str | None = Field(default=None, max_length=32)


class PostEvent(SQLModel, table=True):
    """Append-only: one row per thing that happened to a post."""

    __table_args__ = (Index("ix_postevent_post", "post_id", "id"), Index("ix_postevent_at", "at"))

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    note: str | None = None
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The real clock when the event was written; `at` is the instant it acted at, which
    # differs only when a demo or test pretends another time (SIAR_NOW with SIAR_ALLOW_NOW).
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Instance(SQLModel, table=True):
    """One row: this database's identity, made by `siar init` (outbox file names use it,
    so two databases sharing an outbox folder never mistake each other's files)."""

    id: str = Field(primary_key=True, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Role(StrEnum):
    AUTHOR = "author"  # writes and queues posts
    REVIEWER = "reviewer"  # approves or rejects; never their own
    OPERATOR = "operator"  # runs the worker, resolves failures, pauses accounts
    ADMIN = "admin"  # users and overrides


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    # A regency's key, or the province's key for province-wide users.
    region_key: str = Field(foreign_key="region.key", max_length=64)
    password_hash: str
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser. Only a hash of the cookie's token is stored, so a copy of the
    database does not let anyone sign in."""

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie token
    user_name: str = Field(max_length=64, index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class CliSession(SQLModel, table=True):
    """A `siar login` on some machine: the token sits in a file only that user can read;
    the database keeps only its SHA-256, so a copy of the database logs nobody in."""

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the file's token
    user_name: str = Field(max_length=64, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per user name: after a few, each further attempt waits longer."""

    name: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failure: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkerBeat(SQLModel, table=True):
    """Each worker's latest sign of life, for operators (`siar status`, the Operasi page)."""

    name: str = Field(primary_key=True, max_length=128)  # host:pid:start, as in claims
    started_at: datetime = Field(sa_type=UTCDateTime)
    last_beat: datetime = Field(sa_type=UTCDateTime)


class LeaderLease(SQLModel, table=True):
    """Who runs the periodic jobs (planning ahead, maintenance) on SQLite: one row per
    job group, held until `lease_until` and renewed by the holder's heartbeat.
    PostgreSQL uses a session advisory lock instead (scheduler.leader)."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)  # host:pid:start of the worker
    lease_until: datetime = Field(sa_type=UTCDateTime)


class ResultRelease(SQLModel, table=True):
    """Append-only: an authorised user recorded a region's results of one stage as
    officially announced (`siar results announce`). Results posts of that region (and
    of its regencies, for a province) are released from `announced_at`."""

    __table_args__ = (Index("ix_resultrelease_key", "election_key", "stage_key", "region_key"),)

    id: int | None = Field(default=None, primary_key=True)
    election_key: str = Field(max_length=64)
    stage_key: str = Field(max_length=64)
    region_key: str = Field(max_length=64)
    announced_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    note: str | None = None
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class AccountToken(SQLModel, table=True):
    """A connected account's credentials, sealed with SIAR_SECRET_KEY (scheduler.secretbox).
    The plain columns say which fields are held and until when, never their values."""

    account_id: int = Field(primary_key=True, foreign_key="account.id")
    sealed: str  # the credential fields as one encrypted text
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refresh_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    connected_at: datetime = Field(sa_type=UTCDateTime)
    connected_by: str = Field(max_length=64)
    refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Bumped by every change: a refresh stores its result only over the version it read,
    # so of two workers refreshing one rotating token, exactly one wins.
    version: int = 1
