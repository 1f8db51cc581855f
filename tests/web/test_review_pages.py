"""Tinjauan in the browser's terms: the queue, a batch's cards, approve with exceptions,
reject with a note, the admin's override, many batches in one decision, images, scope,
CSRF, escaping and English."""

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.app import Application
from scheduler.clock import FixedClock
from scheduler.db import session_scope
from scheduler.editing import edit_post
from scheduler.models import Post, PostEvent
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER
from tests.conftest import actor
from tests.web.conftest import page_csrf

WIB = ZoneInfo("Asia/Jakarta")
DAY1, DAY2, DAY3 = (f"daftar-harian@2024-01-0{d}T09:00" for d in (1, 2, 3))


@pytest.fixture
def planned(application: Application) -> Engine:
    """Three days of the mini plan, pending: three batches of 15 posts (3 offices x 5
    platforms)."""
    engine = application.engine
    plan_posts(engine, application.catalog, application.settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 3)),
               application.clock.now(), actor=PLANNER)
    return engine


def posts_of(engine: Engine, batch: str | None = None) -> list[Post]:
    with Session(engine) as session:
        statement = select(Post).order_by(col(Post.id))
        if batch:
            statement = statement.where(col(Post.batch) == batch)
        return list(session.exec(statement))


def statuses(engine: Engine, batch: str) -> dict[tuple[str, str], str]:
    return {(p.region_key, p.platform): p.status for p in posts_of(engine, batch)}


def one(engine: Engine, batch: str, region: str, platform: str) -> Post:
    return next(p for p in posts_of(engine, batch)
                if p.region_key == region and p.platform == platform)


def edit_as(application: Application, name: str, role: str, post_id: int, text: str) -> None:
    with application.unit_of_work(write=True) as session:
        edit_post(session, actor=actor(name, role, "prov"), post_id=post_id,
                  catalog=application.catalog,
                  checks=application.checks, now=application.clock.now(), tz=WIB, text=text)


def batch_path(batch: str) -> str:
    return f"/tinjauan/batch/{batch}"


# --- the queue --------------------------------------------------------------------------


