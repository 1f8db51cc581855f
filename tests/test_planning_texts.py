"""Planning renders a text once for every distinct set of values its template reads
(scheduler.planning_texts), and Facebook and Telegram share a render when the template
only ever compares `platform` with constants (scheduler.template_platforms)."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.planning_texts import PlannedTexts
from scheduler.postcontext import plain
from scheduler.rendering import PostRenderer

JAKARTA, MAKASSAR = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
PARTIAL = """{% macro sumber(region, platform) -%}
{% if platform == "instagram" %}Ketik: {% else %}Sumber: {% endif %}{{ region.website }}
{%- endmacro %}
"""
# A partial that prints a parameter named `platform`: every template importing it is out.
OTHERS = """{% macro cetak(platform) %}{{ platform }}{% endmacro %}
{% macro lain(teks) %}{{ teks == "x" }}{% endmacro %}
"""
POSTS = {
    "only-compared": '{% import "partials/p.j2" as p %}{{ region.name }} '
                     '{% if platform != "x" %}panjang{% endif %} {{ p.sumber(region, platform) }}',
    "from-import": '{% from "partials/p.j2" import sumber %}'
                   '{{ sumber(region, platform=platform) }}',
    "printed": "{{ region.name }} di {{ platform }}",
    "filtered": "{{ platform | upper }}",
    "in-a-list": '{{ "ya" if platform in ["facebook"] else "tidak" }}',
    "printed-in-macro": '{% import "partials/q.j2" as q %}{{ q.cetak(region) }}',
    "other-parameter": '{% import "partials/q.j2" as q %}{{ q.lain(platform) }}',
    "global-call": "{{ tagar(platform) }}",
    "rebound-alias": '{% import "partials/p.j2" as p %}{% set p = region %}'
                     '{{ p.sumber(region, platform) }}',
    "alias-twice": '{% import "partials/p.j2" as p %}{% from "partials/p.j2" import sumber as p %}'
                   '{{ p.sumber(region, platform) }}',
    "by-expression": '{% include "partials/" ~ region.key ~ ".j2" %}',
    "dated": "{{ region.name }}: {{ today }}",
    "random": "{{ region.name }} {{ [1, 2, 3] | random }}",
}


@pytest.fixture
def renderer(tmp_path: Path) -> PostRenderer:
    (tmp_path / "partials").mkdir()
    (tmp_path / "posts").mkdir()
    (tmp_path / "partials/p.j2").write_text(PARTIAL)
    (tmp_path / "partials/q.j2").write_text(OTHERS)
    for name, text in POSTS.items():
        (tmp_path / f"posts/{name}.j2").write_text(text)
    return PostRenderer(tmp_path, JAKARTA)


def test_which_templates_only_compare_the_platform_with_constants(renderer) -> None:
    tests = renderer.platform_tests
    assert tests("posts/only-compared.j2") == {"x", "instagram"}
    assert tests("posts/from-import.j2") == {"instagram"}
    assert tests("posts/dated.j2") == frozenset()
    for name in ("printed", "filtered", "in-a-list", "printed-in-macro", "other-parameter",
                 "global-call", "rebound-alias", "alias-twice", "by-expression"):
        assert tests(f"posts/{name}.j2") is None, name


def context(platform: str, day: int = 1, region: str = "kab-a") -> tuple[dict, dict]:
    today = date(2024, 1, day)
    values = {"region": {"name": f"KPU {region}", "website": f"https://{region}.go.id",
                         "key": region},
              "platform": platform, "today": today}
    parts = {"region": (region, "pemilu"), "platform": plain(platform), "today": plain(today)}
    return values, parts


def test_facebook_and_telegram_share_a_render_and_get_the_right_texts(renderer) -> None:
    texts = PlannedTexts(renderer)
    got = {p: texts.text("posts/only-compared.j2", *context(p))
           for p in ("facebook", "telegram", "instagram", "x")}
    assert texts.renders == 3  # facebook and telegram: one render
    assert got["facebook"] == got["telegram"] == "KPU kab-a panjang Sumber: https://kab-a.go.id"
    assert got["instagram"] == "KPU kab-a panjang Ketik: kab-a.go.id"  # links bare
    assert got["x"] == "KPU kab-a  Sumber: https://kab-a.go.id"
    # Nothing dated is read: the next day and slot reuse every text.
    again = {p: texts.text("posts/only-compared.j2", *context(p, day=2)) for p in got}
    assert (again, texts.renders) == (got, 3)


def test_a_template_printing_the_platform_renders_for_each(renderer) -> None:
    texts = PlannedTexts(renderer)
    got = [texts.text("posts/printed.j2", *context(p)) for p in ("facebook", "telegram")]
    assert got == ["KPU kab-a di facebook", "KPU kab-a di telegram"]
    assert texts.renders == 2


def test_dates_regions_and_random_are_never_shared(renderer) -> None:
    texts = PlannedTexts(renderer)
    assert texts.text("posts/dated.j2", *context("x", day=1)) == "KPU kab-a: 2024-01-01"
    assert texts.text("posts/dated.j2", *context("x", day=2)) == "KPU kab-a: 2024-01-02"
    assert texts.text("posts/dated.j2", *context("x", region="kota-b")) == \
        "KPU kota-b: 2024-01-01"
    assert texts.renders == 3
    for _ in range(3):
        texts.text("posts/random.j2", *context("x"))
    assert texts.renders == 6  # `random`: every time


def test_stand_ins_are_equal_only_for_values_that_render_alike() -> None:
    assert plain(1) != plain(True) and plain(1) != plain(1.0)
    instant = datetime(2024, 2, 14, 2, 0, tzinfo=UTC)
    assert plain(instant.astimezone(JAKARTA)) != plain(instant.astimezone(MAKASSAR))
    assert plain(instant.astimezone(JAKARTA)) == plain(instant.astimezone(JAKARTA))
    assert plain(date(2024, 2, 14)) != plain(datetime(2024, 2, 14, tzinfo=UTC))
    with pytest.raises(TypeError):
        plain({"a": 1})


def test_a_variable_without_a_stand_in_is_refused(renderer) -> None:
    values, parts = context("x")
    del parts["today"]
    with pytest.raises(ValueError, match="stand-ins"):
        PlannedTexts(renderer).text("posts/dated.j2", values, parts)
