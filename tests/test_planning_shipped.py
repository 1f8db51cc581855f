"""The whole shipped plan, rendered by planning, is byte for byte what it was before the
partials took explicit arguments and planning learnt to skip, batch and memoise (issue 11):
a hash of every post's key, text and problems, taken from main before those changes.

A deliberate change of content/ or templates/ changes the hash: check the new texts
(`siar preview`), then put the hash the failure prints here.
"""

import hashlib
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from scheduler.catalog import load_catalog
from scheduler.db import make_engine
from scheduler.migrate import upgrade_database
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER

REPO = Path(__file__).resolve().parent.parent
SHIPPED_POSTS = 43_845
SHIPPED_SHA256 = "0481b4b1e6b4421e2c9782588a63bb177304903d7d5fdfa9ce703bbb0f5b6486"


def test_the_whole_shipped_plan_is_unchanged_and_replanning_renders_nothing(
        tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    catalog = load_catalog(REPO / "content", templates)
    stages = [s for e in catalog.elections.values() for s in e.stages]
    first = min(s.start for s in stages if s.start)
    last = max(s.end for s in stages if s.end)
    engine = make_engine(f"sqlite:///{tmp_path / 'siar.db'}")
    upgrade_database(engine)
    request = PlanRequest(date_from=first, date_to=last)
    now = datetime(2022, 6, 1, tzinfo=UTC)
    summary = plan_posts(engine, catalog, templates, request, now, actor=PLANNER)
    assert summary.total_created == SHIPPED_POSTS

    digest = hashlib.sha256()
    with sqlite3.connect(tmp_path / "siar.db") as raw:
        for key, text, problems in raw.execute(
                "SELECT plan_key, text, problems FROM post ORDER BY plan_key"):
            digest.update(f"{key}\0{text}\0{problems}\0".encode())
    raw.close()
    assert digest.hexdigest() == SHIPPED_SHA256, f"new hash: {digest.hexdigest()}"

    # Every template broken: planning the same range again must render none of them.
    for path in templates.rglob("*.j2"):
        path.write_text("{{ tidak_ada_variabel_ini }}\n")
    again = plan_posts(engine, catalog, templates, request, now, actor=PLANNER)
    assert (again.total_created, again.total_existing) == (0, SHIPPED_POSTS)
    engine.dispose()
