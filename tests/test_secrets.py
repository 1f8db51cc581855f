"""A planted token must never show up anywhere: logs, errors, database, outbox, history.

The fakes answer with errors that echo the whole request back (URL with the Graph
access_token, the Telegram bot token in the path, the bearer header), the worker logs at
DEBUG level, and every output Siar produces is searched for the token.
"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.conftest import FIRST_SLOT
from tests.fakes.facebook import FakeFacebook
from tests.fakes.telegram import FakeTelegram
from tests.fakes.x import FakeX

FB_TOKEN = "EAAB-PLANTED-GRAPH-TOKEN-0123456789"
TG_TOKEN = "987654:PLANTED-BOT-TOKEN-abcdefghij"
X_TOKEN = "PLANTED-X-BEARER-TOKEN-zyxwvutsrq"
SECRETS = (FB_TOKEN, TG_TOKEN, X_TOKEN)


def siar(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler", "--env-file",
                           str(cwd / "none.env"), *args],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_planted_token_appears_in_no_output(approved, settings, tmp_path) -> None:
    with FakeFacebook(tokens={FB_TOKEN}, page_ids={"111"}) as facebook, \
            FakeTelegram(tokens={TG_TOKEN}, chats={"@kpukaba": {"type": "channel",
                                                              "username": "kpukaba"}}) as tg, \
            FakeX(tokens={X_TOKEN}) as x:
        for fake in (facebook, tg, x):
            fake.fail_next("echo", times=10)
        env = {**os.environ, "SIAR_DATABASE_URL": settings.database_url,
               "SIAR_CONTENT_DIR": str(settings.content_dir),
               "SIAR_TEMPLATES_DIR": str(settings.templates_dir),
               "SIAR_OUTBOX_DIR": str(settings.outbox_dir),
               "SIAR_MEDIA_DIR": str(settings.media_dir),
               "SIAR_NOW": (FIRST_SLOT + timedelta(seconds=1)).isoformat(),
               "SIAR_ALLOW_NOW": "1",
               "SIAR_LOG_LEVEL": "DEBUG", "SIAR_HTTP_TIMEOUT": "5",
               "SIAR_FACEBOOK_API_URL": facebook.url, "SIAR_TELEGRAM_API_URL": tg.url,
               "SIAR_X_API_URL": x.url,
               "SIAR_KAB_A_FACEBOOK_PAGE_ID": "111", "SIAR_KAB_A_FACEBOOK_ACCESS_TOKEN": FB_TOKEN,
               "SIAR_KAB_A_TELEGRAM_BOT_TOKEN": TG_TOKEN,
               "SIAR_KAB_A_TELEGRAM_CHAT_ID": "@kpukaba", "SIAR_KAB_A_X_ACCESS_TOKEN": X_TOKEN}
        run = siar(env, tmp_path, "run", "--once")
        assert run.returncode == 0, run.stderr
        sent = " ".join(f"{r.target} {r.headers} {r.body.decode('latin-1')}"
                        for fake in (facebook, tg, x) for r in fake.requests)
        for secret in SECRETS:  # each token really went out (and the fakes echo requests)
            assert secret in sent
        outputs = [run.stdout, run.stderr]
        for args in (["history", "--format", "json"], ["history", "--format", "csv"],
                     ["history"], ["status"], ["posts", "--format", "json"],
                     *[["post", "show", str(n)] for n in range(1, 16)]):
            result = siar(env, tmp_path, *args)
            assert result.returncode == 0, (args, result.stderr)
            outputs += [result.stdout, result.stderr]
    assert "kab-a" in outputs[2]  # the history did show the failed posts
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = [p.read_bytes() for p in database.parent.glob(database.name + "*")]
    outbox = [p.read_bytes() for p in settings.outbox_dir.rglob("*") if p.is_file()]
    for secret in SECRETS:
        for text in outputs:
            assert secret not in text
        for blob in stored + outbox:
            assert secret.encode() not in blob
