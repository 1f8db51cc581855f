"""Length counting: the official twitter-text conformance cases, and the platform rules Siar
relies on (X weights, Threads emoji bytes, Telegram UTF-16 units, hashtags, links)."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from scheduler.checks.length import (
    count_hashtags,
    length_for,
    plain_length,
    telegram_length,
    threads_length,
    x_weighted_length,
)
from scheduler.checks.urls import extract_urls

CONFORMANCE = Path(__file__).parent / "data" / "x_conformance.yaml"
SECTIONS: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    CONFORMANCE.read_text(encoding="utf-8")
)["tests"]
V3_SECTIONS = (
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)
V2_SECTION = "WeightedTweetsCounterTest"
# Config v2 counts every code point of a multi-code-point emoji; v3 (ours) counts the sequence
# once. These are the only v2 cases where that changes the result.
V2_ONLY_EMOJI_CASES = {
    "Count a mix of single byte single word, and double word unicode characters",
    "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers",
}

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points


def cases(*sections: str) -> list[Any]:
    return [
        pytest.param(case["text"], case["expected"], id=f"{section}: {case['description']}")
        for section in sections
        for case in SECTIONS[section]
    ]


# --- the conformance data itself ----------------------------------------------------------------


def test_conformance_file_has_every_case() -> None:
    counts = {name: len(section) for name, section in SECTIONS.items()}
    assert counts == {
        "WeightedTweetsWithDiscountedEmojiCounterTest": 22,
        "UnicodeDirectionalMarkerCounterTest": 2,
        "WeightedTweetsCounterTest": 20,
    }


@pytest.mark.parametrize(("text", "expected"), cases(*V3_SECTIONS, V2_SECTION))
def test_conformance_text_was_copied_whole(text: str, expected: dict[str, Any]) -> None:
    # displayRangeEnd is the last UTF-16 index of the original text: a dropped or added
    # character (say an invisible ZWJ) while copying the file would show here.
    assert len(text.encode("utf-16-le")) // 2 - 1 == expected["displayRangeEnd"]


# --- X: twitter-text conformance ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), cases(*V3_SECTIONS))
def test_x_weighted_length_conformance_v3(text: str, expected: dict[str, Any]) -> None:
    assert x_weighted_length(text) == expected["weightedLength"]


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case["description"]) for case in SECTIONS[V2_SECTION]]
)
def test_x_weighted_length_on_v2_cases(case: dict[str, Any]) -> None:
    expected = case["expected"]["weightedLength"]
    if case["description"] in V2_ONLY_EMOJI_CASES:
        # Same text in the v3 section, where the emoji sequence is discounted.
        v3_case = next(
            c for c in SECTIONS[V3_SECTIONS[0]] if c["description"] == case["description"]
        )
        assert v3_case["text"] == case["text"]
        assert v3_case["expected"]["weightedLength"] < expected
        expected = v3_case["expected"]["weightedLength"]
    assert x_weighted_length(case["text"]) == expected


# --- X: the rules we rely on --------------------------------------------------------------------


def test_x_exactly_280_and_281() -> None:
    # 23 (link) + 1 + 2 (emoji) + 1 + 253 = 280
    text = "https://infopemilu.kpu.go.id 😷 " + "a" * 253
    assert x_weighted_length(text) == 280
    assert x_weighted_length(text + "a") == 281
    assert x_weighted_length("a" * 280) == 280
    assert x_weighted_length("a" * 281) == 281


@pytest.mark.parametrize(
    "url",
    [
        "https://infopemilu.kpu.go.id",
        "http://kpu.go.id",
        "https://t.co/abc",
        "https://jdih.kpu.go.id/peraturan/" + "a" * 3000,
        "https://infopemilu.kpu.go.id/Pemilu/caleg?tahun=2024&dapil=3501",
        "kpu.go.id",
        "www.kpu.go.id/berita",
        "bit.ly/infopemilu",
        "t.co",
        "http://☃.net/",
    ],
)
def test_x_any_link_counts_23(url: str) -> None:
    assert x_weighted_length(url) == 23
    assert x_weighted_length(f"Cek {url} ya") == 4 + 23 + 3


def test_x_link_rules_from_twitter_text() -> None:
    assert x_weighted_length("kpu.id") == 6  # a bare two-part ccTLD name is not linked
    assert x_weighted_length("kpu.id/jadwal") == 23  # ...unless it has a path
    assert x_weighted_length("info@kpu.go.id") == 14  # e-mail addresses are not links
    assert x_weighted_length("ftp://kpu.go.id") == 15  # only http and https
    assert x_weighted_length("Cek kpu.go.id.") == 4 + 23 + 1  # the full stop is not part of it
    assert x_weighted_length("Pukul 07.00 WIB, Jl. Imam Bonjol No.29") == 38
    assert x_weighted_length("https://t.co/abc/def") == 23 + 4  # a t.co link ends at its slug
    assert x_weighted_length("https://t.co/" + "a" * 41) == 13 + 41  # slug over 40: not a link


def test_x_link_length_cap() -> None:
    # twitter-text stops treating text as a link past 4096 characters (counting the scheme
    # twice, as it does): 8 + 18 + 4070 = 4096 is still a link, one more is not.
    prefix = "https://kpu.go.id/"
    assert x_weighted_length(prefix + "a" * 4070) == 23
    assert x_weighted_length(prefix + "a" * 4071) == len(prefix) + 4071


def test_x_indonesian_text_weighs_one_per_character() -> None:
    text = "Pemungutan suara: Rabu, 14 Februari 2024, pukul 07.00–13.00 WIB. “Ayo ke TPS!”"
    assert x_weighted_length("Rabu, 14 Februari 2024") == 22
    assert x_weighted_length(text) == len(text) == 78


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("中", 2),
        ("日本語", 6),
        ("저", 2),
        ("…", 2),  # U+2026 is outside the light ranges
        ("•", 2),
        ("é", 1),
        ("e\u0301", 1),  # NFC makes it one character
        ("—", 1),
        ("😷", 2),
        (FAMILY, 2),
        ("👍🏽", 2),
        ("🇮🇩", 2),
        ("❤️", 2),
        ("1️⃣", 2),
        ("🏳️‍🌈", 2),
        ("©", 2),  # twitter-text lists © as an emoji
        ("Halo 👋🏽!", 8),
    ],
)
def test_x_cjk_and_emoji_weigh_two(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight


@pytest.mark.parametrize(
    ("code_point", "weight"),
    [
        (4351, 1), (4352, 2),
        (8191, 2), (8192, 1), (8205, 1), (8206, 2),
        (8207, 2), (8208, 1), (8223, 1), (8224, 2),
        (8241, 2), (8242, 1), (8247, 1), (8248, 2),
    ],
)
def test_x_weight_range_edges(code_point: int, weight: int) -> None:
    assert x_weighted_length(chr(code_point)) == weight


# --- Threads, Telegram, plain -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Halo", 4),
        ("é", 1),
        ("中文", 2),
        ("😀", 4),
        ("❤️", 6),  # U+2764 (3 bytes) + VS16 (3 bytes)
        ("👍🏽", 8),
        ("🇮🇩", 8),
        (FAMILY, 25),  # 4 × 4 bytes + 3 ZWJ × 3 bytes
        ("Halo 👋", 9),
    ],
)
def test_threads_counts_emoji_as_utf8_bytes(text: str, length: int) -> None:
    assert threads_length(text) == length


def test_threads_limit_boundary() -> None:
    assert threads_length("a" * 496 + "😀") == 500
    assert threads_length("a" * 497 + "😀") == 501


@pytest.mark.parametrize(
    ("text", "length"),
    [("Halo", 4), ("é", 1), ("中文", 2), ("😀", 2), ("𝐀", 2), (FAMILY, 11), ("❤️", 2)],
)
def test_telegram_counts_utf16_units(text: str, length: int) -> None:
    assert telegram_length(text) == length


def test_plain_counts_code_points() -> None:
    assert plain_length("Rabu") == 4
    assert plain_length("😀") == 1
    assert plain_length(FAMILY) == 7


@pytest.mark.parametrize(
    ("platform", "length"),
    [
        ("x", 30),
        ("threads", 26),
        ("telegram", 24),
        ("facebook", 23),
        ("instagram", 23),
        ("webhook", 23),
        ("outbox", 23),
    ],
)
def test_length_for_dispatches_by_platform(platform: str, length: int) -> None:
    assert length_for(platform, "Cek https://kpu.go.id 😀") == length


# --- hashtags and links -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("#TemanPemilih #KPUMelayani #KPUKotaBlitar", 3),
        ("#1", 0),
        ("#2024", 0),
        ("#1st", 1),
        ("#Pemilu2024 #Pemilu_Damai", 2),
        ("#", 0),
        ("# TPS", 0),
        ("a#b", 0),
        ("&#39;", 0),
        ("#ayo#coblos", 0),
        ("https://kpu.go.id/#jadwal", 0),
        ("#️⃣", 0),
        ("(#TPS). #ашок #트위터 #日本語", 4),
        ("#A\n#B", 2),
        ("＃Pemilu", 1),
    ],
)
def test_count_hashtags(text: str, count: int) -> None:
    assert count_hashtags(text) == count


def test_extract_urls() -> None:
    text = "Info: https://kpu.go.id dan jdih.kpu.go.id/peraturan, juga www.kpu.go.id. (kpu.id)"
    assert extract_urls(text) == ["https://kpu.go.id", "jdih.kpu.go.id/peraturan", "www.kpu.go.id"]
    assert extract_urls("Cek https://kpu.go.id/pemilu.") == ["https://kpu.go.id/pemilu"]
    assert extract_urls("Tanpa tautan, pukul 07.00.") == []
