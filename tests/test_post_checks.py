"""Each check at its boundary."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.checks.post_checks import CheckSettings, PostDraft, check_post
from scheduler.content.model import Catalog

WIB = ZoneInfo("Asia/Jakarta")
ORDINARY_DAY = datetime(2024, 1, 5, 9, 0, tzinfo=WIB)
URL = "https://cekdptonline.kpu.go.id/pencarian/dengan/alamat/yang/sangat/panjang/sekali"


def codes(catalog: Catalog, text: str, platform: str = "x", *, image: str | None = "k.jpg",
          at: datetime = ORDINARY_DAY, template: str | None = None,
          settings: CheckSettings | None = None, alt: str | None = "Kartu uji") -> list[str]:
    draft = PostDraft(text=text, platform=platform, region_key="kab-a", scheduled_at=at,
                      image=image, election_key="uji-2024", template=template, image_alt=alt)
    return [p.code for p in check_post(draft, catalog, settings or CheckSettings())]


@pytest.mark.parametrize(("platform", "limit"), [
    ("x", 280), ("threads", 500), ("facebook", 63_206), ("instagram", 2_200)])
def test_length_limit_is_inclusive(catalog: Catalog, platform: str, limit: int) -> None:
    assert codes(catalog, "a" * limit, platform) == []
    assert codes(catalog, "a" * (limit + 1), platform) == ["too_long"]


def test_x_url_counts_23_whatever_its_length(catalog: Catalog) -> None:
    assert len(URL) > 23
    text = "b" * (280 - 24) + " " + URL
    assert codes(catalog, text) == []
    assert codes(catalog, "b" + text) == ["too_long"]


def test_x_emoji_and_cjk_weigh_two(catalog: Catalog) -> None:
    assert codes(catalog, "🗳" * 140) == []
    assert codes(catalog, "🗳" * 140 + "a") == ["too_long"]
    assert codes(catalog, "選" * 141) == ["too_long"]


def test_telegram_caption_is_shorter_than_a_message(catalog: Catalog) -> None:
    assert codes(catalog, "a" * 4096, "telegram", image=None) == []
    assert codes(catalog, "a" * 4097, "telegram", image=None) == ["too_long"]
    assert codes(catalog, "a" * 1024, "telegram") == []
    assert codes(catalog, "a" * 1025, "telegram") == ["too_long"]


def test_threads_counts_emoji_as_utf8_bytes(catalog: Catalog) -> None:
    assert codes(catalog, "a" * 496 + "🗳", "threads") == []  # 🗳 is 4 bytes
    assert codes(catalog, "a" * 497 + "🗳", "threads") == ["too_long"]


def test_instagram_needs_an_image_and_at_most_five_hashtags(catalog: Catalog) -> None:
    five = " ".join(f"#Tag{i}" for i in range(5))
    assert codes(catalog, f"Info {five}", "instagram") == []
    assert codes(catalog, f"Info {five} #Tag6", "instagram") == ["too_many_hashtags"]
    assert codes(catalog, "Info", "instagram", image=None) == ["image_required"]
    relaxed = CheckSettings(max_hashtags={"instagram": 6})
    assert codes(catalog, f"Info {five} #Tag6", "instagram", settings=relaxed) == []


def test_missing_image_file_is_a_problem(catalog: Catalog, tmp_path: Path) -> None:
    (tmp_path / "ada.jpg").write_bytes(b"\xff\xd8")
    settings = CheckSettings(media_dir=tmp_path)
    assert codes(catalog, "Info", "facebook", image="ada.jpg", settings=settings) == []
    assert codes(catalog, "Info", "facebook", image="hilang.jpg",
                 settings=settings) == ["image_missing"]


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x", "threads", "telegram"])
def test_an_image_without_alt_text_is_a_problem(catalog: Catalog, platform: str) -> None:
    assert codes(catalog, "Info", platform, alt=None) == ["image_alt_missing"]
    assert codes(catalog, "Info", platform, alt="  \n ") == ["image_alt_missing"]
    assert codes(catalog, "Info", platform, alt="Kartu bertuliskan Cek DPT Online") == []
    if platform != "instagram":  # no image, nothing to describe
        assert codes(catalog, "Info", platform, image=None, alt=None) == []


def test_alt_text_over_1000_characters_is_a_problem(catalog: Catalog) -> None:
    assert codes(catalog, "Info", "facebook", alt="a" * 1000) == []
    assert codes(catalog, "Info", "facebook", alt="a" * 1001) == ["image_alt_too_long"]
    draft = PostDraft(text="Info", platform="x", region_key="kab-a", scheduled_at=ORDINARY_DAY,
                      image="k.jpg", image_alt=None)
    [problem] = check_post(draft, catalog, CheckSettings())
    assert "teks alternatif" in problem.message and "k.jpg" in problem.message


def test_alt_text_is_checked_for_neutrality_too(catalog: Catalog) -> None:
    assert codes(catalog, "Info", alt="Kartu bertuliskan Partai Contoh") == ["neutrality"]


@pytest.mark.parametrize("text", ["Dukung PARTAI CONTOH", "dukung partai  contoh!",
                                  "Pártai Cóntoh", "pilih paslon 01 ya"])
def test_neutrality_terms_match_case_and_accent_insensitively(catalog: Catalog,
                                                              text: str) -> None:
    assert codes(catalog, text) == ["neutrality"]


@pytest.mark.parametrize("text", ["Partai Contohnya", "paslon 012", "kontestan"])
def test_neutrality_matches_whole_words_only(catalog: Catalog, text: str) -> None:
    assert codes(catalog, text) == []


def test_quiet_period_allows_only_safe_templates(catalog: Catalog) -> None:
    quiet = datetime(2024, 2, 12, 9, 0, tzinfo=WIB)
    assert codes(catalog, "Info", at=quiet, template="mundur") == []
    assert codes(catalog, "Info", at=quiet, template="daftar") == ["quiet_period"]
    assert codes(catalog, "Info", at=quiet) == ["quiet_period"]  # ad hoc
    # the day before and after are ordinary days
    assert codes(catalog, "Info", at=datetime(2024, 2, 10, 23, 59, tzinfo=WIB),
                 template="daftar") == []


def test_quiet_period_uses_the_local_date(catalog: Catalog) -> None:
    # 10 Feb 2024 17:30 UTC is already 11 Feb 00.30 WIB: inside the quiet period.
    at = datetime(2024, 2, 10, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert codes(catalog, "Info", at=at, template="daftar") == ["quiet_period"]


def test_voting_day_allows_only_safe_templates(catalog: Catalog) -> None:
    voting = datetime(2024, 2, 14, 6, 0, tzinfo=WIB)
    assert codes(catalog, "Info", at=voting, template="mundur") == []
    assert codes(catalog, "Info", at=voting, template="daftar") == ["voting_day"]


def test_results_are_held_until_official_publication(catalog: Catalog) -> None:
    assert codes(catalog, "Hasil", at=datetime(2024, 2, 29, 9, 0, tzinfo=WIB),
                 template="hasil") == ["results_held"]
    assert codes(catalog, "Hasil", at=datetime(2024, 3, 1, 9, 0, tzinfo=WIB),
                 template="hasil") == []


@pytest.mark.parametrize(("text", "found"), [
    ("Pantau hitung di https://pemilu2024.kpu.go.id", ["unofficial_link"]),
    ("Pantau hitung di pemilu2024.kpu.go.id", ["unofficial_link"]),
    ("Pantau di https://pemilu2024.kpu.go.id (Sirekap, BUKAN hasil resmi).", []),
    ("Cek DPT di https://cekdptonline.kpu.go.id", []),
])
def test_an_unofficial_count_page_needs_its_note(catalog: Catalog, text: str,
                                                 found: list[str]) -> None:
    assert codes(catalog, text) == found
