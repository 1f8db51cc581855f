"""Hasil: recording a region's results announcement from the web and listing them, over
the real HTTP stack (scope, CSRF, refusals with the typed values kept, escaping)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from scheduler.app import Application
from scheduler.errors import InputError
from scheduler.models import ResultRelease
from scheduler.results_view import ResultsStage, office_instant, results_stages
from tests.web.conftest import page_csrf

SignedIn = Callable[[str], TestClient]
# The clock stands at 20 December 2023 10.00 WIB.
PAST = {"tanggal": "2023-12-19", "jam": "16:00"}


def announce(client: TestClient, *, csrf: str | None = None, **fields: str) -> Any:
    data = {"csrf": csrf if csrf is not None else page_csrf(client, "/hasil"),
            "tahapan": "uji-2024/hasil", "wilayah": "kab-a", **PAST, **fields}
    return client.post("/hasil", data=data)


def releases(application: Application) -> list[tuple[str, str, datetime, str | None]]:
    with application.unit_of_work() as session:
        return [(r.region_key, r.actor, r.announced_at, r.note)
                for r in session.exec(select(ResultRelease)).all()]


def test_a_reviewer_records_an_announcement_with_a_plain_form_and_sees_it_listed(
        signed_in: SignedIn, application: Application) -> None:
    rina = signed_in("rina")
    page = rina.get("/hasil")
    assert page.status_code == 200
    assert '<form method="post" action="/hasil"' in page.text and 'name="csrf"' in page.text
    assert '<a href="/hasil" aria-current="page">' in page.text
    # rina's offices: kab-a only; the stages: results-tagged ones only.
    assert 'value="kab-a"' in page.text and 'value="kota-b"' not in page.text
    assert 'value="uji-2024/hasil"' in page.text and "uji-2024/coblos" not in page.text
    assert 'id="kosong"' in page.text

    answer = announce(rina, catatan="Kpts 12/2023")
    assert answer.status_code == 303 and answer.headers["location"] == "/hasil?dicatat=1"
    assert releases(application) == [
        ("kab-a", "rina", datetime(2023, 12, 19, 9, 0, tzinfo=UTC), "Kpts 12/2023")]
    listed = rina.get(answer.headers["location"]).text
    assert 'role="status"' in listed and "Pengumuman hasil tercatat" in listed
    row = listed.split('<tr data-region="kab-a" data-stage="uji-2024/hasil">')[1].split("</tr>")[0]
    for shown in ("Uji 2024", "Penetapan hasil", "KPU Kabupaten A", "2023-12-19 16.00 WIB",
                  "rina", "Kpts 12/2023"):
        assert shown in row


def test_the_list_keeps_to_the_viewers_scope(signed_in: SignedIn,
                                              application: Application) -> None:
    rudi, rina = signed_in("rudi"), signed_in("rina")
    assert 'value="kota-b"' in rudi.get("/hasil").text  # a province reviewer's regencies
    assert announce(rudi, wilayah="kota-b", catatan="catatan kota").status_code == 303
    assert announce(rina, catatan="catatan kabupaten").status_code == 303
    rina_page = rina.get("/hasil").text
    assert "catatan kabupaten" in rina_page
    assert "catatan kota" not in rina_page and 'data-region="kota-b"' not in rina_page
    rudi_page = rudi.get("/hasil").text
    assert 'data-region="kota-b"' in rudi_page and 'data-region="kab-a"' in rudi_page
    # A regency reviewer cannot record another regency's announcement.
    outside = announce(rina, wilayah="kota-b", catatan="bukan wilayahku")
    assert outside.status_code == 403 and "hanya berwenang" in outside.text
    assert {r[3] for r in releases(application)} == {"catatan kota", "catatan kabupaten"}


def test_an_author_sees_the_list_without_the_form_and_cannot_record(
        signed_in: SignedIn, application: Application) -> None:
    budi = signed_in("budi")
    page = budi.get("/hasil")
    assert page.status_code == 200 and 'action="/hasil"' not in page.text
    refused = announce(budi)
    assert refused.status_code == 403 and "tidak berwenang" in refused.text
    assert releases(application) == []


@pytest.mark.parametrize("token", ["", "bukan-token-sesi"])
def test_a_post_without_the_sessions_csrf_token_is_refused(
        signed_in: SignedIn, application: Application, token: str) -> None:
    rudi = signed_in("rudi")
    answer = announce(rudi, csrf=token)
    assert answer.status_code == 403
    assert releases(application) == []


def test_a_future_time_is_refused_and_the_typed_values_come_back(
        signed_in: SignedIn, application: Application) -> None:
    rudi = signed_in("rudi")
    answer = announce(rudi, wilayah="kota-b", tanggal="2023-12-21", catatan="terlalu dini")
    assert answer.status_code == 400
    assert "waktu pengumuman ada di masa depan" in answer.text and 'role="alert"' in answer.text
    assert 'value="2023-12-21"' in answer.text and 'value="terlalu dini"' in answer.text
    assert '<option value="kota-b" selected>' in answer.text
    assert releases(application) == []


@pytest.mark.parametrize(("fields", "message"), [
    ({"tahapan": "uji-2024/coblos"}, "&#39;coblos&#39; bukan tahapan hasil uji-2024"),
    ({"tahapan": "hasil"}, "tahapan hasil tidak valid: &#39;hasil&#39;"),
    ({"tahapan": "pemilu-lain/hasil"}, "pemilihan tidak dikenal: &#39;pemilu-lain&#39;"),
    ({"wilayah": "kab-z"}, "wilayah tidak dikenal: &#39;kab-z&#39;"),
    ({"tanggal": "19-12-2023"}, "tanggal tidak valid: &#39;19-12-2023&#39;"),
    ({"jam": "16"}, "jam tidak valid: &#39;16&#39;"),
    ({"jam": "25:00"}, "jam tidak valid: &#39;25:00&#39;"),
    ({"catatan": "x" * 501}, "catatan terlalu panjang: 501 karakter"),
])
def test_bad_input_is_named_and_nothing_is_recorded(
        signed_in: SignedIn, application: Application, fields: dict[str, str],
        message: str) -> None:
    answer = announce(signed_in("admin"), **fields)
    assert answer.status_code in (400, 403) and message in answer.text
    assert releases(application) == []


def test_a_note_with_markup_shows_as_text(signed_in: SignedIn) -> None:
    rudi = signed_in("rudi")
    assert announce(rudi, catatan="<script>alert(1)</script>").status_code == 303
    page = rudi.get("/hasil").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_page_in_english(signed_in: SignedIn) -> None:
    rina = signed_in("rina")
    rina.get("/bahasa/en?lanjut=/hasil")
    page = rina.get("/hasil").text
    assert "Results announcements" in page and "Record an announcement" in page
    assert ">Results</a>" in page


def test_results_stages_and_office_time(application: Application) -> None:
    catalog = application.catalog
    assert results_stages(catalog) == [
        ResultsStage("uji-2024", "hasil", "Uji 2024 — Penetapan hasil")]
    jakarta = ZoneInfo("Asia/Jakarta")
    assert office_instant(catalog, region="kab-a", day="2024-03-01", at="16:05:33",
                          fallback=ZoneInfo("UTC")) == datetime(2024, 3, 1, 16, 5,
                                                                tzinfo=jakarta)
    with pytest.raises(InputError, match="jam tidak valid"):
        office_instant(catalog, region="kab-a", day="2024-03-01", at="", fallback=jakarta)
