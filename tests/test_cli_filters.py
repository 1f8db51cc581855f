"""Every filter value checked (issue 10, deliverable 3): an unknown region, platform,
stage, status or election on the command line is exit 2 with a message naming the
option and the value and the nearest valid values, never a silently empty list."""

import json
from pathlib import Path

import pytest

from scheduler.catalog import load_catalog
from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.filter_values import check_regions, check_stages, check_statuses, hint

PASSWORD = "sandi-rudi-123"
LOGIN = ("--as", "rudi", "--password-stdin")

# (option, bad value, what the message must say)
BAD = {
    "region": ("--region", "kab-aa",
               "--region: wilayah tidak dikenal: 'kab-aa' (mungkin maksud Anda: kab-a"),
    "platform": ("--platform", "instagran",
                 "--platform: platform tidak dikenal: 'instagran' (mungkin maksud Anda: "
                 "instagram)"),
    "stage": ("--stage", "coblis",
              "--stage: tahapan tidak dikenal: 'coblis' (mungkin maksud Anda: coblos)"),
    "status": ("--status", "publised",
               "--status: status tidak dikenal: 'publised' (mungkin maksud Anda: published, "
               "publishing)"),
    "election": ("--election", "uji-2042",
                 "--election: pemilihan tidak dikenal: 'uji-2042' (mungkin maksud Anda: "
                 "uji-2024)"),
}

# (command and its required arguments, the filter kinds it takes, whether it logs in)
COMMANDS = [
    (("posts",), ("region", "platform", "stage", "status"), False),
    (("history",), ("region", "platform", "stage", "status"), False),
    (("review", "list"), ("region", "platform", "stage"), True),
    (("account", "list"), ("region",), False),
    (("plan", "--from", "2024-01-01", "--to", "2024-01-02"), ("region", "platform"), False),
    (("partners",), ("region",), False),
    (("partners", "report", "--from", "2024-01-01", "--to", "2024-01-31"), ("region",), False),
    (("stages",), ("region", "election"), False),
    (("results", "list"), ("election",), True),
    (("preview", "--template", "mundur", "--on", "2024-02-13"),
     ("region", "platform", "stage"), False),
]
CASES = [(args, kind, logs_in) for args, kinds, logs_in in COMMANDS for kind in kinds]


