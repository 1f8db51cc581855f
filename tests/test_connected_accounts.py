"""Connected accounts: credentials given with `siar account connect`, checked with the
platform (a fake Telegram over real HTTP), sealed with SIAR_SECRET_KEY in the database,
used by the worker, overridden by the environment, rotated to a new key."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from scheduler.account_tokens import connect, replace_after_refresh, stored_credentials
from scheduler.db import session_scope
from scheduler.errors import ConfigError, PermissionDenied
from scheduler.models import Account, AccountToken, Post
from scheduler.secretbox import SealedTokenUnreadable, SecretBox, new_secret
from scheduler.users import add_user
from tests.conftest import FIRST_SLOT, actor
from tests.fakes.telegram import FakeTelegram

KEY = "k" * 40
NEW_KEY = "n" * 40
BOT = "987654:PLANTED-CONNECTED-BOT-TOKEN-xyz"
PASSWORD = "sandi-admin-2024"


def test_a_sealed_text_opens_only_with_its_key() -> None:
    box = SecretBox(KEY)
    sealed = box.seal({"bot_token": BOT, "chat_id": "@kpukaba"})
    assert BOT not in sealed and "kpukaba" not in sealed
    assert box.open(sealed) == {"bot_token": BOT, "chat_id": "@kpukaba"}
    with pytest.raises(SealedTokenUnreadable, match="SIAR_SECRET_KEYS_OLD"):
        SecretBox(NEW_KEY).open(sealed)
    rotated = SecretBox(NEW_KEY, [KEY]).reseal(sealed)
    assert SecretBox(NEW_KEY).open(rotated)["bot_token"] == BOT
    with pytest.raises(ConfigError, match="terlalu pendek"):
        SecretBox("pendek")
    with pytest.raises(ConfigError, match="SIAR_SECRET_KEY belum disetel"):
        SecretBox("")
    assert len(new_secret()) >= 40 and new_secret() != new_secret()


@pytest.fixture
def admin(synced):  # type: ignore[no-untyped-def]
    with session_scope(synced, write=True) as session:
        add_user(session, name="admin.a", role="admin", region="kab-a", password=PASSWORD,
                 now=FIRST_SLOT)
        add_user(session, name="ops.a", role="operator", region="kab-a", password=PASSWORD,
                 now=FIRST_SLOT)
    return "admin.a"


def _connect(siar, fake: FakeTelegram, *extra: str, who: str = "admin.a",  # type: ignore[no-untyped-def]
             values: str = f"bot_token={BOT}\nchat_id=@kpukaba\n", key: str = KEY):
    return siar("account", "connect", "kab-a/telegram", "--as", who, "--password-stdin",
                "--values-stdin", *extra, input=f"{PASSWORD}\n{values}",
                env={"SIAR_SECRET_KEY": key, "SIAR_TELEGRAM_API_URL": fake.url,
                     "SIAR_OUTBOX_FALLBACK": "0"})


def test_connect_checks_with_the_platform_then_stores_sealed(synced, admin, siar) -> None:
    chats = {"@kpukaba": {"id": -1001, "type": "channel", "title": "KPU Kab A",
                          "username": "kpukaba"}}
    with FakeTelegram(tokens={BOT}, chats=chats) as fake:
        result = _connect(siar, fake, "--expires", "2024-03-01T09:00")
    assert result.exit_code == 0, result.output
    assert "terhubung ke KPU Kab A (@kpukaba)" in result.output
    assert "bot_token, chat_id" in result.output and BOT not in result.output
    asked = [r.path.rsplit("/", 1)[-1] for r in fake.requests]
    assert asked == ["getChat", "getChatMember"]  # asked, never posted
    with Session(synced) as session:
        row = session.exec(select(AccountToken)).one()
        assert BOT not in row.sealed and row.fields == ["bot_token", "chat_id"]
        assert row.connected_by == "admin.a" and row.expires_at is not None
        opened = stored_credentials(session, account_id=row.account_id, box=SecretBox(KEY))
        assert opened["bot_token"] == BOT


def test_a_bot_that_may_not_post_is_not_connected(synced, admin, siar) -> None:
    members = {"@kpukaba": {"status": "member"}}
    with FakeTelegram(tokens={BOT}, accept_any_account=True, members=members) as fake:
        result = _connect(siar, fake)
    assert result.exit_code == 2, result.output
    assert "tidak dihubungkan" in result.output
    assert "belum menjadi admin" in result.output
    with Session(synced) as session:
        assert session.exec(select(AccountToken)).first() is None


@pytest.mark.parametrize(("who", "values", "key", "message"), [
    ("ops.a", f"bot_token={BOT}\nchat_id=@x\n", KEY, "tidak berwenang menghubungkan akun"),
    ("admin.a", f"bot_token={BOT}\nchat_id=@x\n", "", "SIAR_SECRET_KEY belum disetel"),
    ("admin.a", f"bot_token={BOT}\nchanel=@x\n", KEY, "kolom kredensial tidak dikenal: chanel"),
    ("admin.a", f"{BOT}\n", KEY, "baris 1: bentuknya kolom=nilai"),
    ("admin.a", "bot_token=tanpa-angka\nchat_id=@x\n", KEY, "tidak berbentuk <angka>:<kode>"),
])
def test_connect_refusals_store_nothing(synced, admin, siar, who, values, key,  # type: ignore[no-untyped-def]
                                        message) -> None:
    with FakeTelegram(tokens={BOT}, accept_any_account=True) as fake:
        result = _connect(siar, fake, who=who, values=values, key=key)
    assert result.exit_code != 0 and message in result.output, result.output
    assert BOT not in result.output
    with Session(synced) as session:
        assert session.exec(select(AccountToken)).first() is None


def test_the_worker_publishes_with_stored_credentials_and_the_environment_wins(
        approved, admin, siar, settings) -> None:
    chats = {"@kpukaba": {"id": -1001, "type": "channel", "username": "kpukaba"},
             "@env": {"id": -1002, "type": "channel", "username": "env"}}
    env_bot = "111222:PLANTED-ENV-BOT-TOKEN-abc"
    with FakeTelegram(tokens={BOT, env_bot}, chats=chats) as fake:
        assert _connect(siar, fake).exit_code == 0
        env = {"SIAR_SECRET_KEY": KEY, "SIAR_TELEGRAM_API_URL": fake.url,
               "SIAR_OUTBOX_FALLBACK": "0", "SIAR_ALLOW_NOW": "1",
               "SIAR_NOW": (FIRST_SLOT + timedelta(seconds=1)).isoformat()}
        listing = siar("account", "list", "--region", "kab-a", env=env)
        assert "kab-a/telegram" in listing.output and BOT not in listing.output
        run = siar("run", "--once", env={**env, "SIAR_KAB_A_TELEGRAM_CHAT_ID": "@env",
                                         "SIAR_LOG_LEVEL": "DEBUG"})
        assert run.exit_code == 0, run.output
        outputs = [listing.output, run.output] + [
            siar(*args, env=env).output for args in (
                ("history", "--format", "csv"), ("status",), ("post", "show", "1"))]
        sent = [r for r in fake.requests if r.path.endswith("/sendMessage")
                or r.path.endswith("/sendPhoto")]
    assert len(sent) == 1  # kab-a/telegram only; the other Telegram accounts are held
    assert sent[0].path.startswith(f"/bot{BOT}/")  # the stored token...
    assert sent[0].param("chat_id") == "@env"  # ...and the environment's chat, which wins
    with Session(approved) as session:
        telegram = session.exec(select(Post).join(Account).where(
            Account.region_key == "kab-a", Account.platform == "telegram")).one()
        assert telegram.status == "published"
    database = settings.database_url.removeprefix("sqlite:///")
    stored = b"".join(p.read_bytes() for p in Path(database).parent.glob("*.db*"))
    outbox = b"".join(p.read_bytes() for p in settings.outbox_dir.rglob("*") if p.is_file())
    assert BOT.encode() not in stored + outbox  # sealed in the database, nowhere in clear
    assert not any(BOT in text for text in outputs)


def test_rotation_keeps_every_account_readable(approved, admin, siar) -> None:
    with FakeTelegram(tokens={BOT}, accept_any_account=True) as fake:
        assert _connect(siar, fake).exit_code == 0
    rotated = siar("secrets", "rotate", "--as", "admin.a", "--password-stdin",
                   input=f"{PASSWORD}\n",
                   env={"SIAR_SECRET_KEY": NEW_KEY, "SIAR_SECRET_KEYS_OLD": KEY})
    assert rotated.exit_code == 0, rotated.output
    assert "1 kredensial tersimpan disegel ulang" in rotated.output
    with Session(approved) as session:
        row = session.exec(select(AccountToken)).one()
        assert SecretBox(NEW_KEY).open(row.sealed)["bot_token"] == BOT
        with pytest.raises(SealedTokenUnreadable):
            SecretBox(KEY).open(row.sealed)
    unreadable = siar("secrets", "rotate", "--as", "admin.a", "--password-stdin",
                      input=f"{PASSWORD}\n", env={"SIAR_SECRET_KEY": "z" * 40})
    assert unreadable.exit_code != 0 and "rotasi dibatalkan" in unreadable.output


def test_a_wrong_key_holds_the_account_and_says_why(approved, admin, siar) -> None:
    with FakeTelegram(tokens={BOT}, accept_any_account=True) as fake:
        assert _connect(siar, fake).exit_code == 0
        listing = siar("account", "list", "--region", "kab-a",
                       env={"SIAR_SECRET_KEY": NEW_KEY, "SIAR_OUTBOX_FALLBACK": "0",
                            "COLUMNS": "250"})
    assert listing.exit_code == 0, listing.output
    line = next(x for x in listing.output.splitlines() if "kab-a/telegram" in x)
    assert "tidak dapat dibuka" in line


def test_of_two_refreshes_of_one_token_only_one_is_stored(approved) -> None:
    box = SecretBox(KEY)
    admin_actor = actor("admin.prov", "admin")
    with session_scope(approved, write=True) as session:
        info = connect(session, actor=admin_actor, account_key="kab-a/x",
                       values={"access_token": "old", "refresh_token": "r1"}, box=box,
                       now=FIRST_SLOT)
    with Session(approved) as session:  # both workers read version 1 ...
        account_id = session.exec(select(AccountToken.account_id)).one()
        read = session.get(AccountToken, account_id).version  # type: ignore[union-attr]
    assert read == info.version
    outcomes = []
    for access, refresh in (("a2", "r2"), ("b2", "r2b")):  # ... and both refresh
        with session_scope(approved, write=True) as session:
            outcomes.append(replace_after_refresh(
                session, account_id=account_id, read_version=read,
                values={"access_token": access, "refresh_token": refresh}, box=box,
                now=FIRST_SLOT, expires_at=None, refresh_expires_at=None))
    won, lost = outcomes
    assert (won, lost) == (True, False)
    with Session(approved) as session:
        assert stored_credentials(session, account_id=account_id, box=box) == {"access_token": "a2",
                                                                 "refresh_token": "r2"}


def test_only_admins_in_scope_connect(approved) -> None:
    box = SecretBox(KEY)
    with session_scope(approved, write=True) as session:
        with pytest.raises(PermissionDenied):
            connect(session, actor=actor("rev", "reviewer", "kab-a"), account_key="kab-a/x",
                    values={"access_token": "t"}, box=box, now=FIRST_SLOT)
        with pytest.raises(PermissionDenied):
            connect(session, actor=actor("adm", "admin", "kota-b"), account_key="kab-a/x",
                    values={"access_token": "t"}, box=box, now=FIRST_SLOT)


def test_a_pasted_field_the_environment_fills_is_refused(approved, settings) -> None:
    """The environment wins when publishing, so a pasted value it overrides would be
    checked with the platform and then never used: refused, nothing stored."""
    from dataclasses import replace

    from scheduler.clock import FixedClock
    from scheduler.connecting import connect_pasted
    from scheduler.errors import InputError
    from scheduler.publishing.factory import AdapterFactory

    with_env = replace(settings, environ={**settings.environ,
                                          "SIAR_KAB_A_TELEGRAM_BOT_TOKEN": BOT})
    factory = AdapterFactory(with_env, FixedClock(FIRST_SLOT))
    try:
        with pytest.raises(InputError, match="bot_token sudah diisi variabel lingkungan"):
            connect_pasted(approved, actor=actor("admin.prov", "admin"),
                           account_key="kab-a/telegram",
                           values={"bot_token": "111:lain", "chat_id": "@kpukaba"},
                           factory=factory, box=SecretBox(KEY), now=FIRST_SLOT)
    finally:
        factory.close()
    with Session(approved) as session:
        assert session.exec(select(AccountToken)).first() is None
