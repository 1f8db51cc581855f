"""The nation (KPU RI) over every province: its users see and approve across provinces,
so a national batch is one decision; province users stay within their province."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import ContentError, PermissionDenied
from scheduler.models import Post
from scheduler.permissions import Action, covers, province_alone, require
from scheduler.planning import PlanRequest, plan_posts
from scheduler.posts import PostFilter
from scheduler.review import approve
from scheduler.review_queue import pending_batches
from scheduler.users import PLANNER, Actor, actor_for, add_user, get_user
from tests.conftest import BOTH_DATABASES
from tests.second_province import NATION, WIB_REGIONS, WITA_REGIONS, add_nation, add_second_province

NOW = datetime(2023, 12, 1, tzinfo=UTC)
BATCH = "daftar-harian@2024-01-01T09:00"  # every office's 09:00 local, WIB and WITA
USERS = {"nadia": NATION, "putri": "prov", "tari": "prov2", "rina": "kab-c"}


@pytest.fixture
def national(mini: Path) -> Path:
    add_second_province(mini)
    add_nation(mini)
    return mini


@pytest.fixture
def planned(national: Path, synced: Engine, catalog: Catalog, settings: Settings) -> Engine:
    with session_scope(synced, write=True) as session:
        for name, region in USERS.items():
            add_user(session, name=name, role="reviewer", region=region,
                     password="sandi-uji-123", now=NOW)
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1)), NOW,
               actor=PLANNER)
    return synced


def who(session: Session, name: str) -> Actor:
    return actor_for(session, get_user(session, name))


def statuses(engine: Engine) -> dict[str, set[str]]:
    with session_scope(engine) as session:
        found: dict[str, set[str]] = {}
        for region, status in session.exec(select(Post.region_key, Post.status).where(
                col(Post.batch) == BATCH)):
            found.setdefault(status, set()).add(region)
        return found


def test_the_nation_heads_the_catalog_without_accounts(national: Path, catalog: Catalog) -> None:
    assert catalog.nation_key == NATION
    assert next(iter(catalog.regions)) == NATION
    nation = catalog.regions[NATION]
    assert nation.is_nation and not nation.is_province and not nation.is_regency
    assert nation.accounts == () and nation.name == "KPU RI"
    rule = catalog.rule("hitung-mundur")  # regions: regencies
    assert rule is not None and set(rule.regions) == {"kab-a", "kota-b", "kab-c", "kota-d"}


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_a_national_reviewer_approves_the_batch_of_both_provinces_in_one_decision(
        planned: Engine, catalog: Catalog) -> None:
    assert statuses(planned) == {"pending": {*WIB_REGIONS, *WITA_REGIONS}}  # no post for ri
    with session_scope(planned, write=True) as session:
        nadia = who(session, "nadia")
        assert nadia.everywhere
        queue = pending_batches(session, actor=nadia, filters=PostFilter(), tz=UTC)
        assert [(b.batch, b.pending, b.regions) for b in queue] == [(BATCH, 30, 6)]
        decision = approve(session, actor=nadia, target=BATCH, catalog=catalog,
                           checks=CheckSettings(), now=NOW)
    assert len(decision.changed) == 30 and decision.skipped == []
    assert statuses(planned) == {"approved": {*WIB_REGIONS, *WITA_REGIONS}}


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_a_province_reviewer_sees_and_approves_only_their_province(
        planned: Engine, catalog: Catalog) -> None:
    with session_scope(planned, write=True) as session:
        putri = who(session, "putri")
        assert putri.province_wide and not putri.everywhere
        queue = pending_batches(session, actor=putri, filters=PostFilter(), tz=UTC)
        assert [(b.batch, b.pending, b.regions) for b in queue] == [(BATCH, 15, 3)]
        decision = approve(session, actor=putri, target=BATCH, catalog=catalog,
                           checks=CheckSettings(), now=NOW)
    assert len(decision.changed) == 15
    assert statuses(planned) == {"approved": set(WIB_REGIONS), "pending": set(WITA_REGIONS)}
    with session_scope(planned, write=True) as session:
        tari = who(session, "tari")
        rest = approve(session, actor=tari, target=BATCH, catalog=catalog,
                       checks=CheckSettings(), now=NOW)
    assert len(rest.changed) == 15
    assert statuses(planned) == {"approved": {*WIB_REGIONS, *WITA_REGIONS}}


@pytest.mark.usefixtures("planned")
def test_scope_nests_nation_province_regency(planned: Engine) -> None:
    with session_scope(planned) as session:
        nadia, putri, rina = (who(session, name) for name in ("nadia", "putri", "rina"))
        everything = [NATION, *WIB_REGIONS, *WITA_REGIONS]
        assert all(covers(session, nadia, key) for key in everything)
        require(session, nadia, Action.APPROVE, everything)
        assert [k for k in everything if covers(session, putri, k)] == list(WIB_REGIONS)
        assert [k for k in everything if covers(session, rina, k)] == ["kab-c"]
        for outsider, key in ((putri, "kab-c"), (putri, NATION), (rina, "prov2")):
            with pytest.raises(PermissionDenied, match=key):
                require(session, outsider, Action.APPROVE, [key])


def test_a_nation_without_posts_leaves_a_lone_province_alone(mini: Path, synced: Engine,
                                                              catalog: Catalog) -> None:
    """One province and the nation: the province's users still need no per-row scope."""
    add_nation(mini)
    from scheduler.accounts import sync_accounts

    with session_scope(synced, write=True) as session:
        sync_accounts(session, catalog=load_catalog(mini / "content", mini / "templates"),
                      now=NOW)
    with session_scope(synced) as session:
        assert province_alone(session, "prov")
    add_second_province(mini)
    with session_scope(synced, write=True) as session:
        sync_accounts(session, catalog=load_catalog(mini / "content", mini / "templates"),
                      now=NOW)
    with session_scope(synced) as session:
        assert not province_alone(session, "prov")


