"""Operasi and Riwayat over HTTP: status in the viewer's scope, posts due within a day and
not approved, resolving uncertain posts, pausing and resuming accounts, the workers'
heartbeat, the history with filters and keyset paging, the streamed CSV export."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.accounts import find_account
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.heartbeat import KEPT_FOR, beat
from scheduler.history import HISTORY_FIELDS
from scheduler.models import Account, Post, WorkerBeat
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import MACHINE_ADMIN, PLANNER, add_user
from tests.conftest import FIRST_SLOT, WIB, events, worker_for
from tests.web.conftest import PASSWORD, page_csrf

ROW = re.compile(r'<tr data-post="(\d+)"')


def section(html: str, anchor: str) -> str:
    """The HTML of one <section id=...> of a page (they do not nest)."""
    start = html.index(f'id="{anchor}"')
    return html[start:html.index("</section>", start)]


def post_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-post="(\d+)"', html)]


def history_ids(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def make(engine: Engine, post_id: int, **values: Any) -> None:
    with session_scope(engine, write=True) as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.sqlmodel_update(values)
        session.add(post)


def post_of(engine: Engine, post_id: int) -> Post:
    with Session(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post


def account_of(engine: Engine, key: str) -> Account:
    with Session(engine) as session:
        return find_account(session, actor=MACHINE_ADMIN, key=key)


@pytest.fixture
def planned(application, synced: Engine, catalog: Catalog, settings: Settings,  # type: ignore[no-untyped-def]
            clock) -> Engine:
    """The first day's batch (15 posts, pending review), users in place."""
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1)), clock.now(),
               actor=PLANNER)
    return synced


@pytest.fixture
def published(application, approved: Engine, catalog: Catalog, settings: Settings,  # type: ignore[no-untyped-def]
              clock) -> Engine:
    """The first day's batch published by a worker (to the outbox)."""
    worker_for(approved, catalog, settings, clock).run_once()
    return approved


@pytest.fixture
def regency_operator(application, synced: Engine, clock) -> str:  # type: ignore[no-untyped-def]
    with session_scope(synced, write=True) as session:
        add_user(session, name="ops.a", role="operator", region="kab-a", password=PASSWORD,
                 now=clock.now())
    return "ops.a"


def test_operator_sees_status_and_posts_due_within_a_day_not_yet_approved(
        planned, signed_in, clock) -> None:  # type: ignore[no-untyped-def]
    ops = signed_in("ops")
    page = ops.get("/operasi")
    assert page.status_code == 200
    assert 'data-status="pending"' in section(page.text, "jumlah")
    assert post_ids(section(page.text, "belum-disetujui")) == []  # eleven days ahead
    make(planned, 1, status="approved")  # approved ones are not the worry
    make(planned, 2, status="draft")
    clock.set(datetime(2023, 12, 31, 12, 0, tzinfo=WIB))  # 21 hours before the slot
    due = section(ops.get("/operasi").text, "belum-disetujui")
    assert sorted(post_ids(due)) == list(range(2, 16))
    assert "(14)" in due
    clock.set(FIRST_SLOT + timedelta(minutes=1))  # past: no longer "due within 24 hours"
    assert post_ids(section(ops.get("/operasi").text, "belum-disetujui")) == []


