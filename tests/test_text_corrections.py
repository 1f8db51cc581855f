"""Facts in the shipped texts, each checked against its regulation (issue 9's corrections),
rendered from the real content and templates as planning renders them."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.catalog import load_catalog
from scheduler.checks.length import count_hashtags
from scheduler.content.model import Catalog
from scheduler.db import make_engine
from scheduler.migrate import upgrade_database
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.preview import preview_post
from scheduler.rendering import PostRenderer
from scheduler.rule_schedule import calendar_slots
from scheduler.users import PLANNER

REPO = Path(__file__).resolve().parent.parent
TZ = "Asia/Jakarta"


@pytest.fixture(scope="module")
def real() -> tuple[Catalog, PostRenderer]:
    from zoneinfo import ZoneInfo

    catalog = load_catalog(REPO / "content", REPO / "templates")
    return catalog, PostRenderer(REPO / "templates", ZoneInfo(TZ))


def text(real: tuple[Catalog, PostRenderer], template: str, platform: str, on: date,
         stage: str | None = None, region: str = "kota-surabaya") -> str:
    catalog, renderer = real
    return preview_post(catalog, renderer, template=template, region=region,
                        platform=platform, on=on, stage=stage).text


@pytest.mark.parametrize("platform", ["facebook", "threads"])
def test_candidate_pairs_are_set_in_a_closed_plenary_the_number_draw_is_open(
        real: tuple[Catalog, PostRenderer], platform: str) -> None:
    # PKPU 8/2024 art. 120(1): the pairs are determined in a closed plenary session.
    set_pairs = text(real, "pilkada-penetapan-paslon", platform, date(2024, 9, 23),
                     stage="pilkada_penetapan_paslon")
    draw = text(real, "pilkada-penetapan-paslon", platform, date(2024, 9, 24),
                stage="pilkada_nomor_urut")
    assert "rapat pleno tertutup" in set_pairs
    assert "pleno terbuka" not in set_pairs
    assert "rapat pleno terbuka" in draw


@pytest.mark.parametrize(("template", "platform", "on", "form"), [
    ("hitung-mundur", "facebook", date(2024, 2, 10), "C.Pemberitahuan-KPU"),
    ("ajakan-ke-tps", "x", date(2024, 2, 14), "C.Pemberitahuan-KPU"),
    ("masa-tenang", "threads", date(2024, 2, 12), "C.Pemberitahuan-KPU"),
    ("pilkada-ajakan-ke-tps", "x", date(2024, 11, 27), "C.Pemberitahuan-KWK"),
    ("pilkada-masa-tenang", "facebook", date(2024, 11, 25), "C.Pemberitahuan-KWK"),
])
def test_the_notice_form_has_its_official_name(real: tuple[Catalog, PostRenderer],
                                               template: str, platform: str, on: date,
                                               form: str) -> None:
    rendered = text(real, template, platform, on)
    assert form in rendered
    assert "C Pemberitahuan" not in rendered
    assert "Model C" not in rendered


def test_the_hoax_post_says_berbagi_not_sharing(real: tuple[Catalog, PostRenderer]) -> None:
    rendered = text(real, "lawan-hoaks", "facebook", date(2024, 1, 15))
    assert "Saring sebelum berbagi" in rendered
    assert "sharing" not in rendered


# --- cek-dpt: after the DPT is set, the unregistered voter is pointed to the DPK --------

@pytest.mark.parametrize("platform", ["facebook", "x", "threads"])
@pytest.mark.parametrize("on", [date(2023, 7, 5), date(2024, 2, 12), date(2024, 11, 9)])
def test_after_the_dpt_is_set_an_unregistered_voter_is_pointed_to_the_dpk(
        real: tuple[Catalog, PostRenderer], platform: str, on: date) -> None:
    # The DPT was set in June 2023 (Pemilu) and September 2024 (Pilkada): from then on, a
    # voter missing from it votes with the KTP-el in the last hour (DPK), at the TPS of the
    # KTP address; the PPS can no longer add them.
    rendered = text(real, "cek-dpt", platform, on, region="kota-blitar")
    assert "DPK" in rendered
    assert "KTP-el" in rendered
    assert "12.00–13.00" in rendered
    assert "PPS" not in rendered


@pytest.mark.parametrize("platform", ["facebook", "x", "threads"])
def test_before_the_dpt_is_set_an_unregistered_voter_reports_to_the_pps(
        real: tuple[Catalog, PostRenderer], platform: str) -> None:
    rendered = text(real, "cek-dpt", platform, date(2023, 5, 24), region="kota-blitar")
    assert "PPS" in rendered
    assert "DPK" not in rendered


# --- pindah-memilih: both deadlines, with their dates, and posts before each -----------

@pytest.mark.parametrize("platform", ["facebook", "x", "threads"])
def test_moving_to_vote_elsewhere_gives_both_deadline_dates(
        real: tuple[Catalog, PostRenderer], platform: str) -> None:
    # Pemilu 14 Feb 2024: H-30 = 15 Jan, H-7 = 7 Feb (UU 7/2017 Pasal 210; issue 9).
    pemilu = text(real, "pindah-memilih", platform, date(2024, 1, 8), region="kab-malang")
    assert "15 Januari 2024" in pemilu
    assert "7 Februari 2024" in pemilu
    # Pilkada 27 Nov 2024: H-30 = 28 Oct, H-7 = 20 Nov, within the province or regency.
    pilkada = text(real, "pilkada-pindah-memilih", platform, date(2024, 10, 21),
                   region="kab-malang")
    assert "28 Oktober 2024" in pilkada
    assert "20 November 2024" in pilkada
    assert "provinsi" in pilkada


def test_after_the_h30_deadline_only_the_h7_reasons_remain(
        real: tuple[Catalog, PostRenderer]) -> None:
    rendered = text(real, "pindah-memilih", "facebook", date(2024, 2, 4), region="kab-malang")
    assert "sudah lewat" in rendered
    assert "7 Februari 2024" in rendered


@pytest.mark.parametrize(("template", "voting_day", "deadlines"), [
    ("pindah-memilih", date(2024, 2, 14), {date(2024, 1, 15), date(2024, 2, 7)}),
    ("pilkada-pindah-memilih", date(2024, 11, 27), {date(2024, 10, 28), date(2024, 11, 20)}),
])
def test_moving_to_vote_is_posted_before_and_on_each_deadline(
        real: tuple[Catalog, PostRenderer], template: str, voting_day: date,
        deadlines: set[date]) -> None:
    catalog, _ = real
    rules = [r for r in catalog.rules if r.template == template]
    assert rules
    days = {voting_day + timedelta(days=d) for r in rules for d in r.offset_days}
    assert deadlines <= days
    for deadline in deadlines:  # and a reminder in the week before it
        assert any(deadline - timedelta(days=10) <= d < deadline for d in days)


# --- Pilkada voting calls: the TPS may differ from 14 February --------------------------

PILKADA_CALLS = [("pilkada-ajakan-ke-tps", date(2024, 11, 27)),
                 ("pilkada-hitung-mundur", date(2024, 11, 20)),
                 ("pilkada-hitung-mundur", date(2024, 11, 26)),
                 ("pilkada-hitung-mundur", date(2024, 11, 27))]


@pytest.mark.parametrize("platform", ["facebook", "x", "threads", "telegram"])
@pytest.mark.parametrize(("template", "on"), PILKADA_CALLS)
def test_every_pilkada_voting_call_says_the_tps_may_have_changed(
        real: tuple[Catalog, PostRenderer], template: str, on: date, platform: str) -> None:
    # The Pilkada TPS were regrouped (issue 9): a voter's TPS may not be the Pemilu one.
    rendered = text(real, template, platform, on, region="kota-blitar")
    assert ("TPS Anda bisa berbeda dari 14 Februari — cek https://cekdptonline.kpu.go.id"
            in rendered)


@pytest.mark.parametrize(("template", "on"), PILKADA_CALLS)
def test_on_instagram_the_tps_call_names_the_address_without_a_dead_link(
        real: tuple[Catalog, PostRenderer], template: str, on: date) -> None:
    rendered = text(real, template, "instagram", on, region="kab-malang")
    assert "TPS Anda bisa berbeda dari 14 Februari — cek cekdptonline.kpu.go.id" in rendered


# --- Debates: their time and their kind ----------------------------------------------------

@pytest.mark.parametrize("platform", ["facebook", "x", "threads"])
@pytest.mark.parametrize(("on", "kind"), [
    (date(2023, 12, 12), "debat calon presiden"),
    (date(2023, 12, 22), "debat calon wakil presiden"),
    (date(2024, 2, 4), "debat calon presiden"),
])
def test_a_debate_reminder_gives_the_time_and_the_kind(
        real: tuple[Catalog, PostRenderer], platform: str, on: date, kind: str) -> None:
    rendered = text(real, "debat-kandidat", platform, on, region="jatim")
    assert "pukul 19.00 WIB" in rendered
    assert kind in rendered


def test_the_governor_debates_have_their_own_rule_and_post(
        real: tuple[Catalog, PostRenderer]) -> None:
    # The province's debate dates are in its region file (Jawa Timur: 18 October 2024).
    plan = yaml.safe_load((REPO / "content" / "plan.yaml").read_text(encoding="utf-8"))
    rule = next(r for r in plan["rules"] if r["template"] == "pilkada-debat")
    assert rule["during"] == ["pilkada_debat_1", "pilkada_debat_2", "pilkada_debat_3"]
    assert rule["regions"] == "province"
    rendered = text(real, "pilkada-debat", "facebook", date(2024, 10, 18),
                    stage="pilkada_debat_1", region="jatim")
    assert rule.get("enabled", True)
    assert "Debat publik pertama" in rendered and "pukul 19.00 WIB" in rendered
    assert "Gubernur dan Wakil Gubernur" in rendered


# --- Ad hoc recruitment: only while applications are open -------------------------------

def test_the_adhoc_recruitment_call_runs_only_in_the_registration_windows(
        real: tuple[Catalog, PostRenderer]) -> None:
    catalog, _ = real
    windows = {"pendaftaran_ppk": (date(2022, 11, 20), date(2022, 11, 29)),
               "pendaftaran_pps": (date(2022, 12, 18), date(2022, 12, 27)),
               "pilkada_pendaftaran_ppk": (date(2024, 4, 23), date(2024, 4, 29)),
               "pilkada_pendaftaran_pps": (date(2024, 5, 2), date(2024, 5, 8))}
    rules = [r for r in catalog.rules if r.template == "pembentukan-badan-adhoc"]
    assert {r.election for r in rules} == {"pemilu-2024", "pilkada-2024"}
    seen: set[str] = set()
    for rule in rules:
        for slot in calendar_slots(catalog, rule) or []:
            first, last = windows[slot.stage.key]
            assert first <= slot.at.date() <= last
            seen.add(slot.stage.key)
    assert seen == set(windows)


# --- X: two hashtags; Instagram: no dead links -------------------------------------------

def test_every_planned_x_post_has_at_most_two_hashtags(tmp_path: Path) -> None:
    engine = planned(tmp_path, date(2024, 1, 29), date(2024, 2, 15))
    with Session(engine) as session:
        texts = session.exec(select(Post.text).where(col(Post.platform) == "x")).all()
    assert len(texts) > 500
    assert max(count_hashtags(t) for t in texts) <= 2
    assert all("#Pemilu2024" in t for t in texts)


def test_no_planned_instagram_caption_carries_a_raw_link(tmp_path: Path) -> None:
    engine = planned(tmp_path, date(2024, 1, 29), date(2024, 2, 15), platforms=("instagram",))
    with Session(engine) as session:
        texts = session.exec(select(Post.text)).all()
    assert len(texts) > 500
    assert not [t for t in texts if "https://" in t or "http://" in t]
    assert any("cekdptonline.kpu.go.id" in t for t in texts)


@pytest.mark.parametrize("template", sorted({
    "cek-dpt", "pindah-memilih", "pilkada-pindah-memilih", "pilkada-ajakan-ke-tps",
    "pilkada-hitung-mundur", "ajakan-ke-tps", "hitung-mundur", "lawan-hoaks"}))
def test_no_instagram_caption_carries_https(real: tuple[Catalog, PostRenderer],
                                            template: str) -> None:
    catalog, _ = real
    rule = next(r for r in catalog.rules if r.template == template)
    for slot in (calendar_slots(catalog, rule) or [])[:3]:
        rendered = text(real, template, "instagram", slot.at.date(), stage=slot.stage.key,
                        region="kab-malang")
        assert "https://" not in rendered
        assert ".kpu.go.id" in rendered


def planned(tmp_path: Path, first: date, last: date,
            platforms: tuple[str, ...] = ()) -> Engine:
    """The shipped content planned into a real SQLite file."""
    engine = make_engine(f"sqlite:///{tmp_path / 'siar.db'}")
    upgrade_database(engine)
    catalog = load_catalog(REPO / "content", REPO / "templates")
    plan_posts(engine, catalog, REPO / "templates",
               PlanRequest(date_from=first, date_to=last, platforms=platforms),
               datetime(2024, 1, 1, tzinfo=UTC), actor=PLANNER)
    return engine
