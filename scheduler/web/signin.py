"""The web's side of sessions: each step in its own unit of work, and a short-lived
memory of the sessions just looked up.

Every page needs its viewer; reading the session from the database for each request
would cost a thread hop and a transaction (as much as a page's own query). So a session
found is remembered for `REMEMBER` seconds. Signing out forgets it at once, and any form
post forgets every remembered session (a deactivation or password reset through this
server takes effect immediately); a change made by another process (the command line)
takes effect within `REMEMBER` seconds.
"""

import threading
import time
from typing import TYPE_CHECKING

from scheduler import websessions
from scheduler.errors import AuthError
from scheduler.websessions import CurrentSession, SignedIn, token_hash

if TYPE_CHECKING:
    from scheduler.web.context import Web

REMEMBER = 5.0  # seconds


class RememberedSessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, tuple[CurrentSession, float]] = {}

    def get(self, key: str) -> CurrentSession | None:
        with self._lock:
            entry = self._found.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: str, found: CurrentSession) -> None:
        with self._lock:
            if len(self._found) > 10_000:  # stale entries of signed-out browsers
                self._found.clear()
            self._found[key] = (found, time.monotonic() + REMEMBER)

    def forget(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._found.clear()
            else:
                self._found.pop(key, None)


def remembered(web: "Web", token: str) -> CurrentSession | None:
    """The session if it was looked up in the last few seconds (no database work)."""
    found = web.sessions.get(token_hash(token))
    if found is None or found.valid_until <= web.session_now():
        return None
    return found


def current(web: "Web", token: str) -> CurrentSession | None:
    now = web.session_now()
    with web.app.unit_of_work() as session:
        found = websessions.current(session, token=token, now=now)
    if found is not None and found.stale:
        with web.app.unit_of_work(write=True) as session:
            websessions.touch(session, session_id=found.session_id, now=now)
    if found is not None:
        web.sessions.put(found.session_id, found)
    return found


def sign_in(web: "Web", name: str, password: str) -> SignedIn:
    """Sign in; a failure is counted (committed) before it is raised."""
    failure: AuthError | None = None
    with web.app.unit_of_work(write=True) as session:
        try:
            result = websessions.sign_in(session, name=name, password=password,
                                         now=web.session_now())
        except AuthError as error:
            failure = error
    if failure is not None:
        raise failure
    return result


def sign_out(web: "Web", token: str) -> None:
    web.sessions.forget(token_hash(token))
    with web.app.unit_of_work(write=True) as session:
        websessions.sign_out(session, token=token)
