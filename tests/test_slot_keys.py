"""Planning renders a dated template once per text, not once per day (scheduler.slot_keys):
the key follows the template's `if`s and macros, and records a slot value only where the
text prints it. Every text must still be exactly what rendering that post alone gives."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduler.errors import ContentError
from scheduler.planning_texts import PlannedTexts
from scheduler.postcontext import SLOT_NAMES, plain
from scheduler.rendering import PostRenderer

VOTING_DAY = date(2024, 2, 14)
STAGE = {"name": "Masa Kampanye", "start": date(2024, 1, 10), "end": date(2024, 2, 10)}

PARTIAL = """{% macro rentang(a, b) -%}
{% if a == b %}{{ a | tanggal }}{% else %}{{ a | tanggal_pendek }}–{{ b | tanggal }}{% endif %}
{%- endmacro %}
{% macro jadwal(stage, today) -%}
{% if stage.start is none or stage.end is none %}sesuai jadwal
{%- elif today < stage.start %}akan dilaksanakan pada {{ rentang(stage.start, stage.end) }}
{%- elif today > stage.end %}telah dilaksanakan pada {{ rentang(stage.start, stage.end) }}
{%- else %}dilaksanakan pada {{ rentang(stage.start, stage.end) }}{% endif %}
{%- endmacro %}
{% macro sisa(left, to_stage) -%}
{% if left is not none and to_stage is not none and to_stage <= 0 %}
{%- if left == 0 %}Hari terakhir.{% elif left <= 3 %}Tinggal {{ left }} hari.{% endif %}
{%- endif %}
{%- endmacro %}
{% macro lewat(today) %}{{ jadwal({"start": today, "end": today}, today) }}{% endmacro %}
{% macro ubah(today) %}{% set today = today | kurang_hari(1) %}{{ today }}{% endmacro %}
"""

# name -> (template, how many renders for the 41 days of DAYS; None: one per day)
POSTS: dict[str, tuple[str, int | None]] = {
    # Thresholds only: before, during, after the stage.
    "jadwal": ('{% import "partials/u.j2" as u %}Kampanye {{ u.jadwal(stage, today) }}.', 3),
    # A value printed only inside a branch: one text per value there, one outside.
    "hitung": ("{% if days_to_voting is not none and 0 < days_to_voting <= 3 %}"
               "H-{{ days_to_voting }}{% else %}Ayo memilih{% endif %}", 4),
    "chained": ("{% if 0 < days_to_voting <= 3 %}{{ days_to_voting }}{% endif %}|x", 4),
    "elif": ("{% if days_to_voting > 20 %}jauh{% elif days_to_voting > 2 %}dekat"
             "{% elif days_to_voting == 2 %}lusa{% else %}{{ today }}{% endif %}", 5),
    # An inline `if` is not followed: its slot values are recorded.
    "and-or": ("{{ 'a' if (days_to_voting > 5 or none) and today >= stage.start else 'b' }}",
               None),
    "filter-test": ("{% if today > (election.voting_day | kurang_hari(30)) %}dekat"
                    "{% else %}jauh{% endif %}", 2),
    "in": ("{% if today.day in [1, 15] %}awal atau tengah{% endif %}.", 2),
    # A test calling a macro: the macro's own key, then both branches. Nine texts (none,
    # three "Tinggal", the last day, four after the stage); the empty one by two paths.
    "macro-test": ('{% import "partials/u.j2" as u %}'
                   '{% if u.sisa(days_left_in_stage, days_to_stage) %}[{{ u.sisa('
                   'days_left_in_stage, days_to_stage) }}]{% endif %}', 10),
    # A dict built from a slot value cannot be evaluated: the call records the value.
    "macro-in-macro": ('{% import "partials/u.j2" as u %}{{ u.lewat(today) }}', None),
    "param-set-again": ('{% import "partials/u.j2" as u %}{{ u.ubah(today) }}', None),
    "aliased": ("{% set d = today %}{% if d > stage.start %}{{ d }}{% endif %}", None),
    "own-macro": ("{% macro m() %}{{ today }}{% endmacro %}{{ m() }}", None),
    "loop": ("{% for d in [today, stage.start] %}{{ d.day }}{% endfor %}", None),
    "loop-shadow": ("{% for today in [1, 2] %}{{ today }}{% endfor %}"
                    "{{ days_to_voting > 1 }}", None),
    # Arithmetic is not followed: the test's slot values are recorded, both branches kept.
    "arithmetic": ("{% if days_to_voting + 1 > 10 %}jauh{% else %}dekat{% endif %}", None),
    "undated": ("Cek DPT di {{ election.name }}", 1),
}
DAYS = [date(2024, 1, 5) + timedelta(days=n) for n in range(41)]  # to voting day


@pytest.fixture
def renderer(tmp_path: Path) -> PostRenderer:
    (tmp_path / "partials").mkdir()
    (tmp_path / "posts").mkdir()
    (tmp_path / "partials/u.j2").write_text(PARTIAL)
    for name, (text, _) in POSTS.items():
        (tmp_path / f"posts/{name}.j2").write_text(text)
    return PostRenderer(tmp_path, ZoneInfo("Asia/Jakarta"))


def context(day: date, stage: dict[str, Any] = STAGE) -> tuple[dict[str, Any], dict[str, Any]]:
    values = {
        "election": {"name": "Pemilu 2024", "voting_day": VOTING_DAY},
        "stage": stage,
        "today": day,
        "slot": None,
        "days_to_voting": (VOTING_DAY - day).days,
        "days_to_stage": (stage["start"] - day).days if stage["start"] else None,
        "days_left_in_stage": (stage["end"] - day).days if stage["end"] else None,
    }
    parts = {name: plain(value) for name, value in values.items() if name in SLOT_NAMES}
    parts |= {"election": "pemilu-2024", "stage": plain(tuple(stage.values()))}
    return values, parts


@pytest.mark.parametrize("name", sorted(POSTS))
def test_every_text_is_what_rendering_the_post_alone_gives(renderer, name) -> None:
    texts = PlannedTexts(renderer)
    file = f"posts/{name}.j2"
    for day in DAYS:
        values, parts = context(day)
        assert texts.text(file, values, parts) == renderer.render(file, values), (name, day)
    expected = POSTS[name][1]
    distinct = len({renderer.render(file, context(day)[0]) for day in DAYS})
    # Never fewer renders than texts; where the source can be followed, no more either.
    assert texts.renders >= distinct
    assert texts.renders == (expected if expected is not None else len(DAYS)), name


def test_which_templates_are_followed(renderer) -> None:
    followed = {name for name in POSTS if renderer.slot_key(f"posts/{name}.j2") is not None}
    # A slot value under another name, or read by the file's own macro: not followed.
    assert followed == set(POSTS) - {"aliased", "own-macro"}


def test_a_test_that_fails_for_a_post_still_fails_its_render(renderer, tmp_path) -> None:
    (tmp_path / "posts/none.j2").write_text(
        "{% if days_to_stage < 0 %}berjalan{% else %}belum{% endif %}")
    texts = PlannedTexts(renderer)
    undated = {"name": "Tahapan", "start": None, "end": None}
    values, parts = context(DAYS[0])
    assert texts.text("posts/none.j2", values, parts) == "belum"
    values, parts = context(DAYS[0], undated)  # None < 0: an error, as it is alone
    with pytest.raises(ContentError):
        texts.text("posts/none.j2", values, parts)


def test_hostile_macros_neither_hang_the_analysis_nor_the_key(renderer, tmp_path) -> None:
    calls = "".join("{{ m(d) }}" for _ in range(10))
    (tmp_path / "posts/recursive.j2").write_text(
        f"{{% macro m(d) %}}{calls}{{% endmacro %}}{{{{ m(today) }}}}")
    chain = "".join(  # each macro calls the next ten times: 10^5 steps for a full key
        f"{{% macro a{i}(d) %}}" + f"{{{{ a{i + 1}(d) }}}}" * 10 + "{% endmacro %}"
        for i in range(1, 5)) + "{% macro a5(d) %}{{ d.day }}{% endmacro %}"
    (tmp_path / "posts/fan-out.j2").write_text(chain + "{{ a1(today) }}")
    texts = PlannedTexts(renderer)
    assert renderer.slot_key("posts/recursive.j2") is not None  # analysed, and quickly
    with pytest.raises(ContentError):  # the render's own limits stop it
        texts.text("posts/recursive.j2", *context(DAYS[0]))
    program = renderer.slot_key("posts/fan-out.j2")
    assert program is not None
    assert program.key(context(DAYS[0])[0]) is None  # too many steps: keyed in full
    for day in DAYS[:3]:
        values, parts = context(day)
        assert texts.text("posts/fan-out.j2", values, parts) == \
            renderer.render("posts/fan-out.j2", values)