def test_operator_resolves_uncertain_posts_published_or_sent_again(
        approved, signed_in) -> None:  # type: ignore[no-untyped-def]
    make(approved, 1, status="uncertain", attempt_via="x", last_error="koneksi terputus")
    make(approved, 2, status="uncertain", attempt_via="x")
    ops = signed_in("ops")
    page = ops.get("/operasi")
    assert sorted(post_ids(section(page.text, "belum-pasti"))) == [1, 2]
    assert "koneksi terputus" in page.text
    csrf = page_csrf(ops, "/operasi")
    answer = ops.post("/operasi/unggahan/1/selesaikan", data={
        "csrf": csrf, "tindakan": "terbit", "url": "https://x.com/kpu/status/99",
        "catatan": "dicek di akun"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/operasi?ok=terbit&apa=1"
    post = post_of(approved, 1)
    assert (post.status, post.platform_url) == ("published", "https://x.com/kpu/status/99")
    resolved = events(approved, 1)[-1]
    assert (resolved.kind, resolved.actor, resolved.note) == ("resolved", "ops", "dicek di akun")
    again = ops.post("/operasi/unggahan/2/selesaikan",
                     data={"csrf": csrf, "tindakan": "ulang"})
    assert again.status_code == 303
    assert post_of(approved, 2).status == "retrying"
    shown = ops.get("/operasi?ok=terbit&apa=1").text
    assert "Unggahan #1 ditandai sudah terbit." in shown
    assert post_ids(section(shown, "belum-pasti")) == []


def test_a_refused_resolution_says_why_and_changes_nothing(approved, signed_in) -> None:  # type: ignore[no-untyped-def]
    make(approved, 1, status="uncertain")
    ops = signed_in("ops")
    csrf = page_csrf(ops, "/operasi")
    no_url = ops.post("/operasi/unggahan/1/selesaikan", data={"csrf": csrf, "tindakan": "terbit"})
    assert no_url.status_code == 400
    assert "isi tautannya di platform" in no_url.text
    not_a_url = ops.post("/operasi/unggahan/1/selesaikan",
                         data={"csrf": csrf, "tindakan": "terbit", "url": "javascript:alert(1)"})
    assert not_a_url.status_code == 400
    assert post_of(approved, 1).status == "uncertain"
    approved_post = ops.post("/operasi/unggahan/3/selesaikan",
                             data={"csrf": csrf, "tindakan": "ulang"})
    assert approved_post.status_code == 409
    assert "hanya yang belum pasti atau gagal" in approved_post.text
    assert ops.post("/operasi/unggahan/999/selesaikan",
                    data={"csrf": csrf, "tindakan": "ulang"}).status_code == 404


def test_a_reviewer_sees_operations_but_cannot_resolve(approved, signed_in) -> None:  # type: ignore[no-untyped-def]
    make(approved, 1, status="uncertain")
    rudi = signed_in("rudi")
    page = rudi.get("/operasi")
    assert page.status_code == 200
    assert post_ids(section(page.text, "belum-pasti")) == [1]
    assert "/selesaikan" not in page.text and "/jeda" not in page.text
    csrf = page_csrf(rudi, "/operasi")
    answer = rudi.post("/operasi/unggahan/1/selesaikan",
                       data={"csrf": csrf, "tindakan": "terbit", "url": "https://x.com/a/1"})
    assert answer.status_code == 403
    assert post_of(approved, 1).status == "uncertain"
    assert rudi.post("/operasi/akun/kab-a/x/jeda",
                     data={"csrf": csrf, "alasan": "coba"}).status_code == 403
    assert account_of(approved, "kab-a/x").paused_at is None


def test_operator_pauses_an_account_with_a_reason_and_resumes_it(synced, signed_in) -> None:  # type: ignore[no-untyped-def]
    ops = signed_in("ops")
    page = ops.get("/operasi")
    assert 'action="/operasi/akun/kab-a/x/jeda"' in page.text  # every account can be paused
    csrf = page_csrf(ops, "/operasi")
    no_reason = ops.post("/operasi/akun/kab-a/x/jeda", data={"csrf": csrf, "alasan": "  "})
    assert no_reason.status_code == 400
    assert "perlu alasan" in no_reason.text
    assert account_of(synced, "kab-a/x").paused_at is None
    paused = ops.post("/operasi/akun/kab-a/x/jeda", data={"csrf": csrf, "alasan": "token habis"})
    assert paused.status_code == 303
    assert account_of(synced, "kab-a/x").paused_reason == "token habis (ops)"
    listed = section(ops.get("/operasi").text, "akun-dijeda")
    assert 'data-account="kab-a/x"' in listed and "token habis (ops)" in listed
    assert 'action="/operasi/akun/kab-a/x/lanjutkan"' in listed
    assert ops.post("/operasi/akun/kab-a/x/lanjutkan", data={"csrf": csrf}).status_code == 303
    assert account_of(synced, "kab-a/x").paused_at is None
    twice = ops.post("/operasi/akun/kab-a/x/lanjutkan", data={"csrf": csrf})
    assert twice.status_code == 400
    assert "tidak sedang dijeda" in twice.text
    assert ops.post("/operasi/akun/kab-z/x/jeda",
                    data={"csrf": csrf, "alasan": "x"}).status_code == 404


def test_a_regency_operator_sees_and_acts_on_its_region_only(
        published, regency_operator, signed_in, siar) -> None:  # type: ignore[no-untyped-def]
    make(published, 1, status="uncertain")  # prov/facebook: outside kab-a
    ops_a = signed_in(regency_operator)
    page = ops_a.get("/operasi")
    assert "<strong>5</strong>" in section(page.text, "jumlah")  # kab-a's five posts only
    assert post_ids(section(page.text, "belum-pasti")) == []
    accounts = section(page.text, "akun")
    assert set(re.findall(r'data-account="([^"]+)"', accounts)) == {
        f"kab-a/{p}" for p in ("facebook", "instagram", "threads", "x", "telegram")}
    history = ops_a.get("/operasi/riwayat").text
    shown = history_ids(history)
    assert len(shown) == 5
    assert {post_of(published, i).region_key for i in shown} == {"kab-a"}
    assert ops_a.get("/operasi/riwayat?wilayah=kota-b").text.count("<tr data-post") == 0
    exported = list(csv.DictReader(io.StringIO(ops_a.get("/operasi/riwayat.csv").text)))
    assert {r["region"] for r in exported} == {"kab-a"} and len(exported) == 5
    csrf = page_csrf(ops_a, "/operasi")
    assert ops_a.post("/operasi/akun/kota-b/x/jeda",
                      data={"csrf": csrf, "alasan": "bukan wilayahnya"}).status_code == 403
    assert account_of(published, "kota-b/x").paused_at is None
    assert ops_a.post("/operasi/unggahan/1/selesaikan",
                      data={"csrf": csrf, "tindakan": "ulang"}).status_code == 403
    assert post_of(published, 1).status == "uncertain"
    # The command line still reports every region.
    assert "terbit 14" in siar("status").stdout


def test_history_filters_and_pages_newest_first(
        published, signed_in, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ops = signed_in("ops")
    every = history_ids(ops.get("/operasi/riwayat").text)
    assert len(every) == 15
    with Session(published) as session:
        newest_first = [p.id for p in session.exec(select(Post).order_by(
            col(Post.scheduled_at).desc(), col(Post.id).desc()))]
    assert every == newest_first
    page = ops.get("/operasi/riwayat?platform=x").text
    assert len(history_ids(page)) == 3
    assert "file://" not in page  # outbox files show as paths, not links
    assert "outbox" in page and "<td>outbox</td>" in page  # published via
    assert history_ids(ops.get("/operasi/riwayat?status=failed").text) == []
    assert len(history_ids(ops.get(
        "/operasi/riwayat?wilayah=kab-a&dari=2024-01-01&sampai=2024-01-01").text)) == 5
    assert history_ids(ops.get("/operasi/riwayat?dari=2024-01-02").text) == []
    bad = ops.get("/operasi/riwayat?platform=myspace")
    assert bad.status_code == 400 and "myspace" in bad.text
    backwards = ops.get("/operasi/riwayat?dari=2024-02-01&sampai=2024-01-01")
    assert backwards.status_code == 400

    monkeypatch.setattr("scheduler.web.routes.ops.PAGE", 4)
    seen: list[int] = []
    url: str | None = "/operasi/riwayat?status=published"
    while url:
        html = ops.get(url).text
        seen += history_ids(html)
        found = re.search(r'href="(/operasi/riwayat\?[^"]*sebelum=\d+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert url is None or "status=published" in url
    assert seen == newest_first


def test_history_export_streams_the_filtered_rows_like_the_command_line(
        published, signed_in, siar, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scheduler.web.routes.ops.CSV_CHUNK", 2)  # several pieces
    ops = signed_in("ops")
    answer = ops.get("/operasi/riwayat.csv?wilayah=kab-a&status=published")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="siar-riwayat-\d{8}-\d{4}\.csv"',
                        answer.headers["content-disposition"])
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == HISTORY_FIELDS
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(records) == 5
    assert {r["region"] for r in records} == {"kab-a"}
    assert all(r["published_at"].startswith("2024-01-01T09:00") for r in records)
    assert {r["published_via"] for r in records} == {"outbox"}
    cli = siar("history", "--region", "kab-a", "--status", "published", "--format", "csv")
    assert answer.text == cli.stdout
    assert ops.get("/operasi/riwayat.csv?status=nope").status_code == 400


def test_the_workers_heartbeat_is_written_and_shown(
        approved, catalog, settings, clock, signed_in, siar) -> None:  # type: ignore[no-untyped-def]
    ops = signed_in("ops")
    assert "Belum ada pekerja" in section(ops.get("/operasi").text, "pekerja")
    worker_for(approved, catalog, settings, clock).run_once()
    with Session(approved) as session:
        row = session.get(WorkerBeat, "uji:1:1")
        assert row is not None
        assert row.last_beat == clock.now()
    shown = section(ops.get("/operasi").text, "pekerja")
    assert 'data-worker="uji:1:1"' in shown
    assert "pekerja tidak aktif" not in shown.lower()
    assert "Pekerja: uji:1:1, detak terakhir" in siar("status").stdout
    clock.advance(timedelta(minutes=5))
    stale = section(ops.get("/operasi").text, "pekerja")
    assert "Pekerja tidak aktif" in stale
    assert 'class="badge bad">pekerja tidak aktif' in stale


def test_a_starting_worker_forgets_workers_silent_for_a_week(approved, clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    beat(approved, name="lama:1:1", started_at=now - KEPT_FOR * 2, now=now - KEPT_FOR * 2)
    beat(approved, name="baru:2:2", started_at=now, now=now, prune=True)
    with Session(approved) as session:
        assert [w.name for w in session.exec(select(WorkerBeat))] == ["baru:2:2"]


def test_every_operations_form_needs_the_csrf_token(approved, signed_in) -> None:  # type: ignore[no-untyped-def]
    make(approved, 1, status="uncertain")
    ops = signed_in("ops")
    for path, data in [
        ("/operasi/unggahan/1/selesaikan", {"tindakan": "ulang"}),
        ("/operasi/akun/kab-a/x/jeda", {"alasan": "tanpa token"}),
    ]:
        assert ops.post(path, data={**data, "csrf": "palsu"}).status_code == 403
        assert ops.post(path, data=data).status_code == 403
    assert post_of(approved, 1).status == "uncertain"
    assert account_of(approved, "kab-a/x").paused_at is None
    with session_scope(approved, write=True) as session:
        account = find_account(session, actor=MACHINE_ADMIN, key="kab-a/x")
        account.paused_at, account.paused_reason = FIRST_SLOT, "dijeda"
    assert ops.post("/operasi/akun/kab-a/x/lanjutkan", data={}).status_code == 403
    assert account_of(approved, "kab-a/x").paused_at is not None


def test_post_text_errors_and_reasons_show_as_text(approved, signed_in) -> None:  # type: ignore[no-untyped-def]
    evil = "<script>alert('x')</script>"
    make(approved, 1, status="uncertain", text=evil, last_error=evil)
    make(approved, 2, status="failed", last_error=evil, updated_at=FIRST_SLOT)
    ops = signed_in("ops")
    csrf = page_csrf(ops, "/operasi")
    ops.post("/operasi/akun/kab-a/x/jeda", data={"csrf": csrf, "alasan": evil})
    page = ops.get("/operasi").text
    history = ops.get("/operasi/riwayat").text
    for html in (page, history):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_pages_need_a_session(client: TestClient) -> None:
    for path in ("/operasi", "/operasi/riwayat", "/operasi/riwayat.csv"):
        answer = client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/masuk?lanjut=")



def test_every_text_of_these_pages_has_an_english_translation(signed_in) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    from scheduler.web.i18n import catalog
    from scheduler.web.routes.users import ROLE_LABELS

    english = catalog("en")
    folder = resources.files("scheduler.web").joinpath("templates")
    wrapped = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    texts = set(ROLE_LABELS.values())
    for name in ("ops.html", "ops_history.html", "users.html"):
        texts |= {a or b for a, b in wrapped.findall(folder.joinpath(name).read_text())}
    assert sorted(texts - set(english)) == []
    admin = signed_in("admin")
    admin.cookies.set("siar_bahasa", "en")
    assert "Posts by status" in admin.get("/operasi").text
    assert "Add a user" in admin.get("/pengguna").text


def test_no_credential_shows_on_the_operations_pages(published, application, signed_in) -> None:  # type: ignore[no-untyped-def]
    token = "PLANTED-X-BEARER-TOKEN-0123456789"
    environ = application.settings.environ
    assert isinstance(environ, dict)
    environ["SIAR_KAB_A_X_ACCESS_TOKEN"] = token
    ops = signed_in("ops")
    page = ops.get("/operasi").text
    row = re.search(r'<tr data-account="kab-a/x">.*?</tr>', page, re.S)
    assert row and "lewat x" in " ".join(row.group(0).split())  # the credential is in use
    for html in (page, ops.get("/operasi/riwayat").text, ops.get("/operasi/riwayat.csv").text):
        assert token not in html