@pytest.mark.parametrize(("text", "message"), [
    ("kind: nasional", "nation.kind harus 'nasional'"),
    ("key: ri", "kunci wilayah ganda: 'prov'"),
])
def test_a_wrong_nation_is_a_located_problem(national: Path, text: str, message: str) -> None:
    replaced = {"kind: nasional": "kind: provinsi", "key: ri": "key: prov"}[text]
    path = add_nation(national, (national / "content/nation.yaml").read_text()
                      .replace(text, replaced))
    with pytest.raises(ContentError) as raised:
        load_catalog(national / "content", national / "templates")
    found = [(p.message, p.line) for p in raised.value.problems]
    where = path if "nation" in message else national / "content/regions/uji.yaml"
    line = next(i for i, row in enumerate(where.read_text().splitlines(), 1)
                if row.strip() == ("kind: provinsi" if "nation" in message else "key: prov"))
    assert (message, line) in found, found


def test_a_regency_may_not_be_the_nation(national: Path) -> None:
    path = national / "content/regions/uji.yaml"
    path.write_text(path.read_text().replace("kind: kabupaten", "kind: nasional", 1))
    with pytest.raises(ContentError, match="regencies tidak boleh 'nasional'"):
        load_catalog(national / "content", national / "templates")


def test_the_command_line_approves_a_national_batch_in_one_decision(national: Path,
                                                                     siar) -> None:  # type: ignore[no-untyped-def]
    assert siar("init").exit_code == 0
    for name, region in (("nadia", NATION), ("putri", "province")):
        added = siar("user", "add", name, "--role", "reviewer", "--region", region,
                     "--password-stdin", input="sandi-uji-123\n")
        if region == "province":  # two provinces now: "province" names none of them
            assert added.exit_code != 0 and "ambigu" in added.stderr
            continue
        assert added.exit_code == 0, added.output
    assert siar("plan", "--from", "2024-01-01", "--to", "2024-01-01").exit_code == 0
    login = ("--as", "nadia", "--password-stdin")
    listed = siar("review", "list", *login, input="sandi-uji-123\n")
    assert listed.exit_code == 0, listed.output
    assert "(nadia, ri)" in listed.output and "30 unggahan · 6 wilayah" in listed.output
    done = siar("review", "approve", BATCH, *login, input="sandi-uji-123\n")
    assert done.exit_code == 0, done.output
    assert "30 unggahan disetujui" in done.output
    posts = json.loads(siar("posts", "--format", "json").stdout)
    assert {p["status"] for p in posts} == {"approved"} and len(posts) == 30
