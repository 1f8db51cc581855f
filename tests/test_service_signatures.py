"""Every face calls the services the same way: `f(session, *, actor=..., ...)`.

Everything after `session` is keyword-only (a call can never pass an actor where a post id
was meant), and a service that reads or changes posts, accounts or users takes a required
`actor`. The few exceptions below are the system's own helpers, not services a person calls.
"""

import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

SERVICE_MODULES = (
    "account_tokens", "accounts", "calendar_counts", "calendar_view", "cli_sessions",
    "composing", "editing",
    "heartbeat", "history", "importing", "ops_view", "partners_report", "planning", "posts",
    "publishing.reconcile", "results", "results_view", "review", "review_bulk",
    "review_queue", "review_view", "targets", "token_warnings", "user_admin", "websessions",
)

# Public functions taking a session but no actor, and why.
WITHOUT_ACTOR = {
    # The worker's side of a connection: it reads and refreshes credentials for whatever
    # account a post is due on (connecting one is `connect`, which takes the admin).
    "account_tokens.stored_credentials", "account_tokens.replace_after_refresh",
    "accounts.sync_accounts",  # content -> database, run by `siar init` and the planner
    "accounts.account_ids",  # the planner's lookup of account ids
    "editing.validate_new_post",  # a check; its callers have authorised the actor
    "heartbeat.worker_states",  # the workers' heartbeats, no post
    "review.authors_of",  # over posts the caller already read in the actor's scope
    "results.with_releases",  # the recorded announcements, for the checks of any caller
    "results.announced_calendar",  # likewise, as dates for the planner (which authorises)
    # Signing in and out: the actor does not exist yet, or is the session itself.
    "websessions.sign_in", "websessions.current", "websessions.touch",
    "websessions.sign_out", "websessions.end_sessions_of", "websessions.purge_expired",
    "cli_sessions.log_in", "cli_sessions.actor_for", "cli_sessions.log_out",
    "cli_sessions.end_cli_sessions_of", "cli_sessions.purge_expired",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"scheduler.{name}")


def _services() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in SERVICE_MODULES:
        module = _module(name)
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value) or \
                    value.__module__ != module.__name__:
                continue
            params = list(inspect.signature(value).parameters)
            if params and params[0] == "session":
                found.append((f"{name}.{attr}", value))
    return found


SERVICES = _services()


def test_the_services_are_found() -> None:
    names = {name for name, _ in SERVICES}
    assert {"review.approve", "editing.create_posts", "history.timeline",
            "accounts.pause_account", "publishing.reconcile.resolve",
            "importing.import_csv", "targets.get_post"} <= names
    assert len(SERVICES) > 50


@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[n for n, _ in SERVICES])
def test_everything_after_session_is_keyword_only(name: str,
                                                  function: Callable[..., Any]) -> None:
    params = list(inspect.signature(function).parameters.values())
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    positional = [p.name for p in params[1:] if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert positional == [], f"{name}: {positional} should come after `*`"


@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[n for n, _ in SERVICES])
def test_services_take_a_required_actor(name: str, function: Callable[..., Any]) -> None:
    actor = inspect.signature(function).parameters.get("actor")
    if name in WITHOUT_ACTOR:
        assert actor is None, f"{name} takes an actor now: drop it from WITHOUT_ACTOR"
        return
    assert actor is not None, f"{name} takes no actor"
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default is inspect.Parameter.empty, f"{name}: the actor must be required"


def test_the_exceptions_still_exist() -> None:
    names = {name for name, _ in SERVICES}
    assert names >= WITHOUT_ACTOR


def test_account_reads_are_scoped_to_the_actor(synced: Any) -> None:
    from scheduler.accounts import find_account, list_accounts
    from scheduler.db import session_scope
    from scheduler.errors import NotFoundError, PermissionDenied
    from scheduler.users import MACHINE_ADMIN
    from tests.conftest import actor

    operator = actor("ops.a", "operator", "kab-a")
    with session_scope(synced) as session:
        everything = list_accounts(session, actor=MACHINE_ADMIN)
        assert {a.region_key for a in everything} == {"prov", "kab-a", "kota-b"}
        assert list_accounts(session, actor=actor("rudi", "reviewer")) == everything
        mine = list_accounts(session, actor=operator)
        assert mine and {a.region_key for a in mine} == {"kab-a"}
        assert find_account(session, actor=operator, key="kab-a/x").platform == "x"
        with pytest.raises(PermissionDenied, match="kota-b"):
            find_account(session, actor=operator, key="kota-b/x")
        with pytest.raises(NotFoundError, match="kab-z/x"):
            find_account(session, actor=MACHINE_ADMIN, key="kab-z/x")
