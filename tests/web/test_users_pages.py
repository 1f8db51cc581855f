"""Pengguna over HTTP: an admin adds users, changes roles and regions, resets passwords and
deactivates (ending the user's sessions); others are refused; refusals say why."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.db import session_scope
from scheduler.models import User, WebSession
from scheduler.user_admin import reset_password, set_active
from scheduler.users import MACHINE_ADMIN, add_user, get_user
from scheduler.websessions import sign_in as open_session
from tests.web.conftest import PASSWORD, csrf_of, page_csrf, sign_in


def user(engine: Engine, name: str) -> User:
    with Session(engine) as session:
        return get_user(session, name)


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-user="([^"]+)"', html)


def sessions_of(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(WebSession).where(
            col(WebSession.user_name) == name)).all())


@pytest.fixture
def admin(signed_in) -> TestClient:  # type: ignore[no-untyped-def]
    client: TestClient = signed_in("admin")
    return client


def test_admin_lists_users_and_adds_one_who_can_then_sign_in(
        admin, synced, web) -> None:  # type: ignore[no-untyped-def]
    page = admin.get("/pengguna")
    assert page.status_code == 200
    assert listed(page.text) == ["budi", "rina", "admin", "ani", "ops", "rudi"]
    csrf = page_csrf(admin, "/pengguna")
    answer = admin.post("/pengguna", data={"csrf": csrf, "nama": "Sari.A", "peran": "author",
                                           "wilayah": "kab-a", "sandi": "sandi-sari-1"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/pengguna?ok=tambah&nama=sari.a"
    assert "Pengguna sari.a ditambahkan." in admin.get(answer.headers["location"]).text
    added = user(synced, "sari.a")
    assert (added.role, added.region_key, added.active) == ("author", "kab-a", True)
    with TestClient(web, follow_redirects=False) as fresh:
        sign_in(fresh, "sari.a", "sandi-sari-1")
        assert fresh.get("/unggahan").status_code == 200


def test_admin_changes_a_role_and_a_region(admin, synced) -> None:  # type: ignore[no-untyped-def]
    csrf = page_csrf(admin, "/pengguna")
    assert admin.post("/pengguna/budi/peran",
                      data={"csrf": csrf, "peran": "reviewer"}).status_code == 303
    assert admin.post("/pengguna/budi/wilayah",
                      data={"csrf": csrf, "wilayah": "kota-b"}).status_code == 303
    budi = user(synced, "budi")
    assert (budi.role, budi.region_key) == ("reviewer", "kota-b")
    row = admin.get("/pengguna").text
    assert re.search(r'data-user="budi".*?data-role="reviewer">peninjau</td>\s*'
                     r'<td data-region="kota-b">', row, re.S)


def test_resetting_a_password_ends_the_users_sessions(
        admin, signed_in, web) -> None:  # type: ignore[no-untyped-def]
    rina = signed_in("rina")
    csrf = page_csrf(admin, "/pengguna")
    answer = admin.post("/pengguna/rina/sandi", data={"csrf": csrf, "sandi": "sandi-baru-99"})
    assert answer.status_code == 303
    assert rina.get("/unggahan").status_code == 303  # signed out
    with TestClient(web, follow_redirects=False) as fresh:
        page = fresh.get("/masuk")
        old = fresh.post("/masuk", data={"name": "rina", "password": PASSWORD,
                                         "csrf": csrf_of(page.text)})
        assert old.status_code == 401
        sign_in(fresh, "rina", "sandi-baru-99")


def test_deactivating_ends_the_users_sessions_and_reactivating_lets_them_back(
        admin, signed_in, synced, web) -> None:  # type: ignore[no-untyped-def]
    ops = signed_in("ops")
    assert sessions_of(synced, "ops") == 1
    csrf = page_csrf(admin, "/pengguna")
    answer = admin.post("/pengguna/ops/nonaktifkan", data={"csrf": csrf})
    assert answer.status_code == 303
    assert sessions_of(synced, "ops") == 0  # gone, not merely refused
    assert ops.get("/operasi").status_code == 303
    assert user(synced, "ops").active is False
    assert 'class="inactive"' in admin.get("/pengguna").text
    assert admin.post("/pengguna/ops/aktifkan", data={"csrf": csrf}).status_code == 303
    with TestClient(web, follow_redirects=False) as fresh:
        sign_in(fresh, "ops")


def test_refusals_are_shown_on_the_page_and_change_nothing(admin, synced) -> None:  # type: ignore[no-untyped-def]
    csrf = page_csrf(admin, "/pengguna")
    bad_name = admin.post("/pengguna", data={"csrf": csrf, "nama": "9 orang", "peran": "author",
                                             "wilayah": "kab-a", "sandi": "sandi-panjang"})
    assert bad_name.status_code == 400
    assert "nama pengguna tidak valid: &#39;9 orang&#39;" in bad_name.text
    assert 'value="9 orang"' in bad_name.text  # the form keeps what was typed ...
    assert "sandi-panjang" not in bad_name.text  # ... except the password
    short = admin.post("/pengguna", data={"csrf": csrf, "nama": "sari", "peran": "author",
                                          "wilayah": "kab-a", "sandi": "pendek"})
    assert short.status_code == 400
    assert "kata sandi terlalu pendek (minimal 8 karakter)" in short.text
    unknown_role = admin.post("/pengguna/budi/peran", data={"csrf": csrf, "peran": "raja"})
    assert unknown_role.status_code == 400 and "peran tidak dikenal" in unknown_role.text
    self_lockout = admin.post("/pengguna/admin/nonaktifkan", data={"csrf": csrf})
    assert self_lockout.status_code == 409
    assert "admin tidak dapat menonaktifkan akunnya sendiri" in self_lockout.text
    assert admin.post("/pengguna/admin/peran",
                      data={"csrf": csrf, "peran": "author"}).status_code == 409
    assert admin.post("/pengguna/siapa/nonaktifkan", data={"csrf": csrf}).status_code == 404
    with Session(synced) as session:
        names = [u.name for u in session.exec(select(User))]
        assert "sari" not in names and "9 orang" not in names
    assert user(synced, "admin").active and user(synced, "admin").role == "admin"
    assert user(synced, "budi").role == "author"


def test_only_admins_manage_users(signed_in, synced) -> None:  # type: ignore[no-untyped-def]
    for name in ("ops", "rudi", "ani"):
        client = signed_in(name)
        page = client.get("/pengguna")
        assert page.status_code == 403
        assert 'href="/pengguna"' not in client.get("/unggahan").text  # not in the menu
        csrf = page_csrf(client, "/unggahan")
        assert client.post("/pengguna/budi/nonaktifkan", data={"csrf": csrf}).status_code == 403
        assert client.post("/pengguna", data={
            "csrf": csrf, "nama": "penyusup", "peran": "admin", "wilayah": "prov",
            "sandi": "sandi-penyusup"}).status_code == 403
    assert user(synced, "budi").active
    with Session(synced) as session:
        assert session.exec(select(User).where(col(User.name) == "penyusup")).first() is None


def test_a_regency_admin_manages_its_region_only(signed_in, synced, clock) -> None:  # type: ignore[no-untyped-def]
    with session_scope(synced, write=True) as session:
        add_user(session, name="admin.a", role="admin", region="kab-a", password=PASSWORD,
                 now=clock.now())
    admin_a = signed_in("admin.a")
    page = admin_a.get("/pengguna")
    assert listed(page.text) == ["admin.a", "budi", "rina"]
    assert '<option value="prov"' not in page.text  # no region outside its scope to pick
    csrf = page_csrf(admin_a, "/pengguna")
    assert admin_a.post("/pengguna/ops/nonaktifkan", data={"csrf": csrf}).status_code == 403
    assert admin_a.post("/pengguna/budi/wilayah",
                        data={"csrf": csrf, "wilayah": "kota-b"}).status_code == 403
    assert user(synced, "ops").active and user(synced, "budi").region_key == "kab-a"


def test_every_users_form_needs_the_csrf_token(admin, synced) -> None:  # type: ignore[no-untyped-def]
    for path, data in [
        ("/pengguna", {"nama": "sari", "peran": "author", "wilayah": "kab-a",
                       "sandi": "sandi-sari-1"}),
        ("/pengguna/budi/nonaktifkan", {}),
        ("/pengguna/budi/aktifkan", {}),
        ("/pengguna/budi/peran", {"peran": "reviewer"}),
        ("/pengguna/budi/wilayah", {"wilayah": "kota-b"}),
        ("/pengguna/budi/sandi", {"sandi": "sandi-baru-99"}),
    ]:
        assert admin.post(path, data=data).status_code == 403, path
        assert admin.post(path, data={**data, "csrf": "palsu"}).status_code == 403, path
    budi = user(synced, "budi")
    assert (budi.role, budi.region_key, budi.active) == ("author", "kab-a", True)
    assert "sari" not in listed(admin.get("/pengguna").text)


def test_user_values_show_as_text(admin) -> None:  # type: ignore[no-untyped-def]
    csrf = page_csrf(admin, "/pengguna")
    answer = admin.post("/pengguna", data={"csrf": csrf, "nama": "<script>x</script>",
                                           "peran": "author", "wilayah": "kab-a",
                                           "sandi": "sandi-panjang"})
    assert answer.status_code == 400
    assert "<script>x" not in answer.text
    assert "&lt;script&gt;x&lt;/script&gt;" in answer.text
    missing = admin.post("/pengguna/%3Cb%3Eada%3C%2Fb%3E/nonaktifkan", data={"csrf": csrf})
    assert missing.status_code == 404 and "<b>ada" not in missing.text


def test_the_services_end_sessions_for_the_command_line_too(synced, clock) -> None:  # type: ignore[no-untyped-def]
    with session_scope(synced, write=True) as session:
        add_user(session, name="rina", role="author", region="kab-a", password=PASSWORD,
                 now=clock.now())
        open_session(session, name="rina", password=PASSWORD, now=clock.now())
        open_session(session, name="rina", password=PASSWORD, now=clock.now())
    assert sessions_of(synced, "rina") == 2
    with session_scope(synced, write=True) as session:
        reset_password(session, actor=MACHINE_ADMIN, name="rina", password="sandi-baru-1",
                       now=clock.now())
    assert sessions_of(synced, "rina") == 0
    with session_scope(synced, write=True) as session:
        open_session(session, name="rina", password="sandi-baru-1", now=clock.now())
        set_active(session, actor=MACHINE_ADMIN, name="rina", active=False, now=clock.now())
    assert sessions_of(synced, "rina") == 0
