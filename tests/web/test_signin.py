"""Masuk and Keluar: sessions, CSRF, fixation, lockout, expiry, security headers."""

from fastapi.testclient import TestClient

from scheduler.web.context import SESSION_COOKIE
from tests.web.conftest import PASSWORD, SessionClock, csrf_of, page_csrf, sign_in


def test_a_page_without_a_session_sends_to_sign_in(client: TestClient) -> None:
    answer = client.get("/unggahan?status=pending")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/masuk?lanjut=%2Funggahan%3Fstatus%3Dpending"


def test_sign_in_sets_a_strict_cookie_and_goes_where_asked(client: TestClient) -> None:
    page = client.get("/masuk?lanjut=/operasi")
    answer = client.post("/masuk", data={"name": "ops", "password": PASSWORD,
                                         "csrf": csrf_of(page.text), "lanjut": "/operasi"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/operasi"
    cookie = next(v for k, v in answer.headers.multi_items()
                  if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http on 127.0.0.1


def test_sign_in_never_redirects_off_site(client: TestClient) -> None:
    page = client.get("/masuk")
    answer = client.post("/masuk", data={"name": "ops", "password": PASSWORD,
                                         "csrf": csrf_of(page.text),
                                         "lanjut": "//evil.example/x"})
    assert answer.headers["location"] == "/"


def test_wrong_password_is_refused_with_one_message(client: TestClient) -> None:
    page = client.get("/masuk")
    answer = client.post("/masuk", data={"name": "ops", "password": "salah-sekali",
                                         "csrf": csrf_of(page.text)})
    assert answer.status_code == 401
    assert "pengguna tidak dikenal atau kata sandi salah" in answer.text
    assert SESSION_COOKIE not in answer.cookies


def test_sign_in_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/masuk")
    answer = client.post("/masuk", data={"name": "ops", "password": PASSWORD, "csrf": "x"})
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies


def test_a_planted_session_id_is_replaced_at_sign_in(client: TestClient) -> None:
    page = client.get("/masuk")
    client.cookies.set(SESSION_COOKIE, "tertanam-oleh-penyerang")
    answer = client.post("/masuk", data={"name": "ops", "password": PASSWORD,
                                         "csrf": csrf_of(page.text)})
    issued = answer.cookies.get(SESSION_COOKIE)
    assert issued
    assert issued != "tertanam-oleh-penyerang"
    other = TestClient(client.app, follow_redirects=False)
    other.cookies.set(SESSION_COOKIE, "tertanam-oleh-penyerang")
    assert other.get("/unggahan").status_code == 303


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    sign_in(client, "ops")
    token = client.cookies.get(SESSION_COOKIE)
    assert client.post("/keluar", data={"csrf": "salah"}).status_code == 403
    assert client.get("/unggahan").status_code == 200
    csrf = page_csrf(client, "/unggahan")
    assert client.post("/keluar", data={"csrf": csrf}).status_code == 303
    replay = TestClient(client.app, follow_redirects=False)
    replay.cookies.set(SESSION_COOKIE, token or "")
    assert replay.get("/unggahan").status_code == 303


def test_repeated_failures_lock_the_name_with_growing_delay(
        client: TestClient, session_clock: SessionClock) -> None:
    def attempt(password: str) -> int:
        page = client.get("/masuk")
        return client.post("/masuk", data={"name": "ops", "password": password,
                                           "csrf": csrf_of(page.text)}).status_code

    assert [attempt("salah-sekali") for _ in range(5)] == [401] * 5
    # Locked for 30 s: even the right password is refused, without being checked.
    assert attempt(PASSWORD) == 429
    session_clock.advance(seconds=31)
    assert attempt("salah-lagi-ya") == 401  # the lock ran out; this failure locks for 60 s
    session_clock.advance(seconds=31)
    assert attempt(PASSWORD) == 429
    session_clock.advance(seconds=30)
    assert attempt(PASSWORD) == 303
    assert attempt("salah-sekali") == 401  # success reset the count


def test_a_session_expires_when_idle(client: TestClient, session_clock: SessionClock) -> None:
    sign_in(client, "ops")
    session_clock.advance(minutes=90)
    assert client.get("/unggahan").status_code == 200  # activity keeps it alive
    session_clock.advance(minutes=119)
    assert client.get("/unggahan").status_code == 200
    session_clock.advance(minutes=121)
    assert client.get("/unggahan").status_code == 303


def test_a_session_ends_when_its_user_is_deactivated(signed_in, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    ops = signed_in("ops")
    admin = signed_in("admin")
    csrf = page_csrf(admin, "/pengguna")
    assert admin.post("/pengguna/ops/nonaktifkan", data={"csrf": csrf}).status_code == 303
    assert ops.get("/unggahan").status_code == 303


def test_every_page_sends_a_strict_content_security_policy(client: TestClient) -> None:
    answer = client.get("/masuk")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert "<script>" not in answer.text  # no inline script at all


def test_a_post_page_never_links_a_non_web_address(signed_in, application) -> None:  # type: ignore[no-untyped-def]
    """A platform address is shown as a link only when it is http(s): a `javascript:`
    address stored by a hostile adapter or import stays text."""
    from datetime import date

    from sqlmodel import select

    from scheduler.models import Post
    from scheduler.planning import PlanRequest, plan_posts
    from scheduler.users import PLANNER

    plan_posts(application.engine, application.catalog, application.settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1)),
               application.clock.now(), actor=PLANNER)
    with application.unit_of_work(write=True) as session:
        post = session.exec(select(Post)).first()
        assert post is not None
        post.platform_url = "javascript:alert(1)"
        session.add(post)
        post_id = post.id
    page = signed_in("ops").get(f"/unggahan/{post_id}")
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text
    assert "javascript:alert(1)" in page.text


def test_ended_sessions_are_removed_at_the_next_sign_in(
        client: TestClient, application, session_clock: SessionClock) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from scheduler.models import WebSession

    sign_in(client, "ops")
    session_clock.advance(hours=3)  # idle past its end
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, "rudi")
    with application.unit_of_work() as session:
        assert [s.user_name for s in session.exec(select(WebSession))] == ["rudi"]
