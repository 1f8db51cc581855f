"""Planning as a person stays in their scope, with two provinces in the content: a
province user plans their province and its regencies, never the other province's."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.catalog import load_catalog
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import PermissionDenied
from scheduler.models import Post, Role
from scheduler.planning import PlanRequest, PlanSummary, authorize, plan_posts
from scheduler.users import PLANNER, Actor
from tests.conftest import BOTH_DATABASES, actor
from tests.second_province import WIB_REGIONS, WITA_REGIONS, add_second_province

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

FIRST_WEEK = {"date_from": date(2024, 1, 1), "date_to": date(2024, 1, 7)}


@pytest.fixture(autouse=True)
def _second_province(mini: Path) -> None:
    add_second_province(mini)


def plan(engine: Engine, catalog: Catalog, settings: Settings, clock: FixedClock,
         who: Actor, **kwargs: object) -> PlanSummary:
    request = PlanRequest(**{**FIRST_WEEK, **kwargs})  # type: ignore[arg-type]
    return plan_posts(engine, catalog, settings.templates_dir, request, clock.now(), actor=who)


def planned_regions(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Post.region_key)))


@pytest.mark.parametrize("role", ["author", "admin"])
def test_province_user_plans_only_their_province(engine, catalog, settings, clock,
                                                 role: str) -> None:
    summary = plan(engine, catalog, settings, clock, actor(f"{role}.prov", role))
    assert planned_regions(engine) == set(WIB_REGIONS)
    assert summary.request.regions == tuple(sorted(WIB_REGIONS))
    assert summary.total_created == 7 * 3 * 5  # daftar days x regions x platforms


def test_other_province_user_plans_only_theirs(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock, Actor("rani", Role.AUTHOR, "prov2", True))
    assert planned_regions(engine) == set(WITA_REGIONS)


def test_regency_user_plans_only_their_regency(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock, actor("rina", "author", "kab-c"))
    assert planned_regions(engine) == {"kab-c"}


def test_region_outside_the_scope_is_refused_before_any_write(engine, catalog, settings,
                                                              clock) -> None:
    with pytest.raises(PermissionDenied, match="kab-c"):
        plan(engine, catalog, settings, clock, actor("author.prov", "author"),
             regions=("kab-a", "kab-c"))
    assert planned_regions(engine) == set()


def test_system_planner_plans_every_province(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock, PLANNER)
    assert planned_regions(engine) == {*WIB_REGIONS, *WITA_REGIONS}


def test_regency_added_to_content_is_in_scope_on_the_first_plan(synced, settings, clock,
                                                               mini: Path) -> None:
    # `synced` knows three WIB regions; a fourth arrives in the content afterwards.
    path = mini / "content/regions/uji.yaml"
    path.write_text(path.read_text() + (
        "  - key: kab-e\n    name: KPU Kabupaten E\n    area: Kabupaten E\n"
        "    kind: kabupaten\n    website: https://kab-e.kpu.go.id\n"
        '    hashtag: "#KPUKabE"\n    accounts:\n'
        '      - {platform: x, handle: "@kab-e", credentials: {access_token: SIAR_KAB_E_X_AT}}\n'))
    catalog = load_catalog(mini / "content", mini / "templates")
    plan(synced, catalog, settings, clock, actor("author.prov", "author"))
    assert planned_regions(synced) == {*WIB_REGIONS, "kab-e"}


def test_authorize_fills_in_the_scope(synced) -> None:
    with session_scope(synced, write=True) as session:
        request = authorize(session, actor=actor("author.prov", "author"),
                            request=PlanRequest(**FIRST_WEEK))
        regency = authorize(session, actor=actor("rina", "author", "kota-d"),
                            request=PlanRequest(**FIRST_WEEK))
    assert set(request.regions) == set(WIB_REGIONS)
    assert regency.regions == ("kota-d",)