def test_province_reviewer_sees_every_batch_soonest_first_with_counts(planned, signed_in):
    page = signed_in("rudi").get("/tinjauan")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-batch="([^"]+)"', page.text)
    assert rows == [DAY1, DAY2, DAY3]
    row = page.text.split(f'<tr data-batch="{DAY1}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert cells == ["15", "0", "3"]  # posts, with problems, regions
    assert "facebook, instagram, telegram, threads, x" in row
    assert "2024-01-01 09.00 WIB" in row
    assert "Uji 2024: Pendaftaran pemilih" in row


def test_regency_reviewer_queue_shows_only_their_posts(planned, signed_in):
    page = signed_in("rina").get("/tinjauan")
    row = page.text.split(f'<tr data-batch="{DAY1}"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(.*?)</td>', row, re.S) == ["5", "0", "1"]
    assert "KPU Kabupaten A" in row
    assert "KPU Kota B" not in page.text.split("<table")[1]


def test_queue_filters_by_platform_and_refuses_an_unknown_region(planned, signed_in):
    client = signed_in("rudi")
    page = client.get("/tinjauan?platform=x&dari=2024-01-02")
    assert re.findall(r'<tr data-batch="([^"]+)"', page.text) == [DAY2, DAY3]
    row = page.text.split(f'<tr data-batch="{DAY2}"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(.*?)</td>', row, re.S)[0] == "3"
    wrong = client.get("/tinjauan?wilayah=kota-z")
    assert wrong.status_code == 400
    assert "kota-z" in wrong.text


def test_batches_due_within_a_day_are_marked(planned, signed_in, clock: FixedClock):
    clock.set(datetime(2023, 12, 31, 12, 0, tzinfo=WIB))
    page = signed_in("rudi").get("/tinjauan")
    first = page.text.split(f'<tr data-batch="{DAY1}"')[1].split("</tr>")[0]
    second = page.text.split(f'<tr data-batch="{DAY2}"')[1].split("</tr>")[0]
    assert "jatuh tempo &lt; 24 jam" in first
    assert "jatuh tempo" not in second


def test_an_author_sees_the_queue_without_approval_controls(planned, signed_in):
    client = signed_in("ani")
    assert 'name="batch"' not in client.get("/tinjauan").text
    page = client.get(batch_path(DAY1))
    assert page.status_code == 200
    assert 'name="kecuali"' not in page.text
    assert "/setujui" not in page.text


# --- a batch's cards ----------------------------------------------------------------------


def test_batch_page_shows_one_card_per_text_whatever_each_office_name(planned, signed_in):
    """Every office's text names the office: set aside (its website too, written without
    "https://" on Instagram), the three offices share one text for X and one for the other
    platforms, so the page has two cards, not nine."""
    page = signed_in("rudi").get(batch_path(DAY1))
    assert page.status_code == 200
    texts = {(p.text, p.image) for p in posts_of(planned, DAY1)}
    assert len(texts) == 9  # 3 offices x (x, instagram, the rest)
    assert page.text.count("data-card>") == 2
    assert page.text.count("sama untuk 3 kantor") == 2
    assert page.text.count("kantor lain mendapat nama") == 2
    # Each other office's own text is there to read, escaped, under its post.
    for post in posts_of(planned, DAY1):
        if post.region_key != "prov":
            assert html.escape(post.text, quote=False) in page.text
    card = page.text.split('id="teks-1"')[1].split("</article>")[0]
    for platform in ("facebook", "instagram", "telegram", "threads"):
        assert f'<tr data-platform="{platform}">' in card
    assert '<tr data-platform="x">' not in card
    assert "/ 63206" in card and "/ 1024" in card  # Telegram's caption limit: an image
    assert '<img src="/tinjauan/gambar/kartu.jpg"' in card
    assert "<details" in card and "KPU Provinsi Uji" in card


def test_a_text_shared_by_offices_is_one_card(planned, signed_in, application):
    shared = "Ayo cek data pemilih Anda.\nInfo resmi di situs KPU."
    for post in posts_of(planned, DAY1):
        if post.platform == "facebook":
            edit_as(application, "ani", "author", post.id or 0, shared)
    page = signed_in("rudi").get(batch_path(DAY1))
    assert "sama untuk 3 kantor" in page.text
    assert "Ayo cek data pemilih Anda.\nInfo resmi di situs KPU." in page.text
    # The Facebook text no longer matches the others: X, Facebook, and the other three.
    assert page.text.count("data-card>") == 3


def test_regency_reviewer_batch_page_shows_only_their_posts(planned, signed_in):
    page = signed_in("rina").get(batch_path(DAY1))
    shown = {int(i) for i in re.findall(r'<li data-post="(\d+)"', page.text)}
    mine = {p.id for p in posts_of(planned, DAY1) if p.region_key == "kab-a"}
    assert shown == mine
    assert "KPU Kota B" not in page.text and "KPU Provinsi Uji" not in page.text


def test_post_text_is_escaped_on_the_batch_page(planned, signed_in, application):
    post = one(planned, DAY1, "kab-a", "facebook")
    edit_as(application, "ani", "author", post.id or 0, "<script>alert(1)</script> & <b>x</b>")
    page = signed_in("rudi").get(batch_path(DAY1))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in page.text
    assert "<script>alert" not in page.text


def test_problems_are_highlighted_on_the_card(planned, signed_in, application):
    post = one(planned, DAY1, "kota-b", "x")
    edit_as(application, "ani", "author", post.id or 0, "Pilih PARTAI CONTOH!")
    with session_scope(planned, write=True) as session:  # as an older Siar might have left it
        stored = session.get(Post, post.id)
        assert stored
        stored.text += " " + "a" * 300
        session.add(stored)
    page = signed_in("rudi").get(batch_path(DAY1))
    card = next(c for c in page.text.split("<article")[1:] if f'data-post="{post.id}"' in c)
    assert "has-problems" in card
    assert "Partai Contoh" in card
    assert 'class="counter over"' in card


def test_an_unknown_or_foreign_batch_is_refused(planned, signed_in):
    client = signed_in("rina")
    assert client.get(batch_path("tidak-ada@2024-01-01T09:00")).status_code == 404
    assert client.get(batch_path("1")).status_code == 404  # a post id is not a batch


# --- approving and rejecting one batch ------------------------------------------------------


def test_approve_with_exceptions_keeps_the_excepted_posts_pending(planned, signed_in):
    client = signed_in("rudi")
    single = one(planned, DAY1, "kota-b", "x")
    card = [p.id for p in posts_of(planned, DAY1) if p.region_key == "prov" and p.platform != "x"]
    answer = client.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(client, batch_path(DAY1)), "catatan": "Sesuai jadwal",
        "kecuali": [str(single.id), ",".join(map(str, card))]})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/tinjauan?disetujui=10"
    after = {p.id: p.status for p in posts_of(planned, DAY1)}
    assert {pid for pid, s in after.items() if s == "pending"} == {single.id, *card}
    assert "10 unggahan disetujui." in client.get(answer.headers["location"]).text


