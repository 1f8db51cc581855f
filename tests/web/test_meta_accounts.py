"""Facebook Pages and Instagram business accounts connected through Facebook Login over
HTTP: the admin consents on the (fake) login dialog, Siar exchanges the code for a
long-lived user token, lists the Pages that user manages, the admin chooses one, and
Siar stores the Page token sealed, with the end debug_token reports. Refusals (a used
code, no Page, a Page without Instagram) connect nothing and say why in Indonesian; no
token ever reaches a page or a log line."""

import dataclasses
from collections.abc import Iterator
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fastapi.testclient import TestClient

from scheduler.config import OAuthApp, Settings
from scheduler.publishing.factory import AdapterFactory
from scheduler.publishing.stored import StoredCredentials
from scheduler.secretbox import SecretBox
from scheduler.token_refresh import TokenRefresher
from tests.fakes.meta_auth import FakeMetaAuth, FakePage
from tests.web.conftest import page_csrf
from tests.web.test_account_pages import (
    KEY,
    PUBLIC,
    capture_logs,
    start_connecting,
    stored,
)

APP_ID, APP_SECRET = "1234567890", "PLANTED-META-APP-SECRET-9z8y"
PAGES = [FakePage("101", "KPU Kabupaten A", "17841400000000001", "kpukaba"),
         FakePage("202", "Relawan Demokrasi Kab A")]  # no Instagram business account


@pytest.fixture
def fake_meta(clock) -> Iterator[FakeMetaAuth]:  # type: ignore[no-untyped-def]
    back = {f"{PUBLIC}/akun/sambung/{p}/kembali" for p in ("facebook", "instagram")}
    with FakeMetaAuth(app_id=APP_ID, app_secret=APP_SECRET, redirect_uris=back,
                      pages=PAGES, clock=clock) as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake_meta: FakeMetaAuth) -> Settings:
    app = OAuthApp(APP_ID, APP_SECRET, f"{fake_meta.url}/v21.0/dialog/oauth")
    return dataclasses.replace(
        settings, secret_key=KEY, public_url=PUBLIC,
        api_urls={"facebook": fake_meta.url, "instagram": fake_meta.url},
        oauth_apps={"meta": app})


@pytest.fixture
def admin(signed_in) -> TestClient:  # type: ignore[no-untyped-def]
    client: TestClient = signed_in("admin")
    return client


def login_dialog(client: TestClient, account: str) -> str:
    """Press "Hubungkan", follow the link to the fake login dialog (real HTTP), which
    sends the browser back: returns that address as a path with its query."""
    dialog = requests.get(start_connecting(client, account), allow_redirects=False, timeout=5)
    assert dialog.status_code == 302, dialog.text
    back = urlsplit(dialog.headers["location"])
    return f"{back.path}?{back.query}"


def planted(fake: FakeMetaAuth) -> list[str]:
    return [*fake.page_tokens(), *fake._issued, APP_SECRET, "PLANTEDmeta"]


def assert_clean(fake: FakeMetaAuth, *texts: str) -> None:
    for text in texts:
        for secret in planted(fake):
            assert secret not in text, secret


