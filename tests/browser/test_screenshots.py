"""Every page of the web app in Chromium, on realistic data (the real content, four days
around Pemilu 2024's voting day planned, two of them published, one post failed and one
uncertain), each as the person who uses it: it answers 200, breaks no Content-Security-
Policy rule, throws no script error, does not scroll sideways on a 360 px phone, and is
photographed at 360 and 1,440 px (test-artifacts/screenshots/NN-<page>-<width>.png, or
under SIAR_ARTIFACTS_DIR). Then the English pass: the language link switches headings.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tests.browser.scenario import BUSY_NOW, PASSWORD, Prepared, Site, site
from tests.browser.support import HEIGHT, Watch, overflows, png_width, shoot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, FilePayload, Page

PHONE = 360
# A CSV with one good row and two bad ones: a region that does not exist and a time that
# has passed (the application's time is 13 February 2024, 21.00 WIB).
CSV = """region,platform,scheduled_at,text
kota-blitar,x,2024-02-16 09:00,"Terima kasih warga Kota Blitar, sudah datang ke TPS. #KPUKotaBlitar"
kota-atlantis,x,2024-02-16 09:00,Ayo cek hasil rekapitulasi di kantor kami.
kab-malang,facebook,2024-02-10 09:00,Terima kasih para petugas KPPS Kabupaten Malang.
"""


@dataclass(frozen=True)
class Shot:
    name: str  # the screenshots' file name: NN-<page>
    person: str  # who looks at it (a role that uses the page)
    heading: str  # the page's first heading starts with this
    go: Callable[["Page", Site], None]
    max_height: int | None = None  # px photographed of a very long page


def visit(path: str | Callable[[Site], str]) -> Callable[["Page", Site], None]:
    def go(page: "Page", s: Site) -> None:
        answer = page.goto(path(s) if callable(path) else path)
        assert answer is not None and answer.status == 200, path
    return go


def first_pending_batch(s: Site) -> str:
    pending = s.posts("status = 'pending'")
    return min(pending, key=lambda p: (p.scheduled_at, p.id or 0)).batch or ""


def a_published_post(s: Site) -> str:
    post = s.posts("status = 'published' AND region_key = 'kota-blitar' AND platform = 'x'")[-1]
    return f"/unggahan/{post.id}"


def composing(page: "Page", s: Site) -> None:
    from playwright.sync_api import expect

    visit("/tulis")(page, s)
    page.get_by_label("X", exact=True).check()
    page.get_by_label("Instagram", exact=True).check()
    page.get_by_label("KPU Kota Blitar").check()
    page.get_by_label("Teks", exact=True).fill(
        "Terima kasih warga Kota Blitar yang sudah menggunakan hak pilihnya hari ini. "
        "Pantau hasil penghitungan suara hanya dari sumber resmi KPU. #KPUKotaBlitar")
    expect(page.locator("#penghitung [data-platform='instagram']")).to_be_visible()


def importing(page: "Page", s: Site) -> None:
    visit("/tulis/impor")(page, s)
    upload: FilePayload = {"name": "unggahan-pasca-pemungutan.csv", "mimeType": "text/csv",
                           "buffer": CSV.encode()}
    page.get_by_label("Berkas CSV (UTF-8, paling besar 2 MB)").set_input_files(files=[upload])
    page.get_by_role("button", name="Pratinjau").click()
    page.wait_for_load_state()
    assert "2 baris bermasalah" in page.get_by_role("alert").first.inner_text()
    assert page.locator("tr.refused").count() == 2
    assert page.get_by_role("button", name="Konfirmasi").count() == 0  # nothing to confirm


SHOTS = [
    Shot("01-masuk", "", "Masuk", visit("/masuk")),
    Shot("02-tinjauan", "peninjau", "Tinjauan", visit("/tinjauan")),
    # 117 cards (each office's text names the office): photograph the top of it.
    Shot("03-tinjauan-batch", "peninjau", "Batch",
         visit(lambda s: f"/tinjauan/batch/{first_pending_batch(s)}"), max_height=6000),
    Shot("04-kalender-bulan", "peninjau", "Kalender: Februari 2024",
         visit("/kalender?bulan=2024-02")),
    Shot("05-kalender-pekan", "peninjau", "Kalender", visit("/kalender?minggu=2024-02-12")),
    Shot("06-kalender-hari", "peninjau", "", visit("/kalender/hari/2024-02-13")),
    Shot("07-unggahan", "peninjau", "Unggahan", visit("/unggahan")),
    Shot("08-unggahan-satu", "peninjau", "Unggahan #", visit(a_published_post)),
    Shot("09-tulis", "penulis", "Tulis unggahan", composing),
    Shot("10-tulis-impor", "penulis", "Impor unggahan dari CSV", importing),
    Shot("11-operasi", "operator", "Operasi", visit("/operasi")),
    Shot("12-operasi-riwayat", "operator", "Riwayat penerbitan", visit("/operasi/riwayat")),
    Shot("13-pengguna", "admin", "Pengguna", visit("/pengguna")),
    Shot("14-hasil", "peninjau", "Pengumuman hasil", visit("/hasil")),
]


@pytest.fixture(scope="module")
def busy(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the module: the pages here only read (and sign in)."""
    with site(prepared.get("busy"), tmp_path_factory.mktemp("screenshots"), BUSY_NOW) as s:
        yield s