def test_regency_reviewer_approves_only_their_part(planned, signed_in):
    client = signed_in("rina")
    answer = client.post(batch_path(DAY1) + "/setujui",
                         data={"csrf": page_csrf(client, batch_path(DAY1))})
    assert answer.headers["location"] == "/tinjauan?disetujui=5"
    assert {k for k, v in statuses(planned, DAY1).items() if v == "approved"} == {
        ("kab-a", p) for p in ("facebook", "instagram", "x", "threads", "telegram")}


def test_regency_reviewer_cannot_except_another_regions_post(planned, signed_in):
    client = signed_in("rina")
    foreign = one(planned, DAY1, "kota-b", "x")
    answer = client.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(client, batch_path(DAY1)), "kecuali": str(foreign.id)})
    assert answer.status_code == 400
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_an_author_cannot_approve(planned, signed_in):
    client = signed_in("ani")
    answer = client.post(batch_path(DAY1) + "/setujui",
                         data={"csrf": page_csrf(client, "/tinjauan")})
    assert answer.status_code == 403
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_four_eyes_refusal_is_shown_and_changes_nothing(planned, signed_in, application):
    post = one(planned, DAY1, "kab-a", "facebook")
    edit_as(application, "admin", "admin", post.id or 0, "Teks yang disunting admin.")
    client = signed_in("admin")
    page = client.get(batch_path(DAY1))
    assert "aturan empat mata" in page.text  # the post is marked before trying
    answer = client.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(client, batch_path(DAY1)), "alasan_override": "mendesak"})
    assert answer.status_code == 409
    alert = answer.text.split('role="alert"')[1].split("</p>")[0]
    assert "aturan empat mata" in alert and f"#{post.id}" in alert
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_problems_refuse_approval_until_an_admin_overrides(planned, signed_in, application):
    post = one(planned, DAY1, "kota-b", "facebook")
    edit_as(application, "ani", "author", post.id or 0, "Dukung PARTAI CONTOH!")
    reviewer = signed_in("rudi")
    page = reviewer.get(batch_path(DAY1))
    assert "alasan_override" not in page.text  # admins only
    refused = reviewer.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(reviewer, batch_path(DAY1)), "catatan": "oke"})
    assert refused.status_code == 409
    assert f"#{post.id}" in refused.text and "tidak ada yang disetujui" in refused.text
    assert "--except" not in refused.text
    assert set(statuses(planned, DAY1).values()) == {"pending"}
    admin = signed_in("admin")
    assert "alasan_override" in admin.get(batch_path(DAY1)).text
    done = admin.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(admin, batch_path(DAY1)), "alasan_override": "Sudah dicek humas"})
    assert done.headers["location"] == "/tinjauan?disetujui=15"
    with Session(planned) as session:
        event = session.exec(select(PostEvent).where(
            col(PostEvent.post_id) == post.id, col(PostEvent.kind) == "approved")).one()
    assert event.details and event.details["override"] == "Sudah dicek humas"