def test_a_facebook_page_is_chosen_and_its_token_stored_sealed(
        admin, synced, fake_meta, caplog, clock) -> None:  # type: ignore[no-untyped-def]
    capture_logs(caplog)
    listing = admin.get("/akun")
    assert 'action="/akun/sambung/facebook"' in listing.text
    address = start_connecting(admin, "kab-a/facebook")
    query = parse_qs(urlsplit(address).query)
    assert query["redirect_uri"] == [f"{PUBLIC}/akun/sambung/facebook/kembali"]
    assert "pages_manage_posts" in query["scope"][0].split(",")
    back = admin.get(login_dialog(admin, "kab-a/facebook"))
    assert back.status_code == 303 and back.headers["location"] == \
        "/akun/sambung/facebook/pilih"
    assert stored(synced) == []  # nothing stored before the choice
    choosing = admin.get(back.headers["location"])
    assert choosing.status_code == 200, choosing.text
    assert "KPU Kabupaten A" in choosing.text and "Relawan Demokrasi Kab A" in choosing.text
    assert 'value="101"' in choosing.text
    done = admin.post("/akun/sambung/facebook/pilih",
                      data={"csrf": page_csrf(admin, "/akun"), "halaman": "101"})
    assert done.status_code == 303, done.text
    shown = admin.get(done.headers["location"]).text
    assert "Akun kab-a/facebook terhubung." in shown and "Menjangkau: KPU Kabupaten A." in shown
    assert "token berakhir" not in shown  # a Page token from a long-lived user token
    (row,) = stored(synced)
    assert row.fields == ["access_token", "fb_user_id", "page_id", "user_token"]
    assert row.expires_at is None
    opened = SecretBox(KEY).open(row.sealed)
    assert opened["page_id"] == "101" and opened["access_token"] in fake_meta.page_tokens()
    assert opened["access_token"] not in row.sealed
    # Two Graph exchanges (code, then fb_exchange_token) and a debug_token check.
    exchanges = fake_meta.calls("/oauth/access_token")
    assert [c.query.get("grant_type") for c in exchanges] == [None, "fb_exchange_token"]
    assert fake_meta.calls("/debug_token")
    # Disconnecting withdraws the app's permissions (the only account of that login).
    cut = admin.post("/akun/kab-a/facebook/putuskan", data={"csrf": page_csrf(admin, "/akun")})
    assert cut.status_code == 303, cut.text
    assert fake_meta.revoked_users == [fake_meta.user_id] and stored(synced) == []
    assert_clean(fake_meta, listing.text, address, choosing.text, shown, caplog.text,
                 admin.get("/akun").text)


def test_an_instagram_account_takes_the_pages_instagram_account(
        admin, synced, fake_meta) -> None:  # type: ignore[no-untyped-def]
    admin.get(login_dialog(admin, "kab-a/instagram"))
    choosing = admin.get("/akun/sambung/instagram/pilih").text
    assert "@kpukaba" in choosing and "tanpa akun Instagram bisnis" in choosing
    refused = admin.post("/akun/sambung/instagram/pilih",
                         data={"csrf": page_csrf(admin, "/akun"), "halaman": "202"})
    assert refused.status_code == 400
    assert ("Halaman Facebook “Relawan Demokrasi Kab A” tidak terhubung ke akun Instagram "
            "bisnis") in refused.text
    assert stored(synced) == []
    admin.get(login_dialog(admin, "kab-a/instagram"))  # the refusal ended that note
    done = admin.post("/akun/sambung/instagram/pilih",
                      data={"csrf": page_csrf(admin, "/akun"), "halaman": "101"})
    assert done.status_code == 303, done.text
    assert "Menjangkau: @kpukaba (KPU Kabupaten A)." in admin.get(done.headers["location"]).text
    (row,) = stored(synced)
    opened = SecretBox(KEY).open(row.sealed)
    assert opened["ig_user_id"] == "17841400000000001" and opened["page_id"] == "101"
    assert opened["access_token"] in fake_meta.page_tokens()
    assert_clean(fake_meta, choosing, refused.text)


def test_a_used_code_connects_nothing(
        admin, synced, fake_meta) -> None:  # type: ignore[no-untyped-def]
    back = login_dialog(admin, "kab-a/facebook")
    code = parse_qs(urlsplit(back).query)["code"][0]
    fake_meta._codes.pop(code)  # as if the code had been used already
    refused = admin.get(back)
    assert refused.status_code == 400
    assert "akun kab-a/facebook tidak dihubungkan" in refused.text
    assert "This authorization code has been used." in refused.text
    assert stored(synced) == [] and code not in refused.text
    fake_meta.declines = True  # the user presses "Not now" on the dialog
    answer = admin.get(login_dialog(admin, "kab-a/facebook"))
    assert answer.status_code == 400 and "tidak diberikan (access_denied)" in answer.text
    assert stored(synced) == []


