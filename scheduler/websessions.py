"""Browser sessions: sign in (with a growing delay after repeated failures), look up the
actor behind a cookie, sign out. The cookie carries a random token; the database keeps
only its SHA-256, the user's name, the form token (CSRF) and the session's deadlines.

A session ends at the first of: sign-out, `idle` without a request, `lifetime` after
sign-in, or the user being deactivated.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from scheduler.errors import AuthError, SignInLocked
from scheduler.models import LoginThrottle, Region, User, WebSession
from scheduler.users import Actor, actor_in, authenticate

FREE_FAILURES = 5  # failures before each attempt has to wait
FIRST_DELAY = timedelta(seconds=30)  # then doubling with each failure ...
MAX_DELAY = timedelta(minutes=15)  # ... up to this
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often


@dataclass(frozen=True)
class SignedIn:
    token: str  # for the cookie only; never stored
    csrf: str
    actor: Actor
    expires_at: datetime


@dataclass(frozen=True)
class CurrentSession:
    actor: Actor
    csrf: str
    session_id: str
    timezone: str  # the zone of the user's office
    stale: bool  # last_seen is older than TOUCH_EVERY: call touch()
    valid_until: datetime  # when it ends unless used again (idle) or at the latest


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, *, name: str, password: str, now: datetime) -> SignedIn:
    """A new session for a correct name and password. Every failure counts against the
    name (known or not, so the delay gives nothing away); past FREE_FAILURES each one
    locks the name for twice as long as the previous, and a locked name is refused
    without checking the password."""
    key = name.strip().lower()[:64]
    throttle = session.get(LoginThrottle, key)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        raise SignInLocked(int((throttle.locked_until - now).total_seconds()) + 1)
    try:
        actor = authenticate(session, key, password)
    except AuthError:
        _count_failure(session, throttle, key, now)
        raise
    if throttle is not None:
        session.delete(throttle)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    row = WebSession(id=token_hash(token), user_name=actor.name, csrf=csrf, created_at=now,
                     last_seen=now, expires_at=now + LIFETIME)
    session.add(row)
    purge_expired(session, now=now)  # ended sessions go with each sign-in: no table growth
    return SignedIn(token=token, csrf=csrf, actor=actor, expires_at=row.expires_at)


def current(session: Session, *, token: str, now: datetime) -> CurrentSession | None:
    """The actor behind a cookie's token, or None when the session is unknown, expired,
    idle too long, or its user is no longer active. Read-only; one query (this runs for
    every page)."""
    row = session.exec(
        select(WebSession, User, Region)
        .join(User, col(User.name) == col(WebSession.user_name))
        .join(Region, col(Region.key) == col(User.region_key))
        .where(col(WebSession.id) == token_hash(token))
    ).first()
    if row is None:
        return None
    web_session, user, region = row
    if web_session.expires_at <= now or web_session.last_seen + IDLE <= now or not user.active:
        return None
    actor = actor_in(user, region)
    return CurrentSession(actor=actor, csrf=web_session.csrf, session_id=web_session.id,
                          timezone=region.timezone,
                          stale=now - web_session.last_seen >= TOUCH_EVERY,
                          valid_until=min(web_session.expires_at, web_session.last_seen + IDLE))


def touch(session: Session, *, session_id: str, now: datetime) -> None:
    """Keep an active session from idling out (written at most once a minute)."""
    row = session.get(WebSession, session_id)
    if row is not None:
        row.last_seen = now


def sign_out(session: Session, *, token: str) -> None:
    session.exec(delete(WebSession).where(col(WebSession.id) == token_hash(token)))


def end_sessions_of(session: Session, *, name: str) -> None:
    """Sign a user out everywhere (after a password reset or deactivation)."""
    session.exec(delete(WebSession).where(col(WebSession.user_name) == name))


def purge_expired(session: Session, *, now: datetime) -> None:
    """Forget the sessions that have ended (expired, or idle too long)."""
    session.exec(delete(WebSession).where(
        (col(WebSession.expires_at) <= now) | (col(WebSession.last_seen) <= now - IDLE)))


def _count_failure(session: Session, throttle: LoginThrottle | None, key: str,
                   now: datetime) -> None:
    if throttle is None:
        throttle = LoginThrottle(name=key, failures=0, last_failure=now)
        session.add(throttle)
    throttle.failures += 1
    throttle.last_failure = now
    over = throttle.failures - FREE_FAILURES
    if over >= 0:
        throttle.locked_until = now + min(FIRST_DELAY * (2 ** over), MAX_DELAY)