@pytest.fixture(scope="module")
def signed_in(browser: "Browser", busy: Site) -> Iterator[Callable[[str], "BrowserContext"]]:
    """signed_in(name) -> a browser context where that person has signed in (once for the
    module); signed_in("") -> one where nobody has."""
    contexts: dict[str, BrowserContext] = {}

    def get(name: str) -> "BrowserContext":
        if name not in contexts:
            context = browser.new_context(base_url=busy.url,
                                          viewport={"width": 1440, "height": HEIGHT},
                                          locale="id-ID", timezone_id="Asia/Jakarta")
            context.set_default_timeout(10_000)
            if name:
                page = context.new_page()
                sign_in(page, name, PASSWORD)
                assert "/masuk" not in page.url, f"{name} could not sign in"
                page.close()
            contexts[name] = context
        return contexts[name]

    yield get
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_each_page_renders_cleanly_fits_a_phone_and_is_photographed(
        shot: Shot, busy: Site, signed_in: Callable[[str], "BrowserContext"]) -> None:
    page = signed_in(shot.person).new_page()
    watch = Watch()
    watch.attach(page)
    try:
        shot.go(page, busy)
        page.wait_for_load_state("networkidle")  # htmx fragments, images
        heading = page.locator("h1").first.inner_text()
        assert heading.startswith(shot.heading), heading
        page.set_viewport_size({"width": PHONE, "height": HEIGHT})
        assert not overflows(page), f"{shot.name} scrolls sideways at {PHONE} px: " + (
            ", ".join(wider_than_the_page(page)))
        written = shoot(page, shot.name, max_height=shot.max_height)
        assert [png_width(p) for p in written] == [PHONE, 1440]
        assert all(p.stat().st_size > 5_000 for p in written)
        assert watch.csp_violations == []
        assert watch.errors == []
        assert watch.dialogs == []
    finally:
        page.close()


def wider_than_the_page(page: "Page") -> list[str]:
    """The elements sticking out on the right (to say which one overflows)."""
    found: list[str] = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const out = [];
        for (const e of document.querySelectorAll("body *")) {
            const box = e.getBoundingClientRect();
            if (box.right > width + 0.5 && out.length < 8) {
                out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                         (e.className ? "." + String(e.className).split(" ").join(".") : "") +
                         " right=" + Math.round(box.right));
            }
        }
        return out;
    }""")
    return found


def test_the_language_link_switches_headings_to_english_and_back(
        busy: Site, browser: "Browser") -> None:
    context = browser.new_context(base_url=busy.url, viewport={"width": 1440, "height": HEIGHT},
                                  locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        sign_in(page, "operator", PASSWORD, then="/operasi")
        assert page.locator("h1").inner_text() == "Operasi"
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/operasi")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Operations"
        page.locator("main").get_by_role("link", name="History").click()
        page.wait_for_url("**/operasi/riwayat")
        assert page.locator("h1").inner_text() == "Publishing history"
        page.get_by_role("link", name="Calendar").click()
        page.wait_for_url("**/kalender")
        assert page.locator("h1").inner_text().startswith("Calendar")
        page.get_by_role("link", name="Bahasa Indonesia").click()
        page.wait_for_url("**/kalender")
        assert page.locator("html").get_attribute("lang") == "id"
        assert page.locator("h1").inner_text().startswith("Kalender")
        assert watch.errors == [] and watch.csp_violations == []
    finally:
        context.close()
