"""End to end on the real content, in Chromium: a province author composes an X post on
Tulis, sees X's length counter turn red at 281 characters as they type, is refused while
it is too long, trims it and submits it for review; and, with JavaScript off, the
"Periksa" button shows the same counts and marks."""

from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.models import PostStatus
from tests.browser.scenario import (
    BEFORE_SLOT,
    PASSWORD,
    Opener,
    Prepared,
    site,
)
from tests.browser.support import Watch, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

RED = "rgb(179, 38, 30)"  # --bad in siar.css
HTMX_WAIT = 5_000  # ms: the counter comes back from the server after a 150 ms pause


def text_of(length: int) -> str:
    """A plain ASCII announcement of exactly `length` characters as X counts them (no
    links, no emoji: one character each), without spaces at either end."""
    words = ("Ayo cek nama Anda di daftar pemilih tetap sebelum hari pemungutan suara "
             "14 Februari 2024 di kantor desa atau kelurahan terdekat. ") * 6
    text = words[:length]
    assert len(text) == length and text == text.strip()
    return text


def clean(watch: Watch) -> None:
    assert watch.errors == []
    assert watch.csp_violations == []
    assert watch.dialogs == []


def fill_the_form(page: "Page", text: str) -> None:
    page.get_by_label("X", exact=True).check()
    page.get_by_label("KPU Provinsi Jawa Timur").check()
    page.get_by_label("Teks", exact=True).fill(text)


def test_the_x_counter_turns_red_at_281_and_the_post_is_submitted_at_280(
        prepared: Prepared, tmp_path: Path, open_tab: Opener) -> None:
    from playwright.sync_api import expect

    with site(prepared.get("one-batch"), tmp_path, BEFORE_SLOT) as s:
        tab = open_tab(s.url)
        page = tab.page
        sign_in(page, "penulis", PASSWORD, then="/unggahan")
        page.get_by_role("link", name="Tulis", exact=True).click()
        page.wait_for_url("**/tulis")
        assert page.get_by_label("Tanggal").input_value() == "2024-02-05"  # tomorrow
        fill_the_form(page, text_of(280))
        x = page.locator("#penghitung [data-platform='x']")
        expect(x).to_have_text("x: 280 / 280", timeout=HTMX_WAIT)
        expect(x).not_to_have_class("counter over")
        assert x.evaluate("e => getComputedStyle(e).color") != RED

        box = page.get_by_label("Teks", exact=True)
        box.press("Control+End")
        box.press_sequentially("!")  # the 281st character, typed
        expect(x).to_have_text("x: 281 / 280", timeout=HTMX_WAIT)
        expect(x).to_have_class("counter over")
        expect(x).to_have_css("color", RED)
        assert page.locator("#pratinjau-teks").inner_text().endswith("!")  # live preview

        page.get_by_role("button", name="Ajukan untuk ditinjau").click()
        page.wait_for_load_state()
        alert = page.get_by_role("alert").inner_text()
        assert "Belum dapat disimpan" in alert
        assert "teks 281/280" in alert and "untuk x" in alert and "perpendek teksnya" in alert
        assert s.posts("created_by = 'penulis'") == []
        expect(x).to_have_class("counter over")  # the page came back as it was typed
        assert page.get_by_label("X", exact=True).is_checked()

        box.press("Control+End")
        box.press("Backspace")
        expect(x).to_have_text("x: 280 / 280", timeout=HTMX_WAIT)
        expect(x).not_to_have_class("counter over")
        page.get_by_role("button", name="Ajukan untuk ditinjau").click()
        page.wait_for_url("**/unggahan?batch=*")
        rows = page.locator("tr[data-post]")
        assert rows.count() == 1
        assert rows.locator(".badge").first.inner_text() == "menunggu tinjauan"
        assert "jatim" in rows.inner_text() and "x" in rows.inner_text()
        made = s.posts("created_by = 'penulis'")
        assert [(p.region_key, p.platform, p.status, p.text) for p in made] == [
            ("jatim", "x", PostStatus.PENDING, text_of(280))]
        clean(tab.watch)


def test_without_javascript_periksa_shows_the_counts_and_the_mark(
        prepared: Prepared, tmp_path: Path, open_tab: Opener) -> None:
    with site(prepared.get("one-batch"), tmp_path, BEFORE_SLOT) as s:
        tab = open_tab(s.url, js=False)
        page = tab.page
        sign_in(page, "penulis", PASSWORD, then="/tulis")
        assert page.locator("#penghitung [data-platform]").count() == 0  # nothing chosen yet
        fill_the_form(page, text_of(281))
        page.get_by_label("Telegram", exact=True).check()
        assert page.locator("#pratinjau-teks").inner_text() == ""  # no script runs here
        assert page.locator("#penghitung [data-platform]").count() == 0  # nor htmx
        page.get_by_role("button", name="Periksa").click()
        page.wait_for_load_state()
        x = page.locator("#penghitung [data-platform='x']")
        telegram = page.locator("#penghitung [data-platform='telegram']")
        assert x.inner_text() == "x: 281 / 280"
        assert x.get_attribute("class") == "counter over"
        assert x.evaluate("e => getComputedStyle(e).color") == RED
        assert telegram.inner_text() == "telegram: 281 / 4096"
        assert telegram.get_attribute("class") == "counter"
        assert "teks 281/280" in page.get_by_role("alert").inner_text()

        page.get_by_label("Telegram", exact=True).uncheck()
        box = page.get_by_label("Teks", exact=True)
        box.fill(text_of(280))
        page.get_by_role("button", name="Periksa").click()
        page.wait_for_load_state()
        assert x.inner_text() == "x: 280 / 280"
        assert x.get_attribute("class") == "counter"
        assert telegram.count() == 0
        assert page.get_by_role("alert").count() == 0
        assert s.posts("created_by = 'penulis'") == []  # Periksa writes nothing
        clean(tab.watch)
