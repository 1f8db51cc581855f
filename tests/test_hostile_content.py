"""Hostile or broken templates and content: a located error within seconds, never a hang,
a traceback, or a change that leaks into the next render.

No test measures wall-clock time; pytest-timeout fails a test that hangs.
"""

import codecs
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2.sandbox import _mutable_spec
from sqlalchemy.engine import Engine

from scheduler.catalog import load_catalog
from scheduler.content.cadence import cron_trigger, fire_times
from scheduler.errors import ContentError, Problem
from scheduler.rendering import PostRenderer
from scheduler.sandbox import MAX_RANGE, MAX_TEXT
from scheduler.sandbox.environment import MUTATING_METHODS
from scheduler.setup import check_content
from tests.conftest import posts

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.timeout(60)

NESTED_OUTPUT = ("{% for i in range(2000) %}{% for j in range(2000) %}{{ i }}"
                 "{% endfor %}{% endfor %}")
NESTED_EMPTY = ("{% for i in range(2000) %}{% for j in range(2000) %}{% for k in range(2000) %}"
                "{% endfor %}{% endfor %}{% endfor %}")


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1)
                if fragment in line)


def write_post(mini: Path, name: str, body: str) -> Path:
    """templates/posts/NAME.j2: two harmless lines, then `body`."""
    path = mini / "templates/posts" / f"{name}.j2"
    path.write_text("{{ region.name }}\nBaris kedua.\n" + body + "\n", encoding="utf-8")
    return path


def render_problem(mini: Path, name: str, context: dict[str, Any] | None = None) -> Problem:
    renderer = PostRenderer(mini / "templates", WIB)
    with pytest.raises(ContentError) as caught:
        renderer.render(f"posts/{name}.j2", context or {"region": {"name": "KPU Uji"}})
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def assert_located(problem: Problem, path: Path, fragment: str, message: str) -> None:
    assert problem.source.endswith(f"{path.parent.name}/{path.name}"), problem
    assert problem.line == line_of(path, fragment), problem
    assert message in problem.message, problem


