"""In a real browser: signing in through the form, the posts list, post text that looks
like a script, the Content-Security-Policy, and screenshots of /masuk and /unggahan."""

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER
from tests.browser.support import Watch, overflows, png_width, shoot, sign_in
from tests.conftest import posts

if TYPE_CHECKING:
    from playwright.sync_api import Page

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def planned(synced: Engine, catalog: Catalog, settings: Settings, clock: FixedClock) -> Engine:
    """The mini plan's first three days, over prov, kab-a, kab-b and kota-c."""
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 3)), clock.now(),
               actor=PLANNER)
    return synced


def test_sign_in_through_the_form_lands_on_the_page(page: "Page", watch: Watch) -> None:
    page.goto("/masuk?lanjut=/unggahan")
    shots = shoot(page, "masuk")
    assert [png_width(p) for p in shots] == [360, 1440]
    sign_in(page, "rudi")
    assert page.url.endswith("/unggahan")
    assert page.get_by_role("heading", name="Unggahan").is_visible()
    assert "rudi" in page.locator(".who").inner_text()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["siar_sesi"]["httpOnly"]
    assert watch.dialogs == []
    assert watch.errors == []


def test_a_wrong_password_shows_the_message(page: "Page") -> None:
    sign_in(page, "rudi", "salah-sekali")
    assert "/masuk" in page.url
    assert "kata sandi salah" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Nama pengguna").input_value() == "rudi"
    assert "siar_sesi" not in {c["name"] for c in page.context.cookies()}


def test_the_posts_list_shows_planned_posts(page: "Page", planned: Engine) -> None:
    everything = posts(planned)
    sign_in(page, "rudi")
    rows = page.locator("tr[data-post]")
    assert rows.count() == min(50, len(everything))
    first = everything[0]
    assert rows.first.get_attribute("data-post") == str(first.id)
    assert first.region_key in rows.first.inner_text()
    page.set_viewport_size({"width": 360, "height": 900})
    assert not overflows(page), "the posts list scrolls sideways at 360 px"
    shots = shoot(page, "unggahan")
    assert all(p.stat().st_size > 1000 for p in shots)


def test_a_regency_reviewer_sees_only_their_regency(page: "Page", planned: Engine) -> None:
    sign_in(page, "rina")
    regions = page.locator("tr[data-post] td:nth-child(3)").all_inner_texts()
    assert regions
    assert set(regions) == {"kab-a"}


def test_script_in_post_text_shows_as_text_and_never_runs(page: "Page", watch: Watch,
                                                          planned: Engine) -> None:
    first = posts(planned)[0]
    with session_scope(planned, write=True) as session:
        session.connection().execute(text("UPDATE post SET text = :t WHERE id = :id"),
                                     {"t": f"{HOSTILE} Ayo cek DPT", "id": first.id})
    sign_in(page, "rudi")
    assert HOSTILE in page.locator(f"tr[data-post='{first.id}']").inner_text()
    page.goto(f"/unggahan/{first.id}")
    assert page.get_by_text(HOSTILE).count() >= 1
    assert page.locator("script:not([src])").count() == 0  # no inline script in the page
    assert watch.dialogs == []
    assert watch.errors == []


@pytest.mark.parametrize("path", ["/masuk", "/unggahan", "/unggahan/1"])
def test_pages_raise_no_csp_violation(page: "Page", watch: Watch, planned: Engine,
                                      path: str) -> None:
    if path != "/masuk":
        sign_in(page, "rudi")
    answer = page.goto(path)
    assert answer is not None
    assert answer.status == 200
    page.wait_for_load_state("load")  # deferred scripts ran, stylesheets applied
    assert watch.csp_violations == []
    assert watch.errors == []


def test_the_watch_does_see_a_csp_violation(page: "Page", watch: Watch) -> None:
    """The check above can fail: an inline script added to the page is blocked and
    reported."""
    page.goto("/masuk")
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.ran = true";
        document.body.appendChild(s);
    }""")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.ran === undefined")
    assert watch.csp_violations
