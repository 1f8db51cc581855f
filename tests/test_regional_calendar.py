"""Each office its own calendar: dates per region, group and province over the
election-wide ones; results released per region, by its calendar or a recorded
announcement (`siar results announce`); posts spread over a few minutes."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings, PostDraft, check_post
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import ContentError, ReviewError
from scheduler.planning import PlanRequest, plan_posts
from scheduler.publishing.gate import Gate
from scheduler.results import read_releases
from scheduler.review import approve
from scheduler.users import PLANNER
from tests.conftest import actor, posts, worker_for
from tests.second_province import NATION, WIB_REGIONS, WITA_REGIONS, add_nation, add_second_province

WIB = ZoneInfo("Asia/Jakarta")

REGION_DATES = """\
groups:
  - key: uji-kelompok
    name: Kabupaten A dan Kota B
    regions: [kab-a, kota-b]
    elections:
      uji-2024:
        dates:
          daftar: {start: 2024-01-03, end: 2024-01-04}
        facts: {single_candidate: true, tps: 120}
"""


def add_dates(mini: Path, key: str, block: str) -> None:
    """Give region `key` of the mini region file an `elections:` block (YAML text)."""
    path = mini / "content/regions/uji.yaml"
    text = path.read_text()
    anchor = f"key: {key}\n"
    indent = "    " if key != "prov" else "  "
    lines = "".join(f"{indent}{line}\n" for line in block.strip("\n").splitlines())
    path.write_text(text.replace(anchor, anchor + lines, 1))


@pytest.fixture
def regional(mini: Path) -> Path:
    add_dates(mini, "prov", "elections:\n  uji-2024:\n    dates:\n"
                            "      hasil: {start: 2024-02-28, end: 2024-02-28, time: 20:30}\n"
                            "    facts: {dpt: 1000, mascot: Si Uji}")
    add_dates(mini, "kab-a", "elections:\n  uji-2024:\n    dates:\n"
                             "      daftar: {start: 2024-01-05, end: 2024-01-06}\n"
                             "    facts: {dpt: 300}")
    path = mini / "content/regions/uji.yaml"
    path.write_text(path.read_text() + REGION_DATES)
    return mini


def test_a_region_follows_its_own_dates_then_its_groups_then_its_provinces(
        regional: Path) -> None:
    catalog = load_catalog(regional / "content", regional / "templates")
    own = catalog.calendar("uji-2024", "kab-a")
    grouped = catalog.calendar("uji-2024", "kota-b")
    province = catalog.calendar("uji-2024", "prov")
    assert (own.stage("daftar").start, own.stage("daftar").end) == (date(2024, 1, 5),
                                                                     date(2024, 1, 6))
    assert grouped.stage("daftar").start == date(2024, 1, 3)
    assert province.stage("daftar").start == date(2024, 1, 1)  # the election-wide dates
    assert own.stage("daftar").regional and not province.stage("daftar").regional
    # The province's own dates hold for its regencies too, at the recorded time.
    for calendar in (own, grouped, province):
        assert calendar.stage("hasil").begins_at(WIB) == datetime(2024, 2, 28, 20, 30,
                                                                  tzinfo=WIB)
    # Facts are each office's own, field by field over its group's; never the province's.
    assert catalog.region("kab-a").facts_for("uji-2024").dpt == 300
    assert catalog.region("kab-a").facts_for("uji-2024").single_candidate
    assert catalog.region("kota-b").facts_for("uji-2024").dpt is None
    assert catalog.region("kota-b").facts_for("uji-2024").tps == 120
    assert catalog.region("prov").facts_for("uji-2024").mascot == "Si Uji"
    # A region without dates of its own shares the election's calendar object.
    assert catalog.calendar("uji-2024", None) is catalog.elections["uji-2024"]


def test_planning_uses_each_regions_own_days(regional: Path, settings: Settings,
                                              engine: Engine, clock: FixedClock) -> None:
    catalog = load_catalog(regional / "content", regional / "templates")
    plan_posts(engine, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 10)),
               clock.now(), actor=PLANNER)
    days: dict[str, set[date]] = {}
    for post in posts(engine):
        if post.rule_key == "daftar-harian":
            days.setdefault(post.region_key, set()).add(post.scheduled_at.astimezone(WIB).date())
    assert days["kab-a"] == {date(2024, 1, 5), date(2024, 1, 6)}
    assert days["kota-b"] == {date(2024, 1, 3), date(2024, 1, 4)}
    assert days["prov"] == {date(2024, 1, 1) + timedelta(days=n) for n in range(10)}


def test_siar_stages_shows_a_regions_calendar(regional: Path, siar) -> None:  # type: ignore[no-untyped-def]
    result = siar("stages", "--region", "kab-a")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if "Pendaftaran pemilih" in line)
    assert "2024-01-05" in lines[at], result.stdout
    assert "(wilayah)" in lines[at + 1], result.stdout  # under the key, never cut
    hasil = next(line for line in lines if "Penetapan hasil" in line)
    assert "2024-02-28 20.30" in hasil
    province = siar("stages", "--region", "prov").stdout
    assert "2024-01-01" in next(line for line in province.splitlines()
                                    if "Pendaftaran pemilih" in line)
    unknown = siar("stages", "--region", "kab-z")
    assert unknown.exit_code != 0
    assert "wilayah tidak dikenal: 'kab-z'" in unknown.output


@pytest.mark.parametrize(("block", "message"), [
    ("elections:\n  uji-2024:\n    dates:\n      daftr: {start: 2024-01-05, end: 2024-01-06}",
     "tahapan tidak dikenal di uji-2024: 'daftr'"),
    ("elections:\n  uji-2030:\n    dates: {}", "pemilihan tidak dikenal: 'uji-2030'"),
    ("elections:\n  uji-2024:\n    dates:\n      daftar: {start: 2024-01-06, end: 2024-01-05}",
     "lebih awal dari start"),
    ("elections:\n  uji-2024:\n    facts: {dpt: banyak}", "harus bilangan bulat"),
])
def test_a_wrong_regional_entry_is_named_with_its_line(mini: Path, block: str,
                                                       message: str) -> None:
    add_dates(mini, "kab-a", block)
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    [problem] = caught.value.problems
    assert message in problem.message
    assert problem.source.endswith("uji.yaml")
    text = (mini / "content/regions/uji.yaml").read_text().splitlines()
    assert problem.line is not None
    assert text[problem.line - 1].strip().split(":")[0] in block


def test_a_group_naming_a_region_outside_its_file_is_a_problem(mini: Path) -> None:
    path = mini / "content/regions/uji.yaml"
    path.write_text(path.read_text() + REGION_DATES.replace("[kab-a, kota-b]", "[kab-a, kab-x]"))
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    assert [p.message for p in caught.value.problems] == [
        "kelompok uji-kelompok: wilayah tidak ada di berkas ini: 'kab-x'"]


# -- results, per region -------------------------------------------------------------------


def held(catalog: Catalog, region: str, at: datetime, **settings: object) -> list[str]:
    draft = PostDraft(text="Hasil resmi", platform="facebook", region_key=region,
                      scheduled_at=at, image="kartu.jpg", election_key="uji-2024",
                      template="hasil", stage_key="hasil")
    return [p.code for p in check_post(draft, catalog, CheckSettings(**settings))  # type: ignore[arg-type]
            if p.code == "results_held"]


def test_results_open_at_the_regions_recorded_minute(regional: Path) -> None:
    catalog = load_catalog(regional / "content", regional / "templates")
    opens = datetime(2024, 2, 28, 20, 30, tzinfo=WIB)
    assert held(catalog, "kab-a", opens - timedelta(minutes=1)) == ["results_held"]
    assert held(catalog, "kab-a", opens) == []
    # Without its own date the election-wide one holds: 1 March at midnight.
    plain = load_catalog(Path(__file__).parent / "data/mini/content",
                         Path(__file__).parent / "data/mini/templates")
    assert held(plain, "kab-a", opens) == ["results_held"]


def test_an_announcement_releases_a_region_and_its_regencies(catalog: Catalog) -> None:
    before = datetime(2024, 2, 20, 9, 0, tzinfo=WIB)
    announced = {("uji-2024", "hasil", "prov"): datetime(2024, 2, 19, 15, 0, tzinfo=UTC)}
    assert held(catalog, "kab-a", before) == ["results_held"]
    assert held(catalog, "kab-a", before, releases=announced) == []
    assert held(catalog, "prov", before, releases=announced) == []
    regency_only = {("uji-2024", "hasil", "kota-b"): datetime(2024, 2, 19, 15, 0, tzinfo=UTC)}
    assert held(catalog, "kota-b", before, releases=regency_only) == []
    assert held(catalog, "kab-a", before, releases=regency_only) == ["results_held"]


def results_rule(mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text() + (
        "  - key: hasil-awal\n    template: hasil\n    offsets: {stage: coblos, at: [\"H+5\"]}\n"
        "    regions: [kota-b]\n    platforms: [facebook]\n    image: kartu.jpg\n"))


def test_announce_from_the_command_line_then_plan_approve_and_publish(
        mini: Path, siar, settings: Settings, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    """Kota B records its results as announced, long before the election-wide date (1
    March): its results post of 19 February is planned without a hold, approved, and
    published; the gate at the moment of publishing reads the announcement too."""
    results_rule(mini)
    assert siar("init").exit_code == 0
    for name, role, region in (("sari", "reviewer", "kota-b"), ("rina", "author", "kab-a")):
        added = siar("user", "add", name, "--role", role, "--region", region,
                     "--password-stdin", input="sandi-uji-123\n")
        assert added.exit_code == 0, added.output
    # The command line's clock stands at 20 December 2023 10.00 WIB (SIAR_NOW).
    args = ("results", "announce", "--election", "uji-2024", "--stage", "hasil",
            "--at", "2023-12-19 16:00", "--note", "Kpts 12")
    refused = siar(*args, "--region", "kota-b", "--as", "rina", "--password-stdin",
                   input="sandi-uji-123\n")
    assert refused.exit_code != 0 and "tidak berwenang" in refused.output
    outside = siar(*args, "--region", "kab-a", "--as", "sari", "--password-stdin",
                   input="sandi-uji-123\n")
    assert outside.exit_code != 0 and "hanya berwenang" in outside.output
    wrong_stage = siar("results", "announce", "--election", "uji-2024", "--stage", "coblos",
                       "--region", "kota-b", "--at", "2023-12-19 16:00", "--as", "sari",
                       "--password-stdin", input="sandi-uji-123\n")
    assert "'coblos' bukan tahapan hasil uji-2024" in wrong_stage.output
    future = siar("results", "announce", "--election", "uji-2024", "--stage", "hasil",
                  "--region", "kota-b", "--at", "2023-12-21 16:00", "--as", "sari",
                  "--password-stdin", input="sandi-uji-123\n")
    assert future.exit_code != 0 and "masa depan" in future.output
    done = siar(*args, "--region", "kota-b", "--as", "sari", "--password-stdin",
                input="sandi-uji-123\n")
    assert done.exit_code == 0, done.output
    assert "Tercatat" in done.stdout and "Selasa, 19 Desember 2023 pukul 16.00 WIB" in done.stdout
    catalog = load_catalog(mini / "content", mini / "templates")
    engine = _engine(settings)
    with session_scope(engine, write=False) as session:
        assert read_releases(session) == {
            ("uji-2024", "hasil", "kota-b"): datetime(2023, 12, 19, 9, 0, tzinfo=UTC)}
    listed = siar("results", "list", "--as", "sari", "--password-stdin",
                  input="sandi-uji-123\n")
    assert "kota-b" in listed.stdout and "Kpts 12" in listed.stdout, listed.output
    plan_posts(engine, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 2, 19), date_to=date(2024, 2, 19)),
               clock.now(), actor=PLANNER)
    [post] = [p for p in posts(engine) if p.rule_key == "hasil-awal"]
    assert post.problems == [] and post.stage_key == "coblos"
    with session_scope(engine, write=True) as session:
        approve(session, actor=actor("rudi", "reviewer", "prov"), target=str(post.id),
                catalog=catalog, checks=CheckSettings(), now=clock.now())
    clock.set(post.scheduled_at + timedelta(seconds=1))
    worker_for(engine, catalog, settings, clock).run_once()
    [after] = [p for p in posts(engine) if p.id == post.id]
    assert after.status == "published"


def test_the_gate_holds_a_results_post_until_its_release(regional: Path) -> None:
    catalog = load_catalog(regional / "content", regional / "templates")
    gate = Gate(catalog, timedelta(minutes=30))
    opens = datetime(2024, 2, 28, 20, 30, tzinfo=WIB)
    post = _claimed(opens - timedelta(minutes=10))
    hold = gate.decide(post, opens - timedelta(minutes=10), releases=dict)
    assert hold is not None and hold.status == "pending"
    assert "konten hasil ditahan sampai hasil resmi di Kabupaten A" in hold.reason
    assert gate.decide(_claimed(opens), opens, releases=dict) is None
    early = {("uji-2024", "hasil", "kab-a"): opens - timedelta(hours=1)}
    assert gate.decide(post, opens - timedelta(minutes=10), releases=lambda: early) is None


def test_approval_refuses_a_results_post_before_its_regions_release(
        synced: Engine, mini: Path, settings: Settings, clock: FixedClock) -> None:
    results_rule(mini)
    catalog = load_catalog(mini / "content", mini / "templates")
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 2, 19), date_to=date(2024, 2, 19)),
               clock.now(), actor=PLANNER)
    [post] = [p for p in posts(synced) if p.rule_key == "hasil-awal"]
    assert [p["code"] for p in post.problems] == ["results_held"]
    with session_scope(synced, write=True) as session, pytest.raises(ReviewError) as refused:
        approve(session, actor=actor("rudi", "reviewer", "prov"), target=str(post.id),
                catalog=catalog, checks=CheckSettings(), now=clock.now())
    assert "konten hasil ditahan sampai hasil resmi di Kota B" in str(refused.value)


# -- spread and per-platform cadence ----------------------------------------------------------


def test_a_spread_rule_sends_each_account_a_few_minutes_apart_and_plans_once(
        mini: Path, settings: Settings, engine: Engine, clock: FixedClock) -> None:
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text().replace(
        "    during: [daftar]\n", "    during: [daftar]\n    spread: 20\n"
        "    platform_cadence: {x: \"0 9 * * mon\"}\n"))
    catalog = load_catalog(mini / "content", mini / "templates")
    request = PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 10))
    first = plan_posts(engine, catalog, settings.templates_dir, request, clock.now(),
                       actor=PLANNER)
    daily = [p for p in posts(engine) if p.rule_key == "daftar-harian"]
    # X posts only on Mondays (1 and 8 January); the other four platforms daily.
    assert Counter(p.platform for p in daily)["x"] == 2 * 3
    assert len(daily) == 10 * 3 * 4 + 2 * 3
    minutes = {}
    for post in daily:
        local = post.scheduled_at.astimezone(WIB)
        assert (local.hour, 0 <= local.minute <= 20) == (9, True)
        minutes.setdefault((post.region_key, post.platform), set()).add(local.minute)
        assert post.batch.endswith("T09:00")  # one batch per slot for the reviewer
    assert all(len(found) == 1 for found in minutes.values())  # the same minute every day
    assert len({next(iter(found)) for found in minutes.values()}) > 3  # spread out
    again = plan_posts(engine, catalog, settings.templates_dir, request, clock.now(),
                       actor=PLANNER)
    assert (again.total_created, again.total_existing) == (0, first.total_created)


def _engine(settings: Settings) -> Engine:
    from scheduler.db import make_engine

    return make_engine(settings.database_url)


def _claimed(at: datetime):  # type: ignore[no-untyped-def]
    from scheduler.publishing.claims import ClaimedPost

    return ClaimedPost(id=1, account_id=1, region_key="kab-a", platform="facebook",
                       text="Hasil resmi", image="kartu.jpg", scheduled_at=at, attempts=1,
                       platform_ref={}, template="hasil", election_key="uji-2024",
                       rule_key=None, stage_key="hasil")



def test_the_calendar_page_shows_the_viewers_own_dates(regional: Path) -> None:
    from scheduler.calendar_view import calendar_region, stage_bands
    from scheduler.posts import PostFilter

    catalog = load_catalog(regional / "content", regional / "templates")
    regency = actor("sari", "reviewer", "kab-a")
    region = calendar_region(catalog, regency, PostFilter())
    [band] = [b for b in stage_bands(catalog, date(2024, 1, 1), date(2024, 1, 31),
                                     region=region) if b.key == "daftar"]
    assert (band.start, band.end) == (date(2024, 1, 5), date(2024, 1, 6))
    province = actor("rudi", "reviewer", "prov")
    assert calendar_region(catalog, province, PostFilter(regions=("kota-b",))) == "kota-b"
    assert calendar_region(catalog, province, PostFilter()) == "prov"


# -- a results stage dated only by its announcement ---------------------------------------

UNDATED_RESULTS = """\
  - key: hasil_daerah
    name: Penetapan calon terpilih daerah
    start: null
    end: null
    tags: [results]
