"""Command-line sessions: `siar login` checks the password once and hands back a random
token for a file only that user can read; later commands show the token instead of the
password. The database keeps only the token's SHA-256 (as for browser sessions), the
user's name and the deadline.

A session ends at the first of: `siar logout`, `hours` after login, a new password, or
the user being deactivated (checked on every use).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from scheduler.models import CliSession, Region, User
from scheduler.users import Actor, actor_in, authenticate
from scheduler.websessions import token_hash


@dataclass(frozen=True)
class LoggedIn:
    token: str  # for the session file only; never stored, logged or shown
    actor: Actor
    expires_at: datetime


def log_in(session: Session, *, name: str, password: str, now: datetime,
           hours: int, replaces: str | None = None) -> LoggedIn:
    """A new session for a correct name and password (AuthError otherwise). `replaces`:
    the token this machine held before, which ends now."""
    actor = authenticate(session, name, password)
    if replaces:
        log_out(session, token=replaces)
    token = secrets.token_urlsafe(32)
    row = CliSession(id=token_hash(token), user_name=actor.name, created_at=now,
                     expires_at=now + timedelta(hours=hours))
    session.add(row)
    purge_expired(session, now=now)  # ended sessions go with each login: no table growth
    return LoggedIn(token=token, actor=actor, expires_at=row.expires_at)


def actor_for(session: Session, *, token: str, name: str, now: datetime) -> Actor | None:
    """The actor behind a session token when it belongs to `name`, has not expired and its
    user is still active; None otherwise (then the password is asked again)."""
    row = session.exec(
        select(CliSession, User, Region)
        .join(User, col(User.name) == col(CliSession.user_name))
        .join(Region, col(Region.key) == col(User.region_key))
        .where(col(CliSession.id) == token_hash(token))
    ).first()
    if row is None:
        return None
    cli_session, user, region = row
    if (cli_session.user_name != name.strip().lower() or not user.active
            or cli_session.expires_at <= now):
        return None
    return actor_in(user, region)


def log_out(session: Session, *, token: str) -> bool:
    """End the session behind a token; False when there was none."""
    row = session.get(CliSession, token_hash(token))
    if row is None:
        return False
    session.delete(row)
    return True


def end_cli_sessions_of(session: Session, *, name: str) -> None:
    """Log a user out of every machine (after a password reset or deactivation)."""
    session.exec(delete(CliSession).where(col(CliSession.user_name) == name))


def purge_expired(session: Session, *, now: datetime) -> None:
    session.exec(delete(CliSession).where(col(CliSession.expires_at) <= now))