def test_a_reviewer_cannot_send_an_override_reason(planned, signed_in, application):
    post = one(planned, DAY1, "kota-b", "facebook")
    edit_as(application, "ani", "author", post.id or 0, "Dukung PARTAI CONTOH!")
    client = signed_in("rudi")
    answer = client.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(client, batch_path(DAY1)), "alasan_override": "saya saja"})
    assert answer.status_code == 403
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_reject_needs_a_note(planned, signed_in):
    client = signed_in("rudi")
    token = page_csrf(client, batch_path(DAY2))
    refused = client.post(batch_path(DAY2) + "/tolak", data={"csrf": token, "catatan": "  "})
    assert refused.status_code == 400
    assert "menolak perlu catatan" in refused.text
    assert set(statuses(planned, DAY2).values()) == {"pending"}
    kept = one(planned, DAY2, "prov", "x")
    done = client.post(batch_path(DAY2) + "/tolak", data={
        "csrf": token, "catatan": "Tanggal keliru", "kecuali": str(kept.id)})
    assert done.headers["location"] == "/tinjauan?ditolak=14"
    after = statuses(planned, DAY2)
    assert after.pop(("prov", "x")) == "pending"
    assert set(after.values()) == {"rejected"}


def test_the_refused_form_keeps_what_was_ticked_and_written(planned, signed_in, application):
    post = one(planned, DAY1, "kota-b", "facebook")
    edit_as(application, "ani", "author", post.id or 0, "Dukung PARTAI CONTOH!")
    client = signed_in("rudi")
    kept = one(planned, DAY1, "prov", "x")
    answer = client.post(batch_path(DAY1) + "/setujui", data={
        "csrf": page_csrf(client, batch_path(DAY1)), "catatan": "catatan saya",
        "kecuali": str(kept.id)})
    assert answer.status_code == 409
    assert f'value="{kept.id}" data-except-post checked' in answer.text
    assert 'name="catatan" value="catatan saya"' in answer.text


@pytest.mark.parametrize("action", ["setujui", "tolak"])
def test_batch_decisions_need_the_csrf_token(planned, signed_in, action):
    client = signed_in("rudi")
    answer = client.post(batch_path(DAY1) + f"/{action}", data={"catatan": "x"})
    assert answer.status_code == 403
    wrong = client.post(batch_path(DAY1) + f"/{action}", data={"catatan": "x", "csrf": "palsu"})
    assert wrong.status_code == 403
    assert set(statuses(planned, DAY1).values()) == {"pending"}


# --- many batches in one decision -----------------------------------------------------------


def test_two_batches_are_summarised_then_approved_in_one_decision(planned, signed_in):
    client = signed_in("rudi")
    summary = client.get(f"/tinjauan/massal?batch={DAY1}&batch={DAY2}")
    assert summary.status_code == 200
    counts = dict(re.findall(r'<dd data-count="(\w+)"[^>]*>(\d+)</dd>', summary.text))
    assert counts == {"batches": "2", "posts": "30", "regions": "3", "texts": "18",
                      "problems": "0"}
    assert set(statuses(planned, DAY1).values()) == {"pending"}  # nothing yet
    action = re.search(r'action="(/tinjauan/massal/setujui[^"]+)"', summary.text)
    assert action
    answer = client.post(action.group(1).replace("&amp;", "&"), data={
        "csrf": page_csrf(client, "/tinjauan"),
        "sidik": re.findall(r'name="sidik" value="([^"]+)"', summary.text)[0]})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/tinjauan?disetujui=30"
    assert set(statuses(planned, DAY1).values()) == set(statuses(planned, DAY2).values()) \
        == {"approved"}
    assert set(statuses(planned, DAY3).values()) == {"pending"}


