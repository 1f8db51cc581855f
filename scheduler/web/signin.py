"""The web's side of sessions: each step in its own unit of work."""

from typing import TYPE_CHECKING

from scheduler import websessions
from scheduler.errors import AuthError
from scheduler.websessions import CurrentSession, SignedIn

if TYPE_CHECKING:
    from scheduler.web.context import Web


def current(web: "Web", token: str) -> CurrentSession | None:
    now = web.session_now()
    with web.app.unit_of_work() as session:
        found = websessions.current(session, token=token, now=now)
    if found is not None and found.stale:
        with web.app.unit_of_work(write=True) as session:
            websessions.touch(session, session_id=found.session_id, now=now)
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
    with web.app.unit_of_work(write=True) as session:
        websessions.sign_out(session, token=token)
