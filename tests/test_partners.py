"""Partners and MoUs (issue 9, deliverable 6): content/partners.yaml loaded strictly with
located problems; parties refused as partners; the check `mitra_tanpa_mou` at planning,
approval and publishing; joint activities planned as posts; `siar partners` and its
report."""

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings, PostDraft, calendar_problems
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import ContentError, ReviewError
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.review import approve
from scheduler.users import PLANNER
from tests.conftest import REPO, WIB, actor, events, posts, worker_for

PARTNERS = """\
partners:
  - key: univ
    name: Universitas Uji
    kind: perguruan_tinggi
    aliases: [Unuji]
    handles: ["@unuji"]
    mou: {number: MOU-UJI-1, signed: 2023-01-01, valid_until: 2024-01-05}
    agreements:
      - {region: kab-a, number: PKS-A-1, start: 2023-06-01, end: 2024-12-31, scope: sosialisasi}
      - {region: prov, number: PKS-P-1, start: 2023-06-01, end: 2024-01-03}
  - key: radio
    name: Radio Uji FM
    kind: media
activities:
  - key: kuliah
    partner: univ
    region: kab-a
    date: 2024-01-02
    title: Kuliah umum pemilih pemula
    template: kegiatan-bersama
    image: kartu.jpg
    image_alt: Kartu ajakan kuliah umum pemilih pemula
"""

MITRA_TEMPLATE = """{#---
title: Bersama mitra
---#}
{{ region.name }} bersama Universitas Uji mengajak warga {{ region.area }} memeriksa data pemilih.
"""

MITRA_RULE = """  - key: mitra
    template: mitra
    during: [daftar]
    cadence: "50 23 * * *"
    regions: [kab-a, kota-b]
    platforms: [facebook]
"""

Siar = Callable[..., Any]  # tests.conftest.siar: runs `siar` in-process, returns the Result

REVIEWER = actor("rudi", "reviewer", "prov")
ADMIN = actor("ana", "admin", "prov")


@pytest.fixture
def partnered(mini: Path) -> Path:
    """The mini content with partners, an activity, the real activity template and a rule
    whose template names a partner."""
    (mini / "content" / "partners.yaml").write_text(PARTNERS, encoding="utf-8")
    for file in (REPO / "templates" / "posts").glob("kegiatan-bersama*.j2"):
        shutil.copy(file, mini / "templates" / "posts" / file.name)
    (mini / "templates" / "posts" / "mitra.j2").write_text(MITRA_TEMPLATE, encoding="utf-8")
    plan = mini / "content" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + MITRA_RULE, encoding="utf-8")
    return mini


@pytest.fixture
def pcatalog(partnered: Path, settings: Settings) -> Catalog:
    return load_catalog(settings.content_dir, settings.templates_dir)