def load_problems(mini: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    return caught.value.problems


# -- one render cannot change another


def test_a_template_cannot_change_the_links_every_later_render_sees(mini: Path) -> None:
    evil = write_post(mini, "a", "{% set _ = tautan.update({'kpu': 'https://evil'}) %}")
    write_post(mini, "b", "{{ tautan.kpu }}")
    renderer = PostRenderer(mini / "templates", WIB)
    links = load_catalog(mini / "content", mini / "templates").link_urls
    with pytest.raises(ContentError) as caught:
        renderer.render("posts/a.j2", {"region": {"name": "KPU Uji"}, "tautan": links})
    assert caught.value.problems[0].line == line_of(evil, "tautan.update")
    text = renderer.render("posts/b.j2", {"region": {"name": "KPU Uji"}, "tautan": links})
    assert text.splitlines()[-1] == links["kpu"] == "https://www.kpu.go.id"


@pytest.mark.parametrize("statement", [
    "{% set _ = region.update({'name': 'KPU Palsu'}) %}",
    "{% set _ = region.hashtags.append('#Palsu') %}",
    "{% set _ = region.hashtags.clear() %}",
    "{% set _ = region.pop('name') %}",
])
def test_a_template_cannot_change_the_context_shared_with_later_renders(
        mini: Path, statement: str) -> None:
    path = write_post(mini, "a", statement)
    write_post(mini, "b", "{{ region.hashtags | join(' ') }}")
    shared = {"region": {"name": "KPU Uji", "hashtags": ["#Asli"]}}
    renderer = PostRenderer(mini / "templates", WIB)
    with pytest.raises(ContentError) as caught:
        renderer.render("posts/a.j2", shared)
    assert caught.value.problems[0].line == line_of(path, "{% set")
    assert shared == {"region": {"name": "KPU Uji", "hashtags": ["#Asli"]}}
    assert renderer.render("posts/b.j2", shared).splitlines()[-1] == "#Asli"


def test_every_method_jinja_counts_as_mutating_is_refused() -> None:
    assert set().union(*(names for _, names in _mutable_spec)) <= MUTATING_METHODS


# -- limits: loops, sizes, time


def test_range_up_to_the_limit_renders(mini: Path) -> None:
    write_post(mini, "a", f"{{{{ range({MAX_RANGE}) | list | length }}}}")
    text = PostRenderer(mini / "templates", WIB).render("posts/a.j2", {"region": {"name": "K"}})
    assert text.splitlines()[-1] == str(MAX_RANGE)


@pytest.mark.parametrize("stop", [MAX_RANGE + 1, "10**7", "10**100"])
def test_range_beyond_the_limit_is_a_located_error(mini: Path, stop: object) -> None:
    path = write_post(mini, "a", f"{{% for i in range({stop}) %}}{{{{ i }}}}{{% endfor %}}")
    problem = render_problem(mini, "a")
    assert_located(problem, path, "range(", "range() terlalu besar")
    assert "batasnya 2.000" in problem.message


def test_text_up_to_the_limit_renders(mini: Path) -> None:
    write_post(mini, "a", f"{{{{ 'x' * {MAX_TEXT - 100} }}}}")
    text = PostRenderer(mini / "templates", WIB).render("posts/a.j2", {"region": {"name": "K"}})
    assert len(text) > MAX_TEXT - 100


@pytest.mark.parametrize(("expression", "message"), [
    ("'x' * 10**7", "hasil perkalian teks atau daftar terlalu panjang (10.000.000 karakter)"),
    (f"'x' * {MAX_TEXT + 1}", "terlalu panjang"),
    ("['x' * 1000] * 1000", "terlalu panjang"),
    ("'x' * 200000 + 'x' * 200000", "terlalu panjang"),
    ("'x' * 200000 ~ 'x' * 200000", "terlalu panjang"),
    ("2 ** 100000", "angka terlalu besar"),
    ("'x' | center(10**9)", "terlalu besar"),
    ("'x'.center(1000000000)", "terlalu besar"),
    ("'x'.ljust(10**9)", "terlalu besar"),
    ("'{:>999999999}'.format(1)", "lebar atau presisi format"),
    ("'%.999999999f' % 1.5", "terlalu besar"),
    ("'%s%s' | format('x' * 200000, 'x' * 200000)", "hasil format terlalu panjang"),
    ("('x' * 1000) | replace('', 'y' * 1000)", "hasil replace terlalu panjang"),
    ("('y' * 200000).join(['a', 'b', 'c'])", "hasil join terlalu panjang"),
    ("range(2000) | map('string') | map('center', 200000) | join", "terlalu panjang"),
    ("'a\\nb' | indent(10**9)", "terlalu besar"),
    ("[1] | batch(10**9, 'x') | list", "terlalu besar"),
    ("[1] | slice(10**9) | list", "terlalu besar"),
])
def test_an_expression_that_would_build_a_huge_value_is_refused(
        mini: Path, expression: str, message: str) -> None:
    path = write_post(mini, "a", f"Hasil: {{{{ {expression} }}}}")
    assert_located(render_problem(mini, "a"), path, "Hasil:", message)


@pytest.mark.parametrize(("body", "fragment"), [
    # a namespace doubles its text on every step of the loop
    ("{% set ns = namespace(s='x') %}\n{% for i in range(60) %}\n"
     "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}", "set ns.s"),
    # a macro doubles its argument on every call
    ("{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s | length }}{% endmacro %}\n"
     "{{ f('x', 60) }}", "macro f"),
    # a list that holds itself eight times, eight times over: small in memory, huge as text
    ("{% set a = ['x'] %}{% set b = [a, a, a, a, a, a, a, a] %}"
     "{% set c = [b, b, b, b, b, b, b, b] %}{% set d = [c, c, c, c, c, c, c, c] %}"
     "{% set e = [d, d, d, d, d, d, d, d] %}{% set f = [e, e, e, e, e, e, e, e] %}"
     "{% set g = [f, f, f, f, f, f, f, f] %}{% set h = [g, g, g, g, g, g, g, g] %}{{ h }}",
     "set a"),
])
def test_a_value_that_grows_on_every_step_is_refused(mini: Path, body: str,
                                                     fragment: str) -> None:
    path = write_post(mini, "a", body)
    problem = render_problem(mini, "a")
    assert "terlalu panjang" in problem.message
    assert problem.line is not None and problem.line >= line_of(path, fragment)


@pytest.mark.parametrize("wrap", [
    "{}",
    "{{% macro m() %}}{}{{% endmacro %}}{{{{ m() }}}}",
    "{{% set captured %}}{}{{% endset %}}{{{{ captured | length }}}}",
    "{{% filter upper %}}{}{{% endfilter %}}",
])
def test_nested_loops_writing_too_much_stop_at_the_output_limit(mini: Path, wrap: str) -> None:
    path = write_post(mini, "a", wrap.format(NESTED_OUTPUT))
    assert_located(render_problem(mini, "a"), path, "for i", "terlalu panjang")


@pytest.mark.parametrize("body", [
    NESTED_EMPTY,
    # the same over a list: no call at all inside the loops
    "{% set r = range(2000) | list %}" + NESTED_EMPTY.replace("range(2000)", "r"),
    # a macro that calls itself twice: 2**40 calls and no loop
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
])
def test_a_render_that_runs_too_long_is_stopped(mini: Path, body: str) -> None:
    path = write_post(mini, "a", body)
    problem = render_problem(mini, "a")
    assert "lebih dari 2 detik" in problem.message
    assert problem.source.endswith("posts/a.j2")
    assert problem.line == line_of(path, body[:10])


def test_the_time_limit_holds_in_worker_threads_and_only_for_its_own_render(
        mini: Path) -> None:
    write_post(mini, "slow", NESTED_EMPTY)
    write_post(mini, "fast", "{% for i in range(3) %}{{ i }}{% endfor %}")
    renderer = PostRenderer(mini / "templates", WIB)
    context = {"region": {"name": "K"}}
    outcomes: dict[str, Any] = {}

    def render_slow() -> None:
        try:
            renderer.render("posts/slow.j2", context)
        except ContentError as exc:
            outcomes["slow"] = exc.problems[0]

    def render_fast() -> None:
        outcomes["fast"] = {renderer.render("posts/fast.j2", context) for _ in range(2000)}

    threads = [threading.Thread(target=render_slow), threading.Thread(target=render_fast)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "lebih dari 2 detik" in outcomes["slow"].message
    assert outcomes["fast"] == {"K\nBaris kedua.\n012"}


@pytest.mark.parametrize(("body", "message"), [
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "rekursi terlalu dalam"),
    ("{% include 'posts/a.j2' %}", "rekursi terlalu dalam"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{{ lipsum(100000) }}", "'lipsum' is undefined"),
    ("{{ ('\\t' * 100).expandtabs(100000) }}", "unsafe"),
    ("{% for x in [1] recursive %}{{ loop([]) }}{% endfor %}", "perulangan rekursif"),
])
def test_other_runaway_templates_fail_with_a_located_problem(mini: Path, body: str,
                                                             message: str) -> None:
    path = write_post(mini, "a", body)
    assert_located(render_problem(mini, "a"), path, body[:8], message)


def test_ordinary_template_features_still_work(mini: Path) -> None:
    write_post(mini, "a", (
        "{% set xs = ['a', 'b'] %}{% for x in xs if x %}{{ loop.index }}{{ x }}"
        "{% else %}kosong{% endfor %} {% with n = 2 %}{{ n * 3 }}{% endwith %} "
        "{{ 'a' ~ 'b' }} {{ '{:>4}'.format(7) }} {{ '%03d' % 7 }} {{ [1, 2] + [3] }} "
        "{{ 'ab' | center(6) }}| {{ xs | join(',') }} {{ 'x-y' | replace('-', '/') }} "
        "{{ 2 ** 10 }} {{ 'Ab'.zfill(4) }} {% set ns = namespace(n=0) %}"
        "{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}"))
    text = PostRenderer(mini / "templates", WIB).render("posts/a.j2", {"region": {"name": "K"}})
    assert text.splitlines()[-1] == (
        "1a2b 6 ab    7 007 [1, 2, 3]   ab  | a,b x/y 1024 00Ab 3")


# -- files that are not plain UTF-8


def test_a_byte_order_mark_does_not_hide_the_front_matter(mini: Path) -> None:
    path = mini / "templates/posts/mundur.j2"
    text = path.read_text(encoding="utf-8")
    assert "quiet_period_safe: true" in text
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    catalog = load_catalog(mini / "content", mini / "templates")
    assert catalog.templates["mundur"].quiet_period_safe
    assert catalog.templates["mundur"].title == "Hitung mundur"
    result = check_content(mini / "content", mini / "templates", PostRenderer(
        mini / "templates", WIB))
    assert result.problems == []


def test_a_byte_order_mark_never_reaches_the_post(mini: Path) -> None:
    path = write_post(mini, "a", "akhir")
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    text = PostRenderer(mini / "templates", WIB).render("posts/a.j2", {"region": {"name": "K"}})
    assert text.startswith("K\n")


def latin1(path: Path, fragment: str) -> tuple[int, int]:
    """Save `path` with `fragment`'s "é" in Latin-1; returns (line, byte offset)."""
    text = path.read_text(encoding="utf-8")
    assert fragment in text
    data = text.replace(fragment, fragment + " café", 1).encode("utf-8")
    offset = data.index("é".encode())
    path.write_bytes(data.replace("é".encode(), b"\xe9", 1))
    return data.count(b"\n", 0, offset) + 1, offset


def test_non_utf8_template_is_located_when_content_is_loaded(mini: Path) -> None:
    path = mini / "templates/posts/daftar.j2"
    line, offset = latin1(path, "mengajak warga")
    problems = load_problems(mini)
    assert problems == [Problem(str(path), f"bukan UTF-8 yang valid pada baris {line}, byte "
                                           f"{offset} (simpan ulang berkas sebagai UTF-8)", line)]


def test_non_utf8_variant_is_located_when_content_is_loaded(mini: Path) -> None:
    path = mini / "templates/posts/daftar.x.j2"
    line, offset = latin1(path, "cek data pemilih")
    problem, = load_problems(mini)
    assert problem.source.endswith("posts/daftar.x.j2")
    assert (problem.line, problem.message) == (
        line, f"bukan UTF-8 yang valid pada baris {line}, byte {offset} "
              "(simpan ulang berkas sebagai UTF-8)")


def test_non_utf8_partial_is_located_when_rendering(mini: Path) -> None:
    path = mini / "templates/partials/penutup.j2"
    line, offset = latin1(path, "Info resmi")
    result = check_content(mini / "content", mini / "templates", PostRenderer(
        mini / "templates", WIB))
    assert {(Path(p.source).name, p.line) for p in result.problems} == {("penutup.j2", line)}
    assert f"baris {line}, byte {offset}" in result.problems[0].message


def test_an_oversized_template_is_refused(mini: Path) -> None:
    path = mini / "templates/posts/daftar.x.j2"
    path.write_text("{{ region.name }}\n" + "x" * (300 * 1024))
    problem, = load_problems(mini)
    assert problem.source.endswith("posts/daftar.x.j2")
    assert "terlalu besar" in problem.message


# -- YAML content


def billion_laughs(levels: int) -> str:
    lines = ["neutral_terms_header: 1", 'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", '
             '"lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_with_file_and_line(mini: Path) -> None:
    path = mini / "content/neutrality.yaml"
    path.write_text(billion_laughs(9))
    problem, = load_problems(mini)
    assert problem.source == str(path)
    assert problem.message.startswith("terlalu banyak alias YAML")
    assert problem.line is not None and 3 <= problem.line <= 10


def test_aliases_that_repeat_a_little_are_fine(mini: Path) -> None:
    path = mini / "content/plan.yaml"
    text = path.read_text()
    path.write_text(text.replace('  cadence: "0 9 * * *"', '  cadence: &pagi "0 9 * * *"')
                    .replace('    cadence: "0 7 * * *"', "    cadence: *pagi"))
    catalog = load_catalog(mini / "content", mini / "templates")
    assert {rule.cadence for rule in catalog.rules} == {"0 9 * * *"}


@pytest.mark.parametrize(("front", "message", "line"), [
    # A bomb used as the title: str() of it would never end.
    (billion_laughs(9) + "title: *lol8\n", "terlalu banyak alias YAML", 8),
    ("title: a\ntitle: b\n", "kunci ganda: 'title'", 3),
    ("title: [1, 2]\nresults: ya\n", "`title` harus berupa teks, `results` harus berupa "
     "true/false", 1),
    ("title: [\n", "YAML tidak valid", 2),
])
def test_hostile_front_matter_is_refused_with_file_and_line(
        mini: Path, front: str, message: str, line: int) -> None:
    path = mini / "templates/posts/daftar.j2"
    body = path.read_text(encoding="utf-8").split("---#}", 1)[1]
    path.write_text("{#---\n" + front + "---#}" + body, encoding="utf-8")
    problem, = load_problems(mini)
    assert (problem.source, problem.line) == (str(path), line)
    assert message in problem.message


@pytest.mark.parametrize(("text", "message", "line"), [
    ("terms: &t [1, *t]\n", "alias YAML memuat dirinya sendiri", 1),
    ("terms: " + "[" * 50_000, "YAML bersarang terlalu dalam", None),
])
def test_self_containing_or_too_deep_yaml_is_refused(mini: Path, text: str, message: str,
                                                     line: int | None) -> None:
    path = mini / "content/neutrality.yaml"
    path.write_text(text)
    assert load_problems(mini) == [Problem(str(path), message, line)]


def test_non_utf8_yaml_is_located(mini: Path) -> None:
    path = mini / "content/neutrality.yaml"
    line, offset = latin1(path, "category: partai")
    assert load_problems(mini) == [Problem(
        str(path), f"bukan UTF-8 yang valid pada baris {line}, byte {offset} "
                   "(simpan ulang berkas sebagai UTF-8)", line)]


def test_an_oversized_yaml_file_is_refused_unread(mini: Path) -> None:
    path = mini / "content/neutrality.yaml"
    path.write_text("terms: []\n# " + "x" * (6 * 1024 * 1024) + "\n")
    problem, = load_problems(mini)
    assert (problem.source, problem.line) == (str(path), None)
    assert problem.message.startswith("berkas terlalu besar: 6,0 MB")


# -- cron weekdays


def weekdays_fired(weekday: str) -> set[str]:
    """The days "0 9 * * WEEKDAY" fires in the week of Monday 12 February 2024."""
    fired = fire_times(cron_trigger(f"0 9 * * {weekday}", WIB),
                       datetime(2024, 2, 12, tzinfo=WIB), datetime(2024, 2, 19, tzinfo=WIB))
    return {f"{fire:%a}" for fire in fired}


@pytest.mark.parametrize("weekday", ["mon", "MON", "Mon", "monday", "MONDAY", "1", "mon-mon",
                                     "1/7"])
def test_monday_in_any_exact_spelling_means_monday(weekday: str) -> None:
    assert weekdays_fired(weekday) == {"Mon"}


@pytest.mark.parametrize("weekday", ["0", "7", "sun", "SUNDAY"])
def test_sunday_is_zero_seven_or_its_name(weekday: str) -> None:
    assert weekdays_fired(weekday) == {"Sun"}


def test_monkey_is_not_monday() -> None:
    with pytest.raises(ValueError, match="hari tidak dikenal: 'monkey'"):
        cron_trigger("0 9 * * monkey", WIB)


@pytest.mark.parametrize("weekday", ["mo", "mond", "tuesdays", "1x", "-1", "8", "mon-",
                                     "mon/0", "*/-1", "\u0663", "mon,", "mon,,tue"])
def test_a_weekday_that_is_not_exact_is_refused_with_the_value(weekday: str) -> None:
    with pytest.raises(ValueError, match=re.escape(weekday)):
        cron_trigger(f"0 9 * * {weekday}", WIB)


def test_a_misspelt_weekday_in_the_plan_is_a_located_problem(mini: Path) -> None:
    path = mini / "content/plan.yaml"
    path.write_text(path.read_text().replace('cadence: "0 7 * * *"', 'cadence: "0 7 * * monkey"'))
    problem, = load_problems(mini)
    assert problem.source == str(path)
    assert problem.line == line_of(path, "monkey")
    assert "'monkey'" in problem.message


# -- the commands


@pytest.mark.parametrize(("body", "message"), [
    ("{% for i in range(10**7) %}x{% endfor %}", "range() terlalu besar"),
    ("{{ 'x' * 10**7 }}", "terlalu panjang"),
    (NESTED_OUTPUT, "terlalu panjang"),
    (NESTED_EMPTY, "lebih dari 2 detik"),
])
def test_check_and_plan_report_a_hostile_template_and_exit_2(
        siar, mini: Path, engine: Engine, body: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = mini / "templates/posts/daftar.j2"
    path.write_text(path.read_text().replace("{{ penutup(region, election) }}",
                                             "{{ penutup(region, election) }}\n" + body))
    where = f"posts/daftar.j2:{line_of(path, body[:10])}: "
    checked = siar("check")
    assert checked.exit_code == 2, checked.output
    assert where in checked.stderr and message in checked.stderr, checked.stderr
    assert "Traceback" not in checked.output
    assert siar("init").exit_code == 0
    planned = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    assert planned.exit_code == 2, planned.output
    assert where in planned.stderr and message in planned.stderr, planned.stderr
    assert "Traceback" not in planned.output
    assert posts(engine) == []
