"""Facts in the shipped texts, each checked against its regulation (issue 9's corrections),
rendered from the real content and templates as planning renders them."""

from datetime import date
from pathlib import Path

import pytest

from scheduler.content.catalog import load_catalog
from scheduler.content.model import Catalog
from scheduler.preview import preview_post
from scheduler.rendering import PostRenderer

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
