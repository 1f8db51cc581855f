"""The planted-token test for connected accounts (issue 13): tokens stored through the
X consent flow, renewed by `siar run`, refused by an authorisation server that echoes the
whole request back, never appear in a log line, the database (sealed), the status, the
pause reason or an export."""

import base64
import os
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from scheduler.models import AccountToken
from scheduler.secretbox import SecretBox
from tests.conftest import FIRST_SLOT
from tests.test_secrets import siar
from tests.test_token_refresh import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    KEY,
    PUBLIC,
    account,
    connect_x,
    fake,  # noqa: F401 (a fixture)
    x_settings,  # noqa: F401 (a fixture)
)


def test_stored_and_renewed_tokens_appear_in_no_output(
        approved, settings, x_settings, clock, fake, tmp_path) -> None:  # noqa: F811
    clock.set(FIRST_SLOT - timedelta(minutes=100))  # due for renewal at FIRST_SLOT
    connect_x(approved, x_settings, clock)
    with Session(approved) as session:
        opened = SecretBox(KEY).open(session.exec(select(AccountToken)).one().sealed)
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    secrets = (opened["access_token"], opened["refresh_token"], CLIENT_SECRET, basic)
    clock.set(FIRST_SLOT + timedelta(seconds=1))
    fake.fail_next("echo", path="/2/oauth2/token", times=10)
    env = {**os.environ, "SIAR_DATABASE_URL": settings.database_url,
           "SIAR_CONTENT_DIR": str(settings.content_dir),
           "SIAR_TEMPLATES_DIR": str(settings.templates_dir),
           "SIAR_OUTBOX_DIR": str(settings.outbox_dir),
           "SIAR_MEDIA_DIR": str(settings.media_dir),
           "SIAR_NOW": (FIRST_SLOT + timedelta(seconds=1)).isoformat(), "SIAR_ALLOW_NOW": "1",
           "SIAR_LOG_LEVEL": "DEBUG", "SIAR_HTTP_TIMEOUT": "5", "SIAR_SECRET_KEY": KEY,
           "SIAR_PUBLIC_URL": PUBLIC, "SIAR_X_API_URL": fake.url,
           "SIAR_X_CLIENT_ID": CLIENT_ID, "SIAR_X_CLIENT_SECRET": CLIENT_SECRET,
           "SIAR_X_AUTH_URL": f"{fake.url}/i/oauth2/authorize"}
    run = siar(env, tmp_path, "run", "--once")
    assert run.returncode == 0, run.stderr
    token_calls = fake.calls("/2/oauth2/token")
    assert opened["refresh_token"] in token_calls[-1].body.decode()  # it really went out
    paused = account(approved)
    assert paused.paused_at is not None and "hubungkan ulang" in (paused.paused_reason or "")
    assert "***" in (paused.paused_reason or "")  # the echoed request, redacted
    outputs = [run.stdout, run.stderr, paused.paused_reason or ""]
    for args in (["history", "--format", "csv"], ["history", "--format", "json"],
                 ["status"], ["account", "list"], ["posts", "--format", "json"]):
        result = siar(env, tmp_path, *args)
        assert result.returncode == 0, (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    assert "kab-a/x" in outputs[-6]  # the status names the paused account
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = [p.read_bytes() for p in database.parent.glob(database.name + "*")]
    outbox = [p.read_bytes() for p in settings.outbox_dir.rglob("*") if p.is_file()]
    for secret in secrets:
        for text in outputs:
            assert secret not in text
        for blob in stored + outbox:
            assert secret.encode() not in blob
    assert CALLBACK  # the consent flow's address, registered with the fake
