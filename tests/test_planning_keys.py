"""Re-planning asks the database which natural keys exist a batch at a time (issue 11,
item 3): a batch that is all planned, one that is not planned at all and one planned in
part must each come out right, so a range planned in part gets exactly its missing
posts, on both databases; and the batches keep the candidates' order and size."""

from dataclasses import replace
from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler import planning
from scheduler.db import write_connection
from scheduler.models import Post, PostEvent
from scheduler.planning import PlanRequest, plan_posts
from scheduler.planning_keys import Candidates, batches
from scheduler.planning_store import EVENTS, POSTS, existing_keys
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES
from tests.test_planning_batches import MINI_POSTS, count, plan


def posts(engine: Engine) -> dict[str, tuple[int, str]]:
    """plan_key -> (id, text) of every post."""
    with Session(engine) as session:
        rows = session.execute(select(Post.id, Post.plan_key, Post.text)).all()
    return {key: (post_id, text) for post_id, key, text in rows}


def remove(engine: Engine, ids: list[int]) -> None:
    with write_connection(engine) as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.post_id.in_(ids)))
        connection.execute(delete(POSTS).where(POSTS.c.id.in_(ids)))


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_replanning_a_range_planned_in_part_creates_exactly_the_missing_posts(
        engine, catalog, settings, clock, monkeypatch) -> None:
    monkeypatch.setattr(planning, "BATCH_SIZE", 7)
    plan(engine, catalog, settings.templates_dir, clock)
    before = posts(engine)
    assert len(before) == MINI_POSTS
    ids = sorted(post_id for post_id, _ in before.values())
    # In candidate order (ids follow it): batches 1 and 2 stay whole, 3 and 4 go whole,
    # and from the 60th post on every fifth goes (batches planned in part).
    gone = ids[14:28] + ids[59::5]
    remove(engine, gone)
    kept = {key: found for key, found in before.items() if found[0] not in gone}
    clock.advance(timedelta(hours=1))
    request = PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 2, 20))  # plan()'s
    run = partial(plan_posts, engine, catalog, settings.templates_dir, now=clock.now(),
                  actor=PLANNER)

    dry = run(request=replace(request, dry_run=True))
    assert (dry.total_created, dry.total_existing) == (len(gone), MINI_POSTS - len(gone))
    assert count(engine, Post) == MINI_POSTS - len(gone)  # a dry run writes nothing

    again = run(request=request)
    assert (again.total_created, again.total_existing) == (len(gone), MINI_POSTS - len(gone))
    after = posts(engine)
    assert set(after) == set(before)  # the same keys, each once (plan_key is unique)
    assert all(after[key] == found for key, found in kept.items())  # untouched
    # The recreated posts read as the first run wrote them.
    assert all(after[key][1] == before[key][1] for key in set(before) - set(kept))
    assert count(engine, PostEvent) == MINI_POSTS  # one `planned` event per post
    assert run(request=request).total_created == 0


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_which_keys_exist_when_all_none_or_some_do(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings.templates_dir, clock)
    with Session(engine) as session:
        planned = list(session.scalars(select(Post.plan_key).order_by(Post.id).limit(5)))
    new = [f"{key}-baru" for key in planned]
    assert existing_keys(engine, planned) == set(planned)
    assert existing_keys(engine, new) == set()
    assert existing_keys(engine, planned[:2] + new[2:] + planned[4:]) == {
        *planned[:2], planned[4]}
    assert existing_keys(engine, [planned[0], planned[0]]) == {planned[0]}
    assert existing_keys(engine, []) == set()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Post)) == MINI_POSTS


def group(keys: str, stage: str | None = "s") -> Candidates:
    names = keys.split()
    return Candidates(names, stage, ["x" if n.startswith("x") else "ig" for n in names],
                      lambda i: {"key": names[i]})


def test_batches_keep_the_order_and_split_large_groups() -> None:
    groups = [group("a b c"), group("xd xe xf xg xh", "t"), group("i")]
    found = list(batches(groups, 4))
    assert [b.keys for b in found] == [["a", "b", "c", "xd"], ["xe", "xf", "xg", "xh"], ["i"]]
    assert found[0].counts() == {("s", "ig"): 3, ("t", "x"): 1}
    assert found[1].counts() == {("t", "x"): 4}
    assert found[0].rows({"b", "xd"}) == [{"key": "a"}, {"key": "c"}]
    assert found[1].rows(set()) == [{"key": k} for k in ("xe", "xf", "xg", "xh")]
    assert list(batches([], 4)) == []
    assert [b.keys for b in batches([group("a b"), group("c d")], 2)] == [["a", "b"],
                                                                         ["c", "d"]]