"""
UNDATED_RULE = """\
  - key: hasil-daerah
    template: hasil
    during: [hasil_daerah]
    cadence: "0 19 * * *"
    regions: regencies
    image: kartu.jpg
"""


@pytest.fixture
def undated(mini: Path) -> Path:
    election = mini / "content/elections/uji-2024.yaml"
    election.write_text(election.read_text() + UNDATED_RESULTS)
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text() + UNDATED_RULE)
    return mini


def test_a_rule_waiting_for_an_announcement_is_not_a_content_problem(undated: Path,
                                                                     siar) -> None:  # type: ignore[no-untyped-def]
    result = siar("check")
    assert result.exit_code == 0, result.output
    # The same rule on a stage of another kind still is: it would never post.
    election = undated / "content/elections/uji-2024.yaml"
    election.write_text(election.read_text().replace(
        UNDATED_RESULTS, UNDATED_RESULTS.replace("[results]", "[oath]")))
    refused = siar("check")
    assert refused.exit_code != 0
    assert "aturan hasil-daerah: tahapan hasil_daerah belum bertanggal" in refused.output


@pytest.mark.parametrize(("region", "planned"), [
    ("kab-a", {"kab-a"}),
    ("prov", {"kab-a", "kota-b"}),  # a province's announcement reaches its regencies
])
def test_an_announcement_dates_an_undated_results_stage_for_planning(
        undated: Path, settings: Settings, synced: Engine, clock: FixedClock, region: str,
        planned: set[str]) -> None:
    from scheduler.results import announce

    catalog = load_catalog(undated / "content", undated / "templates")
    request = PlanRequest(date_from=date(2024, 3, 1), date_to=date(2024, 3, 10))
    before = plan_posts(synced, catalog, settings.templates_dir, request, clock.now(),
                        actor=PLANNER)
    assert not [p for p in posts(synced) if p.rule_key == "hasil-daerah"]
    clock.set(datetime(2024, 3, 5, 8, 0, tzinfo=UTC))
    with session_scope(synced, write=True) as session:
        announce(session, actor=actor("rudi", "reviewer", "prov"), catalog=catalog,
                 election="uji-2024", stage="hasil_daerah", region=region,
                 at=datetime(2024, 3, 5, 14, 30, tzinfo=WIB), now=clock.now())
    after = plan_posts(synced, catalog, settings.templates_dir, request, clock.now(),
                       actor=PLANNER)
    new = [p for p in posts(synced) if p.rule_key == "hasil-daerah"]
    assert after.total_created == len(new) == 5 * len(planned)
    assert {p.region_key for p in new} == planned
    assert {p.scheduled_at for p in new} == {datetime(2024, 3, 5, 12, 0, tzinfo=UTC)}  # 19.00
    assert all(p.problems == [] and p.stage_key == "hasil_daerah" for p in new)
    assert before.total_existing == 0


# -- an office's own links -----------------------------------------------------------------


def test_an_offices_own_links_join_the_official_ones(mini: Path) -> None:
    add_dates(mini, "prov", "links: {ppid: \"https://prov.kpu.go.id/ppid\"}")
    add_dates(mini, "kota-b", "links: {pilkada: \"https://kota-b.kpu.go.id/pilkada\"}")
    catalog = load_catalog(mini / "content", mini / "templates")
    assert catalog.links_for("kota-b")["pilkada"] == "https://kota-b.kpu.go.id/pilkada"
    assert catalog.links_for("kota-b")["ppid"] == "https://prov.kpu.go.id/ppid"  # province's
    assert catalog.links_for("kab-a")["cekdpt"] == "https://cekdptonline.kpu.go.id"
    assert "pilkada" not in catalog.links_for("kab-a")
    with pytest.raises(TypeError):  # read-only for templates and callers alike
        catalog.links_for("kota-b")["ppid"] = "https://palsu"  # type: ignore[index]


def test_an_offices_link_may_not_replace_an_official_one(mini: Path) -> None:
    add_dates(mini, "kab-a", "links: {cekdpt: \"https://kab-a.kpu.go.id/dpt\"}")
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    [problem] = caught.value.problems
    assert "tautan 'cekdpt' sudah ada di content/links.yaml" in problem.message
    lines = (mini / "content/regions/uji.yaml").read_text().splitlines()
    assert problem.line is not None and "cekdpt" in lines[problem.line - 1]


# -- the nation's announcement -------------------------------------------------------------


def test_the_nations_announcement_releases_every_province_and_regency(mini: Path) -> None:
    add_second_province(mini)
    add_nation(mini)
    catalog = load_catalog(mini / "content", mini / "templates")
    before = datetime(2024, 2, 20, 9, 0, tzinfo=WIB)
    announced = {("uji-2024", "hasil", NATION): datetime(2024, 2, 19, 15, 0, tzinfo=UTC)}
    everywhere = (*WIB_REGIONS, *WITA_REGIONS)
    assert {k: held(catalog, k, before) for k in everywhere} == \
        {key: ["results_held"] for key in everywhere}
    assert {k: held(catalog, k, before, releases=announced) for k in everywhere} == \
        {key: [] for key in everywhere}
    # A province's announcement still reaches only its own regencies.
    province = {("uji-2024", "hasil", "prov2"): datetime(2024, 2, 19, 15, 0, tzinfo=UTC)}
    assert held(catalog, "kab-c", before, releases=province) == []
    assert held(catalog, "kab-a", before, releases=province) == ["results_held"]


@pytest.fixture
def undated_nation(undated: Path) -> Path:
    add_second_province(undated)
    add_nation(undated)
    return undated


def test_the_nations_announcement_dates_an_undated_stage_for_every_regency(
        undated_nation: Path, settings: Settings, synced: Engine, clock: FixedClock) -> None:
    from scheduler.results import announce

    catalog = load_catalog(undated_nation / "content", undated_nation / "templates")
    request = PlanRequest(date_from=date(2024, 3, 1), date_to=date(2024, 3, 10))
    clock.set(datetime(2024, 3, 5, 8, 0, tzinfo=UTC))
    with session_scope(synced, write=True) as session:
        announce(session, actor=actor("nadia", "reviewer", NATION), catalog=catalog,
                 election="uji-2024", stage="hasil_daerah", region=NATION,
                 at=datetime(2024, 3, 5, 14, 30, tzinfo=WIB), now=clock.now())
    plan_posts(synced, catalog, settings.templates_dir, request, clock.now(), actor=PLANNER)
    new = [p for p in posts(synced) if p.rule_key == "hasil-daerah"]
    assert Counter(p.region_key for p in new) == dict.fromkeys(
        ("kab-a", "kota-b", "kab-c", "kota-d"), 5)
    # 19.00 local on the announced day: WIB at 12.00 UTC, WITA at 11.00 UTC.
    assert {(p.region_key, p.scheduled_at) for p in new} == {
        *((k, datetime(2024, 3, 5, 12, 0, tzinfo=UTC)) for k in ("kab-a", "kota-b")),
        *((k, datetime(2024, 3, 5, 11, 0, tzinfo=UTC)) for k in ("kab-c", "kota-d"))}
    assert all(p.problems == [] for p in new)
