"""Alt text: where a planned image's description comes from (the rule, its template's
front matter, content/media/alt.yaml), and that an image without one is a problem."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.catalog import load_catalog
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.errors import ContentError
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER
from tests.conftest import REPO

MEDIA_ALT = 'Kartu uji berlatar biru bertuliskan "Kartu Uji".'  # tests/data/mini's alt.yaml


def planned(engine: Engine, catalog: Catalog, settings: Settings,
            clock: FixedClock) -> list[Post]:
    request = PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1))
    plan_posts(engine, catalog, settings.templates_dir, request, clock.now(), actor=PLANNER)
    with Session(engine) as session:
        return list(session.exec(select(Post).where(col(Post.rule_key) == "daftar-harian")))


def with_front_matter(mini: Path, line: str) -> None:
    path = mini / "templates/posts/daftar.j2"
    path.write_text(path.read_text().replace("quiet_period_safe: false\n",
                                             f"quiet_period_safe: false\n{line}\n", 1))


def with_rule_alt(mini: Path, alt: str) -> None:
    path = mini / "content/plan.yaml"
    path.write_text(path.read_text().replace(
        "    during: [daftar]\n    image: kartu.jpg\n",
        f"    during: [daftar]\n    image: kartu.jpg\n    image_alt: {alt}\n", 1))


def test_planning_takes_the_media_folders_description(engine, catalog, settings, clock) -> None:
    posts = planned(engine, catalog, settings, clock)
    assert len(posts) == 15
    assert {p.image_alt for p in posts} == {MEDIA_ALT}
    assert all(p.problems == [] for p in posts)


def test_the_templates_alt_wins_over_the_media_folder(engine, settings, clock,
                                                      mini: Path) -> None:
    with_front_matter(mini, "alt: Kartu ajakan mendaftar sebagai pemilih")
    catalog = load_catalog(mini / "content", mini / "templates")
    posts = planned(engine, catalog, settings, clock)
    assert {p.image_alt for p in posts} == {"Kartu ajakan mendaftar sebagai pemilih"}


def test_the_rules_image_alt_wins_over_the_template(engine, settings, clock, mini: Path) -> None:
    with_front_matter(mini, "alt: Kartu ajakan mendaftar sebagai pemilih")
    with_rule_alt(mini, "Kartu khusus aturan harian")
    catalog = load_catalog(mini / "content", mini / "templates")
    posts = planned(engine, catalog, settings, clock)
    assert {p.image_alt for p in posts} == {"Kartu khusus aturan harian"}


def test_a_planned_image_nobody_describes_is_flagged(engine, settings, clock,
                                                     mini: Path) -> None:
    (mini / "content/media/alt.yaml").unlink()
    catalog = load_catalog(mini / "content", mini / "templates")
    posts = planned(engine, catalog, settings, clock)
    assert {p.image_alt for p in posts} == {None}
    assert all([p["code"] for p in post.problems] == ["image_alt_missing"] for post in posts)


def test_siar_check_names_the_rule_whose_image_has_no_description(siar, mini: Path) -> None:
    (mini / "content/media/alt.yaml").unlink()
    result = siar("check")
    assert result.exit_code == 2, result.output
    assert "aturan daftar-harian: gambar kartu.jpg tanpa teks alternatif" in result.output
    assert "plan.yaml:10" in result.output  # the rule's `image:` line


@pytest.mark.parametrize(("alt", "message"), [
    ("alt: ''", "front matter `alt` harus berupa teks"),
    ("alt: [a, b]", "front matter `alt` harus berupa teks"),
    ("alt: " + "a" * 1001, "front matter `alt` terlalu panjang: 1001 karakter"),
])
def test_a_bad_front_matter_alt_is_a_content_error(mini: Path, alt: str, message: str) -> None:
    with_front_matter(mini, alt)
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    [problem] = caught.value.problems
    assert message in problem.message
    assert problem.source.endswith("posts/daftar.j2")


@pytest.mark.parametrize(("text", "message"), [
    ("images:\n  kartu.jpg: '  '\n", ":2: images.kartu.jpg: deskripsi gambar tidak boleh kosong"),
    ("images:\n  ../rahasia.jpg: Kartu\n", ":2: images.../rahasia.jpg.[key]: format tidak sesuai"),
    ("images:\n  kartu.jpg: " + "a" * 1001 + "\n",
     ":2: images.kartu.jpg: deskripsi gambar terlalu panjang: 1001 karakter"),
    ("gambar:\n  kartu.jpg: Kartu\n", ":2: gambar: kolom tidak dikenal"),
])
def test_a_bad_media_alt_file_is_a_content_error(mini: Path, text: str, message: str) -> None:
    (mini / "content/media/alt.yaml").write_text(text)
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    found = [str(p) for p in caught.value.problems]
    assert any(f"media/alt.yaml{message}" in line for line in found), found


def test_every_shipped_image_rule_has_indonesian_alt_text() -> None:
    catalog = load_catalog(REPO / "content", REPO / "templates")
    image_rules = [rule for rule in catalog.rules if rule.image]
    assert len(image_rules) == len(catalog.rules) > 50
    for rule in image_rules:
        alt = catalog.image_alt(rule)
        assert alt and 40 < len(alt) <= 1000, rule.key
        assert alt.startswith("Kartu informasi berlatar"), rule.key  # Indonesian, describes
    shipped = {path.name for path in (REPO / "content/media").glob("*.jpg")}
    assert set(catalog.image_alts) == shipped  # every shipped image described, nothing else
