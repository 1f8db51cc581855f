"""CSV import: all rows or none, with every bad row named."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.importing import Imported, ImportRefused, import_csv, preview_csv
from scheduler.models import Post, PostEvent
from tests.conftest import BOTH_DATABASES, actor

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

WIB = ZoneInfo("Asia/Jakarta")
AUTHOR = actor("rina", "author", "prov")
GOOD = (
    "region,platform,scheduled_at,text,image\n"
    "kab-a,facebook,2024-01-20 09:00,\"Info TPS, lengkap.\",\n"
    "kab-a,x,2024-01-20T09:00,Info TPS singkat.,\n"
    "kota-b,telegram,2024-01-20T10:00+07:00,\"Dua baris:\nbaris kedua.\",kartu.jpg\n"
)


def run(engine: Engine, catalog: Catalog, clock: FixedClock, path: Path,
        who=AUTHOR, skip_duplicates: bool = False) -> list[Post]:  # type: ignore[no-untyped-def]
    return run_all(engine, catalog, clock, path, who, skip_duplicates).posts


def run_all(engine: Engine, catalog: Catalog, clock: FixedClock, path: Path,
            who=AUTHOR, skip_duplicates: bool = False) -> Imported:  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return import_csv(session, actor=who, path=path, catalog=catalog, checks=CheckSettings(),
                          now=clock.now(), tz=WIB, skip_duplicates=skip_duplicates)


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Post)).one()


def test_good_file_queues_every_row_for_review(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "baik.csv"
    path.write_text(GOOD)
    posts = run(synced, catalog, clock, path)
    assert [(p.region_key, p.platform, p.status) for p in posts] == [
        ("kab-a", "facebook", "pending"), ("kab-a", "x", "pending"),
        ("kota-b", "telegram", "pending")]
    assert posts[0].text == "Info TPS, lengkap."
    assert posts[2].text == "Dua baris:\nbaris kedua."
    assert posts[2].image == "kartu.jpg"
    assert posts[0].scheduled_at == datetime(2024, 1, 20, 9, 0, tzinfo=WIB)
    assert len({p.batch for p in posts}) == 1 and posts[0].batch.startswith("impor-")
    with Session(synced) as session:
        events = session.exec(select(PostEvent).where(col(PostEvent.post_id) == posts[0].id)).all()
    assert [(e.kind, e.to_status, e.note) for e in events] == [
        ("created", "pending", "impor CSV baik.csv")]


def test_bad_rows_refuse_the_whole_file_and_name_each_row(synced, catalog, clock,
                                                          tmp_path) -> None:
    path = tmp_path / "buruk.csv"
    path.write_text(
        "region,platform,scheduled_at,text\n"
        "kab-a,facebook,2024-01-20 09:00,Baris baik.\n"          # line 2: fine
        "kab-z,facebook,2024-01-20 09:00,Wilayah salah.\n"        # line 3
        "kab-a,myspace,2024-01-20 09:00,Platform salah.\n"        # line 4
        "kab-a,x,20/13/2024 09:00,Tanggal salah.\n"               # line 5
        f"kab-a,x,2024-01-20 09:00,{'a' * 281}\n"                 # line 6: too long
        "kab-a,x,2023-01-20 09:00,Sudah lewat.\n"                 # line 7
        "kab-a,x,2024-01-20 09:00,\n"                             # line 8: empty text
    )
    with pytest.raises(ImportRefused) as caught:
        run(synced, catalog, clock, path)
    lines = {e.line: e.message for e in caught.value.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "kab-z" in lines[3]
    assert "myspace" in lines[4]
    assert "scheduled_at tidak valid: '20/13/2024 09:00'" in lines[5]
    assert "27/01/2024 09.00" in lines[5]  # the accepted forms are listed
    assert "281/280" in lines[6]
    assert "sudah lewat" in lines[7]
    assert "kolom kosong: text" in lines[8]
    assert f"{path}:3: " in str(caught.value)
    assert count(synced) == 0


def test_missing_column_is_refused(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "kolom.csv"
    path.write_text("region,platform,text\nkab-a,x,Halo\n")
    with pytest.raises(ImportRefused, match="kolom wajib tidak ada: scheduled_at"):
        run(synced, catalog, clock, path)
    assert count(synced) == 0


def test_rows_outside_the_importers_region_are_refused(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text(GOOD)
    with pytest.raises(ImportRefused) as caught:
        run(synced, catalog, clock, path, who=actor("sari", "author", "kab-a"))
    assert [e.line for e in caught.value.errors] == [4]  # the kota-b row spans lines 4-5
    assert count(synced) == 0


def test_unreadable_file_is_refused(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "biner.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(Exception, match="bukan teks UTF-8"):
        run(synced, catalog, clock, path)


def test_a_preview_names_every_rows_problem_and_writes_nothing(synced, catalog, clock) -> None:
    text = (
        "region,platform,scheduled_at,text,image,image_alt\n"
        "kab-a,facebook,2024-01-20 09:00,Baris baik.,kartu.jpg,Kartu\n"
        "kab-z,facebook,2024-01-20 09:00,Wilayah salah.,,\n"
        f"kab-a,x,2024-01-20 09:00,{'a' * 281},,\n"
        "kab-a,telegram,2024-01-20 09:00,Dukung Partai Contoh,,\n"
    )
    with Session(synced) as session:
        preview = preview_csv(session, actor=AUTHOR, text=text, source="uji.csv", catalog=catalog,
                              checks=CheckSettings(), now=clock.now(), tz=WIB)
    assert [(r.line, r.error is None) for r in preview.rows] == [
        (2, True), (3, False), (4, False), (5, True)]
    assert [e.line for e in preview.errors] == [3, 4]
    assert "kab-z" in (preview.rows[1].error or "")
    assert "281/280" in (preview.rows[2].error or "")
    # What reviewers will see does not refuse a row.
    assert preview.rows[3].problems == ("menyebut peserta pemilu (netralitas): Partai Contoh",)
    assert preview.rows[0].item is not None
    assert preview.rows[0].item.image_alt == "Kartu"
    assert not preview.ok
    assert count(synced) == 0


def test_a_preview_of_a_file_with_a_wrong_header_reads_no_row(synced, catalog, clock) -> None:
    with Session(synced) as session:
        preview = preview_csv(session, actor=AUTHOR, text="region,text\nkab-a,Halo\n",
                              source="x.csv",
                              catalog=catalog, checks=CheckSettings(), now=clock.now(), tz=WIB)
    assert preview.rows == []
    assert [e.line for e in preview.errors] == [1]
    assert "kolom wajib tidak ada: platform, scheduled_at" in (preview.file_error or "")


# --- files as offices write them ---------------------------------------------------------

def test_an_excel_file_with_semicolons_bom_crlf_and_day_first_times_imports(
        synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffregion;platform;scheduled_at;text\r\n"
                     "kab-a;facebook;27/01/2024 09.00;Info TPS, lengkap.\r\n"
                     "kab-a;x;27/01/2024 9.30;\"Dua baris;\r\nbaris kedua.\"\r\n"
                     ";;;\r\n".encode("utf-8"))
    posts = run(synced, catalog, clock, path)
    assert [(p.platform, p.scheduled_at, p.text) for p in posts] == [
        ("facebook", datetime(2024, 1, 27, 9, 0, tzinfo=WIB), "Info TPS, lengkap."),
        ("x", datetime(2024, 1, 27, 9, 30, tzinfo=WIB), "Dua baris;\nbaris kedua.")]


def test_a_tab_separated_file_imports(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "tab.csv"
    path.write_text("region\tplatform\tscheduled_at\ttext\n"
                    "kab-a\tx\t2024-01-20 09:00\tHalo, semua.\n")
    assert [p.text for p in run(synced, catalog, clock, path)] == ["Halo, semua."]


def test_missing_columns_name_those_found(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "kolom.csv"
    path.write_text("Region;Platform;Waktu;Teks\nkab-a;x;2024-01-20 09:00;Halo\n")
    with pytest.raises(ImportRefused) as caught:
        run(synced, catalog, clock, path)
    message = str(caught.value)
    assert "kolom wajib tidak ada: scheduled_at, text;" in message
    assert "kolom yang ditemukan (dipisah titik koma): region, platform, waktu, teks" in message
    assert count(synced) == 0


DUPLICATES = (
    "region,platform,scheduled_at,text\n"
    "kab-a,facebook,2024-01-20 09:00,Info TPS.\n"      # line 2: repeats the existing post
    "kab-a,x,2024-01-20 09:00,Info baru.\n"            # line 3: new
    "kab-a,x,20/01/2024 09.00,Info baru.\n"            # line 4: repeats line 3
    "kab-a,x,2024-01-20 09:00,Info lain.\n"            # line 5: new (other text)
)


def existing_post(engine: Engine, catalog: Catalog, clock: FixedClock, tmp_path: Path) -> Post:
    path = tmp_path / "lama.csv"
    path.write_text("region,platform,scheduled_at,text\nkab-a,facebook,2024-01-20 09:00,"
                    "Info TPS.\n")
    return run(engine, catalog, clock, path)[0]


def test_duplicates_refuse_the_file_by_default(synced, catalog, clock, tmp_path) -> None:
    old = existing_post(synced, catalog, clock, tmp_path)
    path = tmp_path / "dobel.csv"
    path.write_text(DUPLICATES)
    with pytest.raises(ImportRefused) as caught:
        run(synced, catalog, clock, path)
    assert {e.line: e.message for e in caught.value.errors} == {
        2: f"duplikat unggahan #{old.id} yang sudah ada", 4: "duplikat baris 3"}
    assert "2 baris duplikat" in str(caught.value)
    assert "--skip-duplicates" in str(caught.value)
    assert count(synced) == 1  # nothing written


def test_duplicates_are_skipped_and_reported_with_the_flag(synced, catalog, clock,
                                                          tmp_path) -> None:
    existing_post(synced, catalog, clock, tmp_path)
    path = tmp_path / "dobel.csv"
    path.write_text(DUPLICATES)
    result = run_all(synced, catalog, clock, path, skip_duplicates=True)
    assert [p.text for p in result.posts] == ["Info baru.", "Info lain."]
    assert [e.line for e in result.skipped] == [2, 4]
    assert count(synced) == 3
    # The same file again: everything is a duplicate now, nothing more is written.
    again = run_all(synced, catalog, clock, path, skip_duplicates=True)
    assert (again.posts, [e.line for e in again.skipped]) == ([], [2, 3, 4, 5])
    assert count(synced) == 3


def test_a_cancelled_post_is_no_duplicate(synced, catalog, clock, tmp_path) -> None:
    old = existing_post(synced, catalog, clock, tmp_path)
    with session_scope(synced, write=True) as session:
        post = session.get(Post, old.id)
        assert post is not None
        post.status = "cancelled"
    path = tmp_path / "lagi.csv"
    path.write_text("region,platform,scheduled_at,text\nkab-a,facebook,2024-01-20 09:00,"
                    "Info TPS.\n")
    assert len(run(synced, catalog, clock, path)) == 1


def test_bad_rows_refuse_even_with_the_flag(synced, catalog, clock, tmp_path) -> None:
    path = tmp_path / "campur.csv"
    path.write_text(DUPLICATES + "kab-z,x,2024-01-20 09:00,Wilayah salah.\n")
    with pytest.raises(ImportRefused) as caught:
        run(synced, catalog, clock, path, skip_duplicates=True)
    assert [e.line for e in caught.value.errors] == [6]
    assert count(synced) == 0