def test_a_stage_and_date_range_in_one_decision_in_the_reviewers_scope(planned, signed_in):
    client = signed_in("rina")
    query = "tahapan=daftar&dari=2024-01-02&sampai=2024-01-03"
    summary = client.get(f"/tinjauan/massal?{query}")
    counts = dict(re.findall(r'<dd data-count="(\w+)"[^>]*>(\d+)</dd>', summary.text))
    assert (counts["batches"], counts["posts"], counts["regions"]) == ("2", "10", "1")
    sidik = re.findall(r'name="sidik" value="([^"]+)"', summary.text)[0]
    answer = client.post(f"/tinjauan/massal/setujui?{query}",
                         data={"csrf": page_csrf(client, "/tinjauan"), "sidik": sidik})
    assert answer.headers["location"] == "/tinjauan?disetujui=10"
    for batch in (DAY2, DAY3):
        assert {k for k, v in statuses(planned, batch).items() if v == "approved"} == {
            ("kab-a", p) for p in ("facebook", "instagram", "x", "threads", "telegram")}
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_bulk_approval_is_all_or_nothing_and_lists_the_problems(planned, signed_in,
                                                                application):
    bad = one(planned, DAY2, "kab-a", "threads")
    edit_as(application, "ani", "author", bad.id or 0, "Dukung PARTAI CONTOH!")
    client = signed_in("rudi")
    summary = client.get(f"/tinjauan/massal?batch={DAY1}&batch={DAY2}")
    assert re.search(r'data-count="problems"[^>]*>1<', summary.text)
    assert f"#{bad.id}</a>" in summary.text
    sidik = re.findall(r'name="sidik" value="([^"]+)"', summary.text)[0]
    answer = client.post(f"/tinjauan/massal/setujui?batch={DAY1}&batch={DAY2}",
                         data={"csrf": page_csrf(client, "/tinjauan"), "sidik": sidik})
    assert answer.status_code == 409
    assert f"#{bad.id}" in answer.text.split('role="alert"')[1]
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_bulk_approval_refuses_a_selection_that_changed_since_the_summary(
        planned, signed_in, application):
    client = signed_in("rudi")
    summary = client.get(f"/tinjauan/massal?batch={DAY1}&batch={DAY2}")
    sidik = re.findall(r'name="sidik" value="([^"]+)"', summary.text)[0]
    edit_as(application, "ani", "author", one(planned, DAY2, "prov", "x").id or 0, "Baru.")
    answer = client.post(f"/tinjauan/massal/setujui?batch={DAY1}&batch={DAY2}",
                         data={"csrf": page_csrf(client, "/tinjauan"), "sidik": sidik})
    assert answer.status_code == 409
    assert "pilihan berubah" in answer.text
    assert set(statuses(planned, DAY1).values()) == {"pending"}


def test_bulk_needs_a_selection_and_the_csrf_token(planned, signed_in):
    client = signed_in("rudi")
    assert client.get("/tinjauan/massal").status_code == 400
    assert client.get("/tinjauan/massal?batch=tidak-ada").status_code == 409
    answer = client.post(f"/tinjauan/massal/setujui?batch={DAY1}", data={"sidik": "x"})
    assert answer.status_code == 403
    assert set(statuses(planned, DAY1).values()) == {"pending"}


# --- images ---------------------------------------------------------------------------------


def test_images_are_served_from_the_media_folder_to_signed_in_people(planned, signed_in,
                                                                     client: TestClient):
    reviewer = signed_in("rina")
    image = reviewer.get("/tinjauan/gambar/kartu.jpg")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    for path in ("../neutrality.yaml", "..%2Fneutrality.yaml", "%2E%2E/plan.yaml",
                 "/etc/passwd", "tidak-ada.jpg"):
        assert reviewer.get(f"/tinjauan/gambar/{path}").status_code == 404, path
    assert client.get("/tinjauan/gambar/kartu.jpg").status_code == 303  # to sign in


# --- language ---------------------------------------------------------------------------------


def test_english_headings_on_request(planned, signed_in):
    client = signed_in("rudi")
    client.cookies.set("siar_bahasa", "en")
    queue = client.get("/tinjauan")
    assert "<h1>Review</h1>" in queue.text
    assert "Sample text" in queue.text
    batch = client.get(batch_path(DAY1))
    assert "Offices and posts" in batch.text and "Approve all but the ticked" in batch.text
    bulk = client.get(f"/tinjauan/massal?batch={DAY1}")
    assert "<h1>Approve together</h1>" in bulk.text


def test_every_review_text_has_an_english_translation():
    from importlib import resources

    from scheduler.web.i18n import catalog

    folder = resources.files("scheduler.web")
    english = catalog("en")
    sources = [folder.joinpath("templates", name).read_text(encoding="utf-8")
               for name in ("review.html", "review_batch.html", "review_bulk.html")]
    wrapped = {m for text in sources for m in re.findall(r"""_\((["'])(.+?)\1""", text)}
    missing = sorted(text for _, text in wrapped if text not in english)
    assert missing == []
