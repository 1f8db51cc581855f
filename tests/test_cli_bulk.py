"""Decisions in bulk from the command line: several batches or a whole stage approved
after a summary, a batch cancelled or moved by an offset, a batch shown by text."""

from tests import test_cli_review
from tests.test_cli_review import as_user, posts

world = test_cli_review.world  # the same users and plan as the review tests

DAY5, DAY6 = "daftar-harian@2024-01-05T09:00", "daftar-harian@2024-01-06T09:00"


def statuses(siar, batch: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [p["status"] for p in posts(siar) if p["batch"] == batch]


def test_several_batches_approved_after_a_summary_with_yes(world) -> None:
    x_post = next(p for p in posts(world, "--region", "kab-a", "--platform", "x")
                  if p["batch"] == DAY6)
    done = as_user(world, "rudi", "review", "approve", DAY5, DAY6, "--except",
                   str(x_post["id"]), "--yes")
    assert done.exit_code == 0, done.stderr
    assert "2 batch · 29 unggahan · 3 kantor" in done.output
    assert "0 unggahan bermasalah" in done.output and DAY5 in done.output
    assert "29 unggahan disetujui" in done.output
    assert statuses(world, DAY5) == ["approved"] * 15
    assert sorted(statuses(world, DAY6)) == ["approved"] * 14 + ["pending"]


def test_bulk_without_a_terminal_or_yes_is_refused_after_the_summary(world) -> None:
    refused = as_user(world, "rudi", "review", "approve", DAY5, DAY6)
    assert refused.exit_code == 2
    assert "2 batch · 30 unggahan" in refused.output
    assert "tambahkan --yes" in refused.stderr
    assert statuses(world, DAY5) == statuses(world, DAY6) == ["pending"] * 15


def test_one_post_with_a_problem_stops_the_whole_approval(world) -> None:
    # By 12:00 on the 5th that day's batch has passed: recheck finds it, nothing approved.
    refused = world("review", "approve", DAY5, DAY6, "--yes", "--as", "rudi",
                    "--password-stdin", input="sandi-rudi-123\n",
                    env={"SIAR_NOW": "2024-01-05T12:00"})
    assert refused.exit_code == 6
    assert "15 sudah lewat waktunya" in refused.output
    assert "15 unggahan bermasalah, tidak ada yang disetujui" in refused.stderr
    assert statuses(world, DAY5) == statuses(world, DAY6) == ["pending"] * 15


def test_filters_select_pending_batches_in_the_reviewers_scope(world) -> None:
    done = as_user(world, "sari", "review", "approve", "--stage", "daftar", "--from",
                   "2024-01-03", "--to", "2024-01-04", "--platform", "x", "--yes")
    assert done.exit_code == 0, done.stderr
    assert "2 batch · 2 unggahan · 1 kantor · x" in done.output
    approved = [(p["region"], p["platform"], p["batch"]) for p in posts(world)
                if p["status"] == "approved"]
    assert sorted(approved) == [("kab-a", "x", "daftar-harian@2024-01-03T09:00"),
                                ("kab-a", "x", "daftar-harian@2024-01-04T09:00")]
    unknown = as_user(world, "rudi", "review", "approve", "--stage", "dafar", "--yes")
    assert unknown.exit_code == 2 and "daftar" in unknown.stderr
    nothing = as_user(world, "rudi", "review", "approve", "--yes")
    assert nothing.exit_code == 2 and "pilih batch" in nothing.stderr


def test_a_named_batch_or_post_not_pending_refuses_everything(world) -> None:
    other = next(p for p in posts(world, "--region", "kota-b"))
    refused = as_user(world, "sari", "review", "approve", DAY5, str(other["id"]), "--yes")
    assert refused.exit_code == 6
    assert f"#{other['id']}" in refused.stderr
    assert statuses(world, DAY5) == ["pending"] * 15


def test_cancel_and_reschedule_a_batch_by_an_offset(world) -> None:
    moved = as_user(world, "rudi", "post", "reschedule", DAY5, "--at", "+2h")
    assert moved.exit_code == 0, moved.stderr
    assert "15 unggahan dijadwal ulang" in moved.output
    times = {p["scheduled_at"] for p in posts(world) if p["batch"] == DAY5}
    assert times == {"2024-01-05T11:00:00+07:00"}
    back = as_user(world, "rudi", "post", "reschedule", DAY5, "--at", "-30m")
    assert back.exit_code == 0, back.stderr
    assert {p["scheduled_at"] for p in posts(world) if p["batch"] == DAY5} == {
        "2024-01-05T10:30:00+07:00"}
    bad = as_user(world, "rudi", "post", "reschedule", DAY5, "--at", "+2x")
    assert bad.exit_code == 2 and "pergeseran tidak valid '+2x'" in bad.stderr
    cancelled = as_user(world, "rudi", "post", "cancel", DAY6)
    assert cancelled.exit_code == 0, cancelled.stderr
    assert "15 unggahan dibatalkan" in cancelled.output
    assert statuses(world, DAY6) == ["cancelled"] * 15


def test_review_show_prints_each_text_once_with_its_offices(world) -> None:
    shown = as_user(world, "rudi", "review", "show", DAY5)
    assert shown.exit_code == 0, shown.stderr
    assert "2 teks berbeda" in shown.output
    assert shown.output.count("│ «kantor» mengajak warga «wilayah»") == 1
    assert "kantor: kab-a, kota-b, prov" in shown.output
    assert "facebook 3, instagram 3, telegram 3, threads 3" in shown.output
    every = as_user(world, "rudi", "review", "show", DAY5, "--all")
    assert every.exit_code == 0 and "15 unggahan." in every.output
    assert every.output.count("mengajak warga") == 12