def test_a_user_who_manages_no_page_is_told_so(
        admin, synced, fake_meta) -> None:  # type: ignore[no-untyped-def]
    fake_meta.pages = []
    back = admin.get(login_dialog(admin, "kab-a/facebook"))
    refused = admin.get(back.headers["location"])
    assert refused.status_code == 400
    assert "tidak mengelola Halaman apa pun" in refused.text
    assert stored(synced) == []


def test_a_page_token_with_an_end_is_recorded_warned_of_and_never_renewed(
        admin, signed_in, synced, fake_meta, settings, clock) -> None:  # type: ignore[no-untyped-def]
    """Should debug_token report an end, it is kept and warned about seven days ahead;
    Siar does not try to renew it (Meta has none, platform-apis.md §1). A Page id the
    user does not manage (a changed form) connects nothing."""
    ends = (clock.now() + timedelta(days=5)).replace(microsecond=0)
    fake_meta.page_token_expires_at = int(ends.timestamp())
    admin.get(login_dialog(admin, "kab-a/facebook"))
    forged = admin.post("/akun/sambung/facebook/pilih",
                        data={"csrf": page_csrf(admin, "/akun"), "halaman": "999"})
    assert forged.status_code == 400 and "tidak ada di antara Halaman" in forged.text
    admin.get(login_dialog(admin, "kab-a/facebook"))
    done = admin.post("/akun/sambung/facebook/pilih",
                      data={"csrf": page_csrf(admin, "/akun"), "halaman": "101"})
    assert done.status_code == 303
    (row,) = stored(synced)
    assert row.expires_at is not None and row.expires_at.replace(tzinfo=UTC) == ends
    assert "token berakhir" in admin.get("/akun").text
    operasi = signed_in("ops").get("/operasi").text
    assert 'data-token="kab-a/facebook"' in operasi
    assert "tidak diperbarui otomatis; hubungkan ulang akun sebelum itu" in operasi
    factory = AdapterFactory(settings, clock, stored=StoredCredentials(synced, settings))
    try:
        assert TokenRefresher(synced, factory, clock).due() == []
    finally:
        factory.close()


def test_the_choice_belongs_to_the_session_that_consented(
        admin, signed_in, synced, fake_meta) -> None:  # type: ignore[no-untyped-def]
    admin.get(login_dialog(admin, "kab-a/facebook"))
    other = signed_in("admin")
    other.cookies.set("siar_sambung", admin.cookies.get("siar_sambung") or "",
                      domain="testserver.local", path="/akun/sambung")
    stolen = other.post("/akun/sambung/facebook/pilih",
                        data={"csrf": page_csrf(other, "/akun"), "halaman": "101"})
    assert stolen.status_code == 400 and stored(synced) == []


def test_revoking_spares_a_login_another_account_still_uses(
        admin, synced, fake_meta) -> None:  # type: ignore[no-untyped-def]
    for platform in ("facebook", "instagram"):
        admin.get(login_dialog(admin, f"kab-a/{platform}"))
        done = admin.post(f"/akun/sambung/{platform}/pilih",
                          data={"csrf": page_csrf(admin, "/akun"), "halaman": "101"})
        assert done.status_code == 303, done.text
    cut = admin.post("/akun/kab-a/facebook/putuskan", data={"csrf": page_csrf(admin, "/akun")})
    assert cut.status_code == 200
    assert "kab-a/instagram tersambung lewat login yang sama" in cut.text
    assert fake_meta.revoked_users == [] and len(stored(synced)) == 1
    cut = admin.post("/akun/kab-a/instagram/putuskan", data={"csrf": page_csrf(admin, "/akun")})
    assert cut.status_code == 303 and fake_meta.revoked_users == [fake_meta.user_id]