def load_problems(mini: Path, text: str) -> list[str]:
    (mini / "content" / "partners.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    return [str(p) for p in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


# --- loading -----------------------------------------------------------------------------


def test_the_partners_file_loads_into_typed_partners_and_activities(pcatalog: Catalog) -> None:
    univ = pcatalog.partners["univ"]
    assert univ.kind_label == "perguruan tinggi"
    assert univ.names == ("Universitas Uji", "Unuji", "@unuji")
    assert univ.mou is not None and univ.mou.valid_until == date(2024, 1, 5)
    assert [a.region_key for a in univ.agreements] == ["kab-a", "prov"]
    assert pcatalog.partners["radio"].mou is None
    (activity,) = pcatalog.activities
    assert (activity.partner_key, activity.region_key, activity.date) == (
        "univ", "kab-a", date(2024, 1, 2))
    assert activity.local_time.hour == 9


def test_without_the_file_there_are_no_partners(catalog: Catalog) -> None:
    assert catalog.partners == {} and catalog.activities == ()


def test_every_problem_of_the_file_names_its_line(partnered: Path) -> None:
    bad = (PARTNERS
           .replace("kind: media", "kind: partai")
           .replace("valid_until: 2024-01-05", "valid_until: 2022-12-31")
           .replace("region: prov,", "region: atlantis,")
           .replace("partner: univ", "partner: entah")
           .replace("template: kegiatan-bersama", "template: tidak-ada"))
    label = str(partnered / "content" / "partners.yaml")
    found = load_problems(partnered, bad)
    assert f"{label}:{line_of(bad, 'kind: partai')}: partners[1].kind: nilai tidak diizinkan" \
        in found
    assert any(p.startswith(f"{label}:{line_of(bad, 'mou:')}: partners[0].mou: valid_until "
                            "(2022-12-31) lebih awal dari signed") for p in found), found
    # A file that does not validate is reported for its shape first; fix it, and the
    # cross-references are checked.
    fixed = bad.replace("kind: partai", "kind: media").replace("2022-12-31", "2024-01-05")
    found = load_problems(partnered, fixed)
    assert found == [
        f"{label}:{line_of(fixed, 'atlantis')}: wilayah tidak dikenal: 'atlantis'",
        f"{label}:{line_of(fixed, 'partner: entah')}: kegiatan kuliah: mitra tidak dikenal: "
        "'entah'",
        f"{label}:{line_of(fixed, 'tidak-ada')}: kegiatan kuliah: templat tidak dikenal: "
        "'tidak-ada'",
    ]


def test_a_pks_that_ends_before_it_starts_is_refused(partnered: Path) -> None:
    bad = PARTNERS.replace("end: 2024-12-31", "end: 2023-01-31")
    (problem,) = load_problems(partnered, bad)
    assert f":{line_of(bad, 'PKS-A-1')}: partners[0].agreements[0]: end (2023-01-31) lebih " \
           "awal dari start" in problem


@pytest.mark.parametrize(("old", "new", "where"), [
    ("name: Radio Uji FM", "name: Radio Partai Contoh", "name: Radio Partai Contoh"),
    ("aliases: [Unuji]", "aliases: [Unuji, PARTAI CONTOH]", "aliases: [Unuji"),
])
def test_a_party_can_never_be_a_partner(partnered: Path, old: str, new: str,
                                        where: str) -> None:
    bad = PARTNERS.replace(old, new)
    (problem,) = load_problems(partnered, bad)
    assert f":{line_of(bad, where)}: mitra " in problem
    assert "memuat istilah netralitas Partai Contoh: partai politik, peserta pemilu, calon " \
           "dan tim kampanye tidak boleh menjadi mitra KPU" in problem


def test_one_name_for_two_partners_is_refused(partnered: Path) -> None:
    bad = PARTNERS.replace("name: Radio Uji FM", "name: Radio Uji FM\n    aliases: [unuji]")
    (problem,) = load_problems(partnered, bad)
    assert "mitra radio: nama 'unuji' sudah dipakai mitra univ" in problem


# --- the check ---------------------------------------------------------------------------


def problems_of(catalog: Catalog, text: str, region: str, day: date) -> list[str]:
    draft = PostDraft(text=text, platform="facebook", region_key=region,
                      scheduled_at=datetime(day.year, day.month, day.day, 10, tzinfo=WIB))
    return [p.message for p in calendar_problems(draft, catalog) if p.code == "mitra_tanpa_mou"]


def test_a_partner_with_a_valid_mou_and_pks_may_be_named(pcatalog: Catalog) -> None:
    assert problems_of(pcatalog, "Bersama Universitas Uji hari ini", "kab-a",
                       date(2024, 1, 5)) == []
    # A regency without its own PKS is covered by its province's.
    assert problems_of(pcatalog, "Bersama @unuji", "kota-b", date(2024, 1, 3)) == []


def test_an_expired_mou_holds_the_post(pcatalog: Catalog) -> None:
    assert problems_of(pcatalog, "Bersama universitas uji", "kab-a", date(2024, 1, 6)) == [
        "menyebut mitra Universitas Uji pada 6 Januari 2024, tetapi MoU dengan KPU RI "
        "(MOU-UJI-1) berakhir 5 Januari 2024"]


def test_an_expired_or_missing_pks_holds_the_post(pcatalog: Catalog) -> None:
    assert problems_of(pcatalog, "Terima kasih UNUJI!", "kota-b", date(2024, 1, 4)) == [
        "menyebut mitra Universitas Uji pada 4 Januari 2024, tetapi PKS PKS-P-1 berakhir "
        "3 Januari 2024"]
    assert problems_of(pcatalog, "Dengarkan Radio Uji FM", "kab-a", date(2024, 1, 4)) == [
        "menyebut mitra Radio Uji FM pada 4 Januari 2024, tetapi belum ada MoU dengan KPU RI; "
        "KPU Kabupaten A (dan provinsinya) belum punya PKS dengan mitra ini"]


@pytest.mark.parametrize(("text", "named"), [
    ("Bersama @unuji.", True),
    ("bersama ÚNUJI", True),  # accents and case do not matter
    ("Universitas\nUji", True),
    ("akun @unuji.official", False),
    ("Unujiku", False),
    ("email info@unuji", False),
])
def test_names_and_handles_match_as_whole_words(pcatalog: Catalog, text: str,
                                                named: bool) -> None:
    assert bool(problems_of(pcatalog, text, "kab-a", date(2024, 1, 6))) is named


# --- planning, approval, publishing -----------------------------------------------------


def plan(engine: Engine, catalog: Catalog, settings: Settings, clock: FixedClock, day: date,
         *regions: str) -> None:
    plan_posts(engine, catalog, settings.templates_dir,
               PlanRequest(date_from=day, date_to=day, regions=regions), clock.now(),
               actor=PLANNER, checks=CheckSettings(media_dir=settings.media_dir))


def mitra_posts(engine: Engine) -> list[Post]:
    return [p for p in posts(engine) if p.rule_key == "mitra"]


def codes(post: Post) -> list[str]:
    return [p["code"] for p in post.problems]


def test_planning_flags_a_post_naming_a_partner_outside_its_mou(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    plan(synced, pcatalog, settings, clock, date(2024, 1, 5))
    plan(synced, pcatalog, settings, clock, date(2024, 1, 6))
    by_region = {(p.region_key, p.scheduled_at.astimezone(WIB).day): codes(p)
                 for p in mitra_posts(synced)}
    assert by_region == {
        ("kab-a", 5): [], ("kota-b", 5): ["mitra_tanpa_mou"],  # the province's PKS ended
        ("kab-a", 6): ["mitra_tanpa_mou"], ("kota-b", 6): ["mitra_tanpa_mou"],
    }
    last = next(p for p in mitra_posts(synced) if p.region_key == "kota-b"
                and p.scheduled_at.astimezone(WIB).day == 6)
    assert last.problems[0]["message"] == (
        "menyebut mitra Universitas Uji pada 6 Januari 2024, tetapi MoU dengan KPU RI "
        "(MOU-UJI-1) berakhir 5 Januari 2024; PKS PKS-P-1 berakhir 3 Januari 2024")


def test_approval_refuses_it_unless_an_admin_overrides(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    plan(synced, pcatalog, settings, clock, date(2024, 1, 6), "kab-a")
    batch = "mitra@2024-01-06T23:50"
    with session_scope(synced, write=True) as session, pytest.raises(ReviewError) as refused:
        approve(session, actor=REVIEWER, target=batch, catalog=pcatalog,
                checks=CheckSettings(), now=clock.now())
    assert "menyebut mitra Universitas Uji pada 6 Januari 2024, tetapi MoU dengan KPU RI " \
           "(MOU-UJI-1) berakhir 5 Januari 2024" in str(refused.value)
    assert mitra_posts(synced)[0].status == "pending"
    with session_scope(synced, write=True) as session:
        approve(session, actor=ADMIN, target=batch, catalog=pcatalog, checks=CheckSettings(),
                now=clock.now(), override_reason="MoU diperpanjang, dokumen menyusul")
    assert mitra_posts(synced)[0].status == "approved"


def test_the_gate_holds_a_post_whose_mou_ended_before_it_went_out(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    """Approved for 23.50 on the MoU's last day; the worker reaches it at 00.10, within
    the lateness limit but a day after the MoU ended: back to review, nothing sent."""
    plan(synced, pcatalog, settings, clock, date(2024, 1, 5), "kab-a")
    with session_scope(synced, write=True) as session:
        approve(session, actor=REVIEWER, target="mitra@2024-01-05T23:50", catalog=pcatalog,
                checks=CheckSettings(), now=clock.now())
    (post,) = mitra_posts(synced)
    assert post.status == "approved" and post.problems == []
    clock.set(datetime(2024, 1, 6, 0, 10, tzinfo=WIB))
    worker_for(synced, pcatalog, settings, clock).run_once()
    (post,) = mitra_posts(synced)
    assert post.status == "pending" and post.approved_by is None
    assert codes(post) == ["mitra_tanpa_mou"]
    assert events(synced, post.id or 0)[-1].kind == "unsafe"
    assert not list(settings.outbox_dir.rglob(f"{post.id}.json"))


def test_within_its_mou_the_same_post_is_published(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    plan(synced, pcatalog, settings, clock, date(2024, 1, 4), "kab-a")
    with session_scope(synced, write=True) as session:
        approve(session, actor=REVIEWER, target="mitra@2024-01-04T23:50", catalog=pcatalog,
                checks=CheckSettings(), now=clock.now())
    clock.set(datetime(2024, 1, 4, 23, 50, 1, tzinfo=WIB))
    worker_for(synced, pcatalog, settings, clock).run_once()
    assert mitra_posts(synced)[0].status == "published"


# --- joint activities --------------------------------------------------------------------


def activity_posts(engine: Engine) -> list[Post]:
    with Session(engine) as session:
        return list(session.exec(select(Post).where(col(Post.plan_key).startswith("activity:"))
                                 .order_by(col(Post.id))))


def test_an_activity_is_planned_once_per_account_of_its_region(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    plan(synced, pcatalog, settings, clock, date(2024, 1, 2))
    found = activity_posts(synced)
    assert sorted(p.plan_key or "" for p in found) == [
        f"activity:kuliah|kab-a/{p}" for p in ("facebook", "instagram", "telegram", "threads",
                                               "x")]
    for post in found:
        assert post.scheduled_at == datetime(2024, 1, 2, 2, 0, tzinfo=UTC)  # 09.00 WIB
        assert (post.template, post.rule_key, post.stage_key) == ("kegiatan-bersama", None,
                                                                  "daftar")
        assert post.batch == "kegiatan-kuliah@2024-01-02T09:00"
        assert "Universitas Uji" in post.text and post.problems == []
    facebook = next(p for p in found if p.platform == "facebook")
    assert facebook.text.startswith(
        "Kegiatan Bersama: Kuliah umum pemilih pemula\n\nKPU Kabupaten A bersama Universitas "
        "Uji menyelenggarakan Kuliah umum pemilih pemula pada Selasa, 2 Januari 2024, pukul "
        "09.00 WIB.")
    assert "MoU) antara KPU RI dan Universitas Uji nomor MOU-UJI-1" in facebook.text
    plan(synced, pcatalog, settings, clock, date(2024, 1, 2))
    assert len(activity_posts(synced)) == 5  # planning twice adds nothing


def test_an_activity_outside_the_plans_regions_or_dates_is_not_planned(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    plan(synced, pcatalog, settings, clock, date(2024, 1, 2), "kota-b")
    plan(synced, pcatalog, settings, clock, date(2024, 1, 3), "kab-a")
    assert activity_posts(synced) == []


def test_an_activity_outside_every_stage_has_no_stage(
        synced: Engine, partnered: Path, settings: Settings, clock: FixedClock, siar: Siar) -> None:
    path = partnered / "content" / "partners.yaml"
    path.write_text(PARTNERS.replace("date: 2024-01-02", "date: 2023-12-28\n    time: "
                                     "\"14:30\""), encoding="utf-8")
    result = siar("plan", "--from", "2023-12-28", "--to", "2023-12-28")
    assert result.exit_code == 0, result.output
    assert "5 unggahan dibuat" in result.output
    found = activity_posts(synced)
    assert {(p.stage_key, p.election_key) for p in found} == {(None, None)}
    assert found[0].scheduled_at == datetime(2023, 12, 28, 14, 30, tzinfo=WIB)


def test_the_report_counts_planned_and_published_posts_per_activity(
        synced: Engine, pcatalog: Catalog, settings: Settings, clock: FixedClock,
        siar: Siar) -> None:
    plan(synced, pcatalog, settings, clock, date(2024, 1, 2))
    with session_scope(synced, write=True) as session:
        approve(session, actor=REVIEWER, target="kegiatan-kuliah@2024-01-02T09:00",
                catalog=pcatalog, checks=CheckSettings(), now=clock.now(), excepts=[
                    p.id or 0 for p in activity_posts(synced) if p.platform == "x"])
    clock.set(datetime(2024, 1, 2, 9, 0, 1, tzinfo=WIB))
    worker_for(synced, pcatalog, settings, clock).run_once()
    table = siar("partners", "report", "--from", "2024-01-01", "--to", "2024-01-31")
    assert table.exit_code == 0, table.output
    row = next(line for line in table.output.splitlines() if line.startswith("kab-a "))
    assert re.split(r"\s{2,}", row.strip()) == [
        "kab-a", "2024-01-02", "kegiatan-bersama", "5", "4",
        "Kuliah umum pemilih pemula · Universitas Uji"]
    assert "1 kegiatan bersama." in table.output
    result = siar("partners", "report", "--from", "2024-01-01", "--to", "2024-01-31",
                  "--format", "csv")
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["office", "date", "partner", "activity", "template", "planned", "published"],
        ["KPU Kabupaten A", "2024-01-02", "Universitas Uji", "Kuliah umum pemilih pemula",
         "kegiatan-bersama", "5", "4"]]
    other = siar("partners", "report", "--from", "2024-01-01", "--to", "2024-01-31",
                 "--region", "kota-b", "--format", "csv")
    assert other.output.splitlines()[1:] == []
    wrong = siar("partners", "report", "--from", "2024-01-31", "--to", "2024-01-01")
    assert wrong.exit_code != 0 and "lebih awal dari tanggal awal" in wrong.output


# --- siar partners -------------------------------------------------------------------------


def test_siar_partners_lists_what_expires_within_60_days(partnered: Path, siar: Siar) -> None:
    result = siar("partners")  # now: 20 December 2023
    assert result.exit_code == 0, result.output
    assert "2 mitra; 1 dengan MoU/PKS yang berakhir dalam 60 hari atau sudah berakhir:" \
        in result.output
    assert ("  Universitas Uji: MoU MOU-UJI-1 berakhir dalam 16 hari; PKS prov PKS-P-1 "
            "berakhir dalam 14 hari") in result.output
    lines = result.output.splitlines()
    radio = next(i for i, line in enumerate(lines) if line.startswith("radio "))
    assert "belum ada" in lines[radio] and "Radio Uji FM" in lines[radio + 1]
    quiet = siar("partners", "--expiring-days", "10")
    assert "2 mitra; 0 dengan MoU/PKS" in quiet.output
    later = siar("--now", "2024-01-10T10:00", "partners")
    assert ("  Universitas Uji: MoU MOU-UJI-1 berakhir 5 hari lalu; PKS prov PKS-P-1 "
            "berakhir 7 hari lalu") in later.output


def test_siar_partners_as_json_and_for_one_region(partnered: Path, siar: Siar) -> None:
    records = json.loads(siar("partners", "--format", "json").output)
    assert records[0] == {
        "partner": "univ", "name": "Universitas Uji", "kind": "perguruan_tinggi",
        "mou_number": "MOU-UJI-1", "mou_valid_until": "2024-01-05", "mou_days_left": 16,
        "agreements": "kab-a: PKS-A-1 s.d. 2024-12-31; prov: PKS-P-1 s.d. 2024-01-03",
        "expiring": True}
    assert records[1]["mou_number"] is None
    kota_b = json.loads(siar("partners", "--region", "kota-b", "--format", "json").output)
    assert [(r["partner"], r["agreements"]) for r in kota_b] == [
        ("univ", "prov: PKS-P-1 s.d. 2024-01-03")]
    unknown = siar("partners", "--region", "atlantis")
    assert unknown.exit_code != 0 and "wilayah tidak dikenal: 'atlantis'" in unknown.output


def test_siar_check_renders_each_activity_for_its_accounts(partnered: Path,
                                                          siar: Siar) -> None:
    assert siar("check").exit_code == 0
    path = partnered / "content" / "partners.yaml"
    long_title = "Kuliah umum " + "pemilih pemula " * 20
    path.write_text(PARTNERS.replace("Kuliah umum pemilih pemula", long_title.strip()),
                    encoding="utf-8")
    result = siar("check")
    assert result.exit_code == 2
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert lines and all(line.startswith(f"{path}:{line_of(PARTNERS, '- key: kuliah')}: "
                                         "kegiatan kuliah: kab-a/") for line in lines), lines
    assert any("kab-a/x: teks" in line and "untuk x" in line for line in lines), lines


def test_the_shipped_example_partners_load() -> None:
    catalog = load_catalog(REPO / "content", REPO / "templates")
    assert catalog.partners  # examples, clearly marked as such
    assert all(p.unconfirmed for p in catalog.partners.values())
    assert "kegiatan-bersama" in catalog.templates