@pytest.fixture
def world(siar):  # type: ignore[no-untyped-def]
    assert siar("init").exit_code == 0
    added = siar("user", "add", "rudi", "--role", "reviewer", "--region", "province",
                 "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    planned = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    assert planned.exit_code == 0, planned.output
    return siar


def valid_args(args: tuple[str, ...], kind: str) -> list[str]:
    """The other arguments a command needs to run (preview: an account)."""
    if args[0] != "preview":
        return []
    needed = {"region": ["--region", "kab-a"], "platform": ["--platform", "x"]}
    return [a for k, extra in needed.items() if k != kind for a in extra]


@pytest.mark.parametrize(("args", "kind", "logs_in"), CASES,
                         ids=[f"{' '.join(a[:2])}-{k}" for a, k, _ in CASES])
def test_an_unknown_value_is_exit_2_with_the_nearest_ones(world, args, kind, logs_in) -> None:  # type: ignore[no-untyped-def]
    option, value, message = BAD[kind]
    login = LOGIN if logs_in else ()
    result = world(*args, *valid_args(args, kind), option, value, *login,
                   input=PASSWORD + "\n" if logs_in else None)
    assert result.exit_code == 2, (args, kind, result.output)
    assert message in result.stderr, result.stderr
    assert result.stdout == ""


def test_a_single_valued_option_is_checked_as_one_value(world) -> None:  # type: ignore[no-untyped-def]
    # `--region` of `results announce` takes one key; its letters are not keys.
    result = world("results", "announce", "--election", "uji-2024", "--stage", "hasil",
                   "--region", "kab-z", "--at", "2023-12-19 16:00", *LOGIN,
                   input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert "--region: wilayah tidak dikenal: 'kab-z'" in result.stderr
    stage = world("results", "announce", "--election", "uji-2024", "--stage", "hasl",
                  "--region", "kab-a", "--at", "2023-12-19 16:00", *LOGIN,
                  input=PASSWORD + "\n")
    assert stage.exit_code == 2 and "mungkin maksud Anda: hasil" in stage.stderr


def test_every_value_of_a_repeated_option_is_checked(world) -> None:  # type: ignore[no-untyped-def]
    result = world("posts", "--region", "kab-a", "--region", "kota-c")
    assert result.exit_code == 2
    assert "--region: wilayah tidak dikenal: 'kota-c' (mungkin maksud Anda: kota-b)" \
        in result.stderr


def test_nothing_close_lists_valid_values(world) -> None:  # type: ignore[no-untyped-def]
    region = world("posts", "--region", "atlantis")
    assert region.exit_code == 2
    assert "--region: wilayah tidak dikenal: 'atlantis' (pilihan: prov, kab-a, kota-b)" \
        in region.stderr
    platform = world("history", "--platform", "myspace")
    assert platform.exit_code == 2
    assert "(pilihan: facebook, instagram, threads, x, telegram, tiktok, webhook)" \
        in platform.stderr


def test_valid_values_still_filter(world) -> None:  # type: ignore[no-untyped-def]
    listed = world("posts", "--region", "kab-a", "--platform", "x", "--stage", "daftar",
                   "--status", "pending", "--format", "json")
    assert listed.exit_code == 0, listed.output
    records = json.loads(listed.stdout)
    assert records and all(r["region"] == "kab-a" and r["platform"] == "x"
                           and r["stage"] == "daftar" and r["status"] == "pending"
                           for r in records)
    for args in (("history", "--region", "kab-a", "--status", "published"),
                 ("account", "list", "--region", "kab-a"),
                 ("review", "list", "--region", "kab-a", "--stage", "daftar", *LOGIN),
                 ("stages", "--election", "uji-2024", "--region", "kota-b")):
        result = world(*args, input=PASSWORD + "\n")
        assert result.exit_code == 0, (args, result.output)
    accounts = world("account", "list", "--region", "kab-a")
    assert "kab-a/x" in accounts.stdout and "kota-b/" not in accounts.stdout


def test_stage_keys_of_every_election_are_valid(world, mini: Path) -> None:  # type: ignore[no-untyped-def]
    elections = mini / "content/elections"
    (elections / "uji-2029.yaml").write_text(
        "key: uji-2029\nname: Pemilihan Uji Tahun 2029\nshort_name: Uji 2029\n"
        "timezone: Asia/Jakarta\nhashtags: [\"#Uji2029\"]\nstages:\n"
        "  - key: pelantikan\n    name: Pelantikan\n    start: 2029-10-01\n"
        "    end: 2029-10-01\n")
    listed = world("posts", "--stage", "pelantikan", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == []
    typo = world("posts", "--stage", "pelantikn")
    assert typo.exit_code == 2 and "mungkin maksud Anda: pelantikan" in typo.stderr


def test_the_checks_raise_the_error_classes(mini: Path) -> None:
    catalog = load_catalog(mini / "content", mini / "templates")
    with pytest.raises(UnknownRegionError, match="^wilayah tidak dikenal: 'kab-b' "
                       r"\(mungkin maksud Anda: kab-a, kota-b\)$"):
        check_regions(catalog, ["kab-a", "kab-b"], option=None)
    with pytest.raises(InputError, match="tahapan"):
        check_stages(catalog, ["pemilu"])
    with pytest.raises(InputError) as status:
        check_statuses(["terbit"])
    assert not isinstance(status.value, (UnknownRegionError, UnknownPlatformError))
    check_statuses(["published", "missed"])


def test_the_hint_shortens_long_lists() -> None:
    keys = [f"kab-{n}" for n in range(40)]
    assert hint("kota-surabaya", keys) == "contoh: kab-0, kab-1, kab-2, kab-3, kab-4, …"
    assert hint("kab-39x", keys).startswith("mungkin maksud Anda: kab-39, ")
