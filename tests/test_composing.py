"""The composer's service: counts as each platform counts, a composition checked whole
before anything is written, regions within the author's scope, drafts and submission."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.composing import (
    Composition,
    check_composition,
    count_for,
    counts_for,
    create_composition,
    draft_batches,
    region_choices,
)
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import InputError, PermissionDenied
from scheduler.users import Actor
from tests.conftest import actor, posts

WIB = ZoneInfo("Asia/Jakarta")
ANI = actor("ani", "author", "prov")
BUDI = actor("budi", "author", "kab-a")
GOOD = Composition(text="Cek DPT Anda.", platforms=("x",), regions=("kab-a",),
                   day="2024-01-20", at="09:00")


def check(engine: Engine, catalog: Catalog, clock: FixedClock, composition: Composition,
          who: Actor = BUDI):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return check_composition(session, actor=who, catalog=catalog, checks=CheckSettings(),
                                 now=clock.now(), tz=WIB, composition=composition)


def create(engine: Engine, catalog: Catalog, clock: FixedClock, composition: Composition,
           who: Actor = BUDI, submit_now: bool = False):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        made = create_composition(session, actor=who, catalog=catalog, checks=CheckSettings(),
                                  now=clock.now(), tz=WIB, composition=composition,
                                  submit_now=submit_now)
        return [(p.region_key, p.platform, p.status) for p in made]


def test_counts_are_the_platforms_own() -> None:
    assert count_for("x", "a" * 281, with_image=False).over
    assert not count_for("x", "a" * 280, with_image=False).over
    assert count_for("x", "https://kpu.go.id/" + "a" * 100, with_image=False).length == 23
    assert count_for("threads", "😀", with_image=False).length == 4
    assert count_for("telegram", "a" * 1025, with_image=True).limit == 1024
    assert count_for("telegram", "a" * 1025, with_image=False).limit == 4096
    # Shown in the platforms' own order, whatever order they were ticked in.
    assert [c.platform for c in counts_for("a", ["x", "facebook"], with_image=False)] == \
        ["facebook", "x"]


def test_a_province_author_chooses_among_the_province_and_its_regencies(synced) -> None:
    with Session(synced) as session:
        assert [(r.key, r.regency) for r in region_choices(session, actor=ANI)] == [
            ("prov", False), ("kab-a", True), ("kota-b", True)]
        assert [r.key for r in region_choices(session, actor=BUDI)] == ["kab-a"]


def test_all_regencies_expands_to_every_regency_in_scope(synced, catalog, clock) -> None:
    checked = check(synced, catalog, clock, Composition(
        text="Halo.", platforms=("facebook", "x"), regions=("prov",), all_regencies=True,
        day="2024-01-20", at="09:00"), who=ANI)
    assert checked.ok, checked.errors
    assert sorted((i.region, i.platform) for i in checked.items) == [
        (r, p) for r in ("kab-a", "kota-b", "prov") for p in ("facebook", "x")]
    assert {i.scheduled_at for i in checked.items} == {datetime(2024, 1, 20, 9, tzinfo=WIB)}


def test_a_regency_author_needs_not_name_their_region(synced, catalog, clock) -> None:
    checked = check(synced, catalog, clock, Composition(text="Halo.", platforms=("x",),
                                                        day="2024-01-20", at="09:00"))
    assert checked.ok
    assert [i.region for i in checked.items] == ["kab-a"]


def test_a_region_outside_scope_is_refused_and_flagged(synced, catalog, clock) -> None:
    checked = check(synced, catalog, clock, Composition(
        text="Halo.", platforms=("x",), regions=("kota-b",), day="2024-01-20", at="09:00"))
    assert not checked.ok
    assert checked.outside_scope
    assert checked.errors == ["budi hanya berwenang untuk wilayah kab-a, bukan kota-b"]
    with pytest.raises(InputError, match="bukan kota-b"):
        create(synced, catalog, clock, checked.composition)
    assert posts(synced) == []


def test_every_refusal_is_named_once(synced, catalog, clock) -> None:
    checked = check(synced, catalog, clock, Composition(
        text="a" * 281, platforms=("x", "threads", "webhook"), regions=("kab-a",),
        day="2024-01-20", at="9", image="unggahan/a.png"))
    assert checked.errors == [
        "platform tidak dikenal: webhook (pilihan: facebook, instagram, threads, x, telegram, "
        "tiktok)",
        "teks 281/280 karakter berbobot (URL = 23, emoji/CJK = 2) untuk x: perpendek teksnya",
        "teks alternatif gambar wajib diisi (deskripsi gambar untuk pembaca layar)",
        "jam tidak valid: '9' (contoh: 09:00)"]
    assert checked.items == []
    checked = check(synced, catalog, clock, Composition(
        text="a" * 281, platforms=("x", "facebook"), regions=("prov",), all_regencies=True,
        day="2023-12-01", at="09:00"), who=ANI)
    # The past is said once (not for each of the six posts), and does not hide X's length.
    assert checked.errors == [
        "teks 281/280 karakter berbobot (URL = 23, emoji/CJK = 2) untuk x: perpendek teksnya",
        "waktu 2023-12-01T09:00:00+07:00 sudah lewat"]


def test_flagged_problems_need_acknowledging(synced, catalog, clock) -> None:
    quiet = Composition(text="Dukung paslon 01", platforms=("telegram",), regions=("kab-a",),
                        day="2024-02-12", at="09:00")
    checked = check(synced, catalog, clock, quiet)
    assert not checked.errors
    assert len(checked.problems) == 2
    assert not checked.ok
    with pytest.raises(InputError, match="belum dinyatakan diterima"):
        create(synced, catalog, clock, quiet)
    acknowledged = Composition(**{**quiet.__dict__, "accept_problems": True})
    assert create(synced, catalog, clock, acknowledged) == [("kab-a", "telegram", "draft")]


def test_created_posts_are_drafts_or_pending_and_listed_as_draft_batches(synced, catalog,
                                                                         clock) -> None:
    assert create(synced, catalog, clock, GOOD) == [("kab-a", "x", "draft")]
    assert create(synced, catalog, clock, GOOD, submit_now=True) == [("kab-a", "x", "pending")]
    create(synced, catalog, clock, Composition(**{**GOOD.__dict__, "regions": ("kota-b",)}),
           who=ANI)
    with Session(synced) as session:
        mine = draft_batches(session, actor=BUDI)
        everything = draft_batches(session, actor=ANI)
    assert [(b.posts, b.places) for b in mine] == [(1, ("kab-a/x",))]
    assert sorted(b.places for b in everything) == [("kab-a/x",), ("kota-b/x",)]


def test_reviewers_cannot_compose(synced, catalog, clock) -> None:
    with pytest.raises(PermissionDenied):
        check(synced, catalog, clock, GOOD, who=actor("rina", "reviewer", "kab-a"))
