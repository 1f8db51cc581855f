"""End to end on the real content, in Chromium: a province reviewer approves one batch
for the province and 37 of its 38 regencies (Kota Blitar excepted) through the review
page; a worker in another process (`python -m scheduler run --once`) publishes it; an
operator finds the posts in the history, and resolves an uncertain post on Operasi,
which its post page's timeline then shows.

Then a rejection with a note, made in a browser with JavaScript off."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from scheduler.checks.post_checks import CheckSettings
from scheduler.db import session_scope
from scheduler.events import record
from scheduler.models import Post, PostStatus
from scheduler.review import approve
from tests.browser.scenario import (
    BATCH,
    BEFORE_SLOT,
    BUSY_NOW,
    PASSWORD,
    SLOT,
    Opener,
    Prepared,
    Site,
    actor_of,
    real_catalog,
    site,
)
from tests.browser.support import Watch, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

EXCEPTED = "kota-blitar"
WORKER_TIMEOUT = 120  # seconds; a generous bound, not a timing assertion
PLATFORM_URL = "https://x.com/kpukotablitar/status/1754383920123456789"


def clean(watch: Watch) -> None:
    """Nothing on the page broke: no script error, no CSP violation, no dialog."""
    assert watch.errors == []
    assert watch.csp_violations == []
    assert watch.dialogs == []


def run_worker(s: Site, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`siar run --once` in its own process, one minute after the slot, on the same
    database file, content and outbox as the web app (and no credentials at all)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIAR_")}
    env.update({
        "SIAR_DATABASE_URL": s.settings.database_url,
        "SIAR_CONTENT_DIR": str(s.settings.content_dir),
        "SIAR_TEMPLATES_DIR": str(s.settings.templates_dir),
        "SIAR_MEDIA_DIR": str(s.settings.media_dir),
        "SIAR_OUTBOX_DIR": str(s.settings.outbox_dir),
        "SIAR_OUTBOX_FALLBACK": "1", "SIAR_ALLOW_NOW": "1",
        "SIAR_NOW": (SLOT + timedelta(minutes=1)).isoformat(),
    })
    return subprocess.run(
        [sys.executable, "-m", "scheduler", "--env-file", str(tmp_path / "none.env"), "run",
         "--once"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=WORKER_TIMEOUT, check=False)


def reviewer_approves_all_but_blitar(page: "Page", blitar: Post) -> None:
    sign_in(page, "peninjau", PASSWORD, then="/tinjauan")
    row = page.locator(f"tr[data-batch='{BATCH}']")
    assert row.locator("td.num").first.inner_text() == "39"  # pending posts in the batch
    row.get_by_role("link", name=BATCH).click()
    page.wait_for_url("**/tinjauan/batch/*")
    assert "39 unggahan menunggu tinjauan" in page.locator("dl.facts").inner_text()
    assert "39 wilayah" in page.locator("dl.facts").inner_text()

    # Kota Blitar's post, in its card's list of offices (folded until opened).
    item = page.locator("li[data-post]", has_text="KPU Kota Blitar")
    assert item.count() == 1
    assert item.get_attribute("data-post") == str(blitar.id)
    item.locator("xpath=ancestor::details[1]").locator(":scope > summary").click()
    item.get_by_role("checkbox").check()
    assert page.locator("input[name='kecuali']:checked").count() == 1
    page.get_by_role("button", name="Setujui kecuali yang dicentang").click()
    page.wait_for_url("**/tinjauan?disetujui=38")
    assert page.get_by_role("status").inner_text() == "38 unggahan disetujui."
    # The excepted post still waits: the batch stays in the queue with one post.
    row = page.locator(f"tr[data-batch='{BATCH}']")
    assert row.locator("td.num").first.inner_text() == "1"
    row.get_by_role("link", name=BATCH).click()
    page.wait_for_url("**/tinjauan/batch/*")
    assert "1 unggahan menunggu tinjauan" in page.locator("dl.facts").inner_text()
    badges = page.locator("li[data-post] .badge")
    assert badges.all_text_contents().count("disetujui") == 38
    assert item.locator(".badge").text_content() == "menunggu tinjauan"


def test_reviewer_approves_all_but_one_worker_publishes_operator_resolves(
        prepared: Prepared, tmp_path: Path, open_tab: Opener) -> None:
    with site(prepared.get("one-batch"), tmp_path, BEFORE_SLOT) as s:
        everything = s.posts()
        assert len(everything) == 39
        assert {p.platform for p in everything} == {"x"}
        blitar = next(p for p in everything if p.region_key == EXCEPTED)

        reviewer = open_tab(s.url)
        reviewer_approves_all_but_blitar(reviewer.page, blitar)
        clean(reviewer.watch)
        statuses = {p.region_key: p.status for p in s.posts()}
        assert statuses.pop(EXCEPTED) == PostStatus.PENDING
        assert set(statuses.values()) == {PostStatus.APPROVED} and len(statuses) == 38
        assert {p.approved_by for p in s.posts("status = 'approved'")} == {"peninjau"}

        worker = run_worker(s, tmp_path)
        assert worker.returncode == 0, worker.stderr[-3000:]
        assert "38 unggahan diproses (terbit: 38)." in worker.stdout
        files = sorted(s.settings.outbox_dir.rglob("*.json"))
        assert len(files) == 38
        assert EXCEPTED not in {f.parent.name for f in files}
        published = s.posts("status = 'published'")
        assert {f"{p.id}.json" for p in published} == {f.name for f in files}

        s.clock.set(SLOT + timedelta(minutes=2))  # the operator looks just after the slot
        operator = open_tab(s.url)
        page = operator.page
        sign_in(page, "operator", PASSWORD, then="/operasi")
        assert page.locator("#pekerja").get_by_text("aktif", exact=True).is_visible()
        page.get_by_role("link", name="Riwayat", exact=True).click()
        page.wait_for_url("**/operasi/riwayat")
        page.get_by_label("Status").select_option(label="terbit")
        page.get_by_role("button", name="Saring").click()
        page.wait_for_url("**/operasi/riwayat?*status=published*")
        rows = page.locator("tr[data-post]")
        assert rows.count() == 38
        assert {int(r) for r in rows.evaluate_all("rs => rs.map(r => r.dataset.post)")} == {
            p.id for p in published}
        first = rows.first
        assert first.locator(".badge").inner_text() == "terbit"
        assert "x" in first.inner_text()
        shown_file = first.locator("td").nth(6).inner_text()
        assert shown_file.endswith(".json") and str(s.settings.outbox_dir) in shown_file
        assert first.get_by_role("link").first.get_attribute("href") == (
            f"/unggahan/{first.get_attribute('data-post')}")
        assert EXCEPTED not in page.locator("table.history").inner_text()
        clean(operator.watch)

        uncertain = left_uncertain_by_a_dead_worker(s, blitar.id or 0)
        page.get_by_role("link", name="Operasi", exact=True).first.click()
        page.wait_for_url("**/operasi")
        card = page.locator(f"#belum-pasti article[data-post='{uncertain}']")
        assert "koneksi terputus" in card.inner_text()
        card.get_by_label("Tautan unggahan di platform").fill(PLATFORM_URL)
        card.get_by_label("Catatan").first.fill("dicek di akun X: sudah tayang")
        card.get_by_role("button", name="Sudah terbit").click()
        page.wait_for_url(f"**/operasi?ok=terbit&apa={uncertain}")
        assert page.get_by_role("status").inner_text() == (
            f"Unggahan #{uncertain} ditandai sudah terbit.")
        assert page.locator("#belum-pasti article[data-post]").count() == 0

        page.goto(f"/unggahan/{uncertain}")
        assert page.locator("h1 .badge").inner_text() == "terbit"
        resolved = page.locator("ol.timeline li[data-kind='resolved']")
        assert resolved.count() == 1
        said = resolved.inner_text()
        assert "diselesaikan" in said and "operator" in said
        assert "belum pasti → terbit" in said
        assert "dicek di akun X: sudah tayang" in said
        assert resolved.get_by_role("link").get_attribute("href") == PLATFORM_URL
        kinds = page.locator("ol.timeline li").evaluate_all(
            "items => items.map(i => i.dataset.kind)")
        assert kinds == ["planned", "approved", "claimed", "uncertain", "resolved"]
        clean(operator.watch)
        with Session(s.engine) as session:
            post = session.get(Post, uncertain)
            assert post is not None
            assert (post.status, post.platform_url) == (PostStatus.PUBLISHED, PLATFORM_URL)


def left_uncertain_by_a_dead_worker(s: Site, post_id: int) -> int:
    """Setup, not the action under test: the excepted post approved later, then claimed by
    a worker that died mid-request, so nobody knows whether it went out."""
    reviewer = actor_of(s.engine, "peninjau")
    with session_scope(s.engine, write=True) as session:
        approve(session, actor=reviewer, target=str(post_id), catalog=real_catalog(),
                checks=CheckSettings(), now=SLOT - timedelta(hours=1))
        post = session.get(Post, post_id)
        assert post is not None
        at = SLOT + timedelta(seconds=30)
        post.attempts, post.attempt_via = 1, "x"
        record(session, post, kind="claimed", actor="mesin-lain:7:1", now=at,
               to_status=PostStatus.PUBLISHING)
        post.last_error = "koneksi terputus setelah permintaan terkirim; pekerja berhenti"
        record(session, post, kind="uncertain", actor="mesin-lain:7:1",
               now=at + timedelta(seconds=20), to_status=PostStatus.UNCERTAIN,
               note=post.last_error)
    return post_id


def test_a_reviewer_rejects_a_batch_with_a_note_without_javascript(
        prepared: Prepared, tmp_path: Path, open_tab: Opener) -> None:
    with site(prepared.get("busy"), tmp_path, BUSY_NOW) as s:
        tab = open_tab(s.url, js=False)
        page = tab.page
        sign_in(page, "peninjau", PASSWORD, then="/tinjauan")
        batch = page.locator("tr[data-batch]").last.get_attribute("data-batch")
        assert batch and "2024-02-15" in batch
        waiting = s.posts("batch = :b AND status = 'pending'", b=batch)
        assert len(waiting) == 195  # 39 offices x 5 platforms
        page.get_by_role("link", name=batch).click()
        page.wait_for_url("**/tinjauan/batch/*")

        # Rejecting without a note is refused, and nothing changes.
        page.get_by_role("button", name="Tolak kecuali yang dicentang").click()
        assert "menolak perlu catatan" in page.get_by_role("alert").inner_text()
        assert len(s.posts("batch = :b AND status = 'pending'", b=batch)) == 195

        note = "Tanggal pada teks keliru; mohon diperbaiki sebelum diajukan lagi."
        page.get_by_label("Catatan (wajib untuk menolak)").fill(note)
        page.get_by_role("button", name="Tolak kecuali yang dicentang").click()
        page.wait_for_url("**/tinjauan?ditolak=195")
        assert page.get_by_role("status").inner_text() == "195 unggahan ditolak."
        assert page.locator(f"tr[data-batch='{batch}']").count() == 0

        page.goto("/unggahan?" + f"batch={batch}")
        rows = page.locator("tr[data-post]")
        assert rows.count() == 50  # the first page of 195
        assert set(page.locator("tr[data-post] .badge").all_inner_texts()) == {"ditolak"}
        page.locator("tr[data-post] a").first.click()
        rejected = page.locator("ol.timeline li[data-kind='rejected']")
        assert note in rejected.inner_text()
        assert "peninjau" in rejected.inner_text()
        clean(tab.watch)
        assert {p.status for p in s.posts("batch = :b", b=batch)} == {PostStatus.REJECTED}
