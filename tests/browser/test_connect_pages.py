"""An admin connects an Instagram business account in a real browser: "Hubungkan" (a
form the CSP allows), the page that links to the (fake) Facebook login dialog, the
dialog sending the browser back, the Page chosen, the account shown connected. Every
step is photographed, and no step breaks the CSP or shows a token."""

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from scheduler.app import Application
from scheduler.clock import FixedClock
from scheduler.config import OAuthApp
from tests.browser.support import LiveServer, Watch, shoot, sign_in
from tests.fakes.meta_auth import FakeMetaAuth, FakePage

if TYPE_CHECKING:
    from playwright.sync_api import Page

KEY = "w" * 40
APP_ID, APP_SECRET = "1234567890", "PLANTED-BROWSER-META-SECRET"
PAGES = [FakePage("101", "KPU Kabupaten A", "17841400000000001", "kpukaba"),
         FakePage("202", "Relawan Demokrasi Kab A")]


@pytest.fixture
def fake_meta(clock: FixedClock, server: LiveServer,
              application: Application) -> Iterator[FakeMetaAuth]:
    back = {f"{server.url}/akun/sambung/{p}/kembali" for p in ("facebook", "instagram")}
    with FakeMetaAuth(app_id=APP_ID, app_secret=APP_SECRET, redirect_uris=back, pages=PAGES,
                      clock=clock) as fake:
        app = OAuthApp(APP_ID, APP_SECRET, f"{fake.url}/v21.0/dialog/oauth")
        application.settings = dataclasses.replace(
            application.settings, secret_key=KEY, public_url=server.url,
            api_urls={"facebook": fake.url, "instagram": fake.url},
            oauth_apps={"meta": app})
        yield fake


def test_an_admin_connects_instagram_by_choosing_its_page(
        page: "Page", watch: Watch, fake_meta: FakeMetaAuth) -> None:
    sign_in(page, "admin", then="/akun")
    row = page.locator('tr[data-account="kab-a/instagram"]')
    row.get_by_role("button", name="Hubungkan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Hubungkan kab-a/instagram"
    shoot(page, "akun-lanjut")
    page.get_by_role("link", name="Lanjut ke Facebook").click()
    page.wait_for_url("**/akun/sambung/instagram/pilih")
    assert page.locator("h1").inner_text() == "Pilih Halaman untuk kab-a/instagram"
    assert "tanpa akun Instagram bisnis" in page.content()
    shoot(page, "akun-pilih-halaman")
    page.locator('label[data-page="101"] input').check()
    page.get_by_role("button", name="Hubungkan ke Halaman ini").click()
    page.wait_for_url(re.compile(r"/akun\?ok=sambung"))
    notice = page.get_by_role("status").inner_text()
    assert "Akun kab-a/instagram terhubung." in notice and "@kpukaba" in notice
    shoot(page, "akun-terhubung")
    html = page.content()
    for secret in (*fake_meta.page_tokens(), APP_SECRET):
        assert secret not in html
    assert watch.csp_violations == [] and watch.errors == [] and watch.dialogs == []
