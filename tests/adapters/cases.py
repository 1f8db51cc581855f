"""One contract case per registered adapter: its fake platform, credentials, a post it
can publish, and how its platform signals a wait. test_contract runs them all."""

import base64
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from scheduler.adapters.base import (
    Adapter,
    AdapterContext,
    AmbiguousPublishError,
    PostPayload,
    PublishError,
    TransientPublishError,
)
from scheduler.adapters.facebook import FacebookAdapter
from scheduler.adapters.instagram import InstagramAdapter
from scheduler.adapters.outbox import OutboxAdapter
from scheduler.adapters.telegram import TelegramAdapter
from scheduler.adapters.threads import ThreadsAdapter
from scheduler.adapters.tiktok import TikTokAdapter
from scheduler.adapters.webhook import WebhookAdapter
from scheduler.adapters.x import XAdapter
from scheduler.clock import FixedClock
from tests.fakes.base import FakePlatform
from tests.fakes.facebook import FakeFacebook
from tests.fakes.instagram import FakeInstagram
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.tiktok import Creator, FakeTikTok
from tests.fakes.webhook import FakeWebhookReceiver
from tests.fakes.x import FakeX

NOW = datetime(2024, 2, 10, 2, 0, tzinfo=UTC)  # Sabtu 10 Februari 2024, 09.00 WIB
PLANTED = "EAAB-PLANTED-SECRET-123"
PLANTED_EXPIRED = "EAAB-PLANTED-EXPIRED-456"
BOT_TOKEN = "123456789:AAH-PLANTED-SECRET-123"
BOT_TOKEN_REVOKED = "123456789:AAH-PLANTED-REVOKED-456"
WHSEC = "whsec_" + base64.b64encode(b"PLANTED-SECRET-123-signing-key!!").decode()
WHSEC_OLD = "whsec_" + base64.b64encode(b"PLANTED-REVOKED-456-old-key-zzz!").decode()
FB_PAGE, IG_USER, THREADS_USER = "1029384756", "17841400000000001", "27841400000000002"
IMAGE_URL = "https://kpu-blitarkota.go.id/media/ajakan-memilih.jpg"
CHANNEL = {"id": -1001234567890, "title": "KPU Kota Blitar", "username": "kpu_blitar",
           "type": "channel"}
PRIVATE_CHANNEL = {"id": -1009876543210, "title": "KPU Internal", "type": "channel"}

TIKTOK_TOKEN = "act.PLANTED-SECRET-123-tiktok"
TIKTOK_TOKEN_EXPIRED = "act.PLANTED-EXPIRED-456-tiktok"
TIKTOK_DOMAIN = "kpu-blitarkota.go.id"  # where IMAGE_URL lives: verified on TikTok

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # enough of an image for upload tests


def make_post(**changes: Any) -> PostPayload:
    fields: dict[str, Any] = {
        "post_id": 42, "text": "Ayo cek DPT Anda di cekdptonline.kpu.go.id! #PemiluDamai",
        "scheduled_at": NOW, "region_key": "kota-blitar", "handle": "@kpu_blitar"}
    return PostPayload(**{**fields, **changes})


@dataclass
class Env:
    session: requests.Session
    clock: FixedClock
    tmp_path: Path


@dataclass
class AdapterCase:
    """Everything the contract suite needs to drive one adapter against its fake."""

    adapter_class: type[Adapter]
    env: Env
    fake: FakePlatform | None
    post: PostPayload
    credentials_for: Callable[[str | None], dict[str, str]]  # base URL -> credentials
    expired_credentials: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()  # planted values that must never appear in errors
    secret_on_wire: bool = True  # False: the secret only signs, it is never sent
    publish_path: str = ""  # path part of the request that makes the post public
    # What a 5xx answer to that request means when the platform did not act on it:
    # transient where the platform itself refuses a resend (webhook-id) or a lookup
    # proves the post absent (Facebook, X), ambiguous where nothing can tell.
    publish_server_error: type[PublishError] = TransientPublishError
    retry_after: Callable[[int], float] = float  # platform's wait unit -> seconds
    checkpoints: list[dict[str, str]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def adapter(self, *, credentials: dict[str, str] | None = None,
                base_url: str | None = None, timeout: float = 2.0) -> Adapter:
        base = base_url or (self.fake.url if self.fake else None)
        context = AdapterContext(
            session=self.env.session, clock=self.env.clock, base_url=base, timeout=timeout,
            credentials=self.credentials_for(base) if credentials is None else credentials,
            outbox_dir=self.env.tmp_path / "outbox",
            checkpoint=lambda ref: self.checkpoints.append(dict(ref)))
        adapter = self.adapter_class(context)
        if hasattr(adapter, "sleep"):
            adapter.sleep = self.sleeps.append  # polling must not slow the tests down
        return adapter


def _fixed(credentials: dict[str, str]) -> Callable[[str | None], dict[str, str]]:
    return lambda base: dict(credentials)


@contextmanager
def facebook_case(env: Env) -> Iterator[AdapterCase]:
    with FakeFacebook(tokens={PLANTED}, page_id=FB_PAGE, clock=env.clock) as fake:
        yield AdapterCase(
            FacebookAdapter, env, fake, make_post(),
            _fixed({"page_id": FB_PAGE, "access_token": PLANTED}),
            {"page_id": FB_PAGE, "access_token": PLANTED_EXPIRED}, (PLANTED, PLANTED_EXPIRED),
            publish_path="/feed", retry_after=lambda minutes: 60.0 * minutes)


@contextmanager
def instagram_case(env: Env) -> Iterator[AdapterCase]:
    with FakeInstagram(tokens={PLANTED}, user_id=IG_USER, clock=env.clock) as fake:
        yield AdapterCase(
            InstagramAdapter, env, fake, make_post(image_url=IMAGE_URL),
            _fixed({"ig_user_id": IG_USER, "access_token": PLANTED}),
            {"ig_user_id": IG_USER, "access_token": PLANTED_EXPIRED}, (PLANTED, PLANTED_EXPIRED),
            publish_path="/media_publish", publish_server_error=AmbiguousPublishError,
            retry_after=lambda minutes: 60.0 * minutes)


@contextmanager
def threads_case(env: Env) -> Iterator[AdapterCase]:
    with FakeThreads(tokens={PLANTED}, user_id=THREADS_USER, clock=env.clock) as fake:
        yield AdapterCase(
            ThreadsAdapter, env, fake, make_post(),
            _fixed({"threads_user_id": THREADS_USER, "access_token": PLANTED}),
            {"threads_user_id": THREADS_USER, "access_token": PLANTED_EXPIRED},
            (PLANTED, PLANTED_EXPIRED), publish_path="/threads_publish",
            publish_server_error=AmbiguousPublishError, retry_after=lambda minutes: 60.0 * minutes)


@contextmanager
def x_case(env: Env) -> Iterator[AdapterCase]:
    with FakeX(tokens={PLANTED}, clock=env.clock) as fake:
        yield AdapterCase(
            XAdapter, env, fake, make_post(), _fixed({"access_token": PLANTED}),
            {"access_token": PLANTED_EXPIRED}, (PLANTED, PLANTED_EXPIRED),
            publish_path="/2/tweets")


@contextmanager
def telegram_case(env: Env) -> Iterator[AdapterCase]:
    chats = {"@kpu_blitar": CHANNEL, str(PRIVATE_CHANNEL["id"]): PRIVATE_CHANNEL}
    with FakeTelegram(tokens={BOT_TOKEN}, chats=chats, clock=env.clock) as fake:
        yield AdapterCase(
            TelegramAdapter, env, fake, make_post(),
            _fixed({"bot_token": BOT_TOKEN, "chat_id": "@kpu_blitar"}),
            {"bot_token": BOT_TOKEN_REVOKED, "chat_id": "@kpu_blitar"},
            (BOT_TOKEN, BOT_TOKEN_REVOKED, "AAH-PLANTED"), publish_path="/sendMessage",
            publish_server_error=AmbiguousPublishError)


@contextmanager
def webhook_case(env: Env) -> Iterator[AdapterCase]:
    with FakeWebhookReceiver(secret=WHSEC, clock=env.clock) as fake:
        yield AdapterCase(
            WebhookAdapter, env, fake, make_post(),
            lambda base: {"url": f"{base}/hooks/siar", "secret": WHSEC},
            {"url": f"{fake.url}/hooks/siar", "secret": WHSEC_OLD}, (WHSEC, WHSEC_OLD),
            secret_on_wire=False, publish_path="/hooks/siar")


@contextmanager
def tiktok_case(env: Env, **fake_options: Any) -> Iterator[AdapterCase]:
    options: dict[str, Any] = {"creators": {TIKTOK_TOKEN: Creator("kpu_blitar")},
                               "verified_domains": {TIKTOK_DOMAIN}, **fake_options}
    with FakeTikTok(clock=env.clock, **options) as fake:
        yield AdapterCase(
            TikTokAdapter, env, fake, make_post(image_url=IMAGE_URL),
            _fixed({"access_token": TIKTOK_TOKEN}), {"access_token": TIKTOK_TOKEN_EXPIRED},
            (TIKTOK_TOKEN, TIKTOK_TOKEN_EXPIRED), publish_path="/content/init/",
            publish_server_error=AmbiguousPublishError, retry_after=lambda _: 60.0)


@contextmanager
def outbox_case(env: Env) -> Iterator[AdapterCase]:
    yield AdapterCase(OutboxAdapter, env, None, make_post(), _fixed({}))


CASE_BUILDERS: dict[str, Callable[[Env], AbstractContextManager[AdapterCase]]] = {
    "facebook": facebook_case,
    "instagram": instagram_case,
    "threads": threads_case,
    "x": x_case,
    "telegram": telegram_case,
    "webhook": webhook_case,
    "tiktok": tiktok_case,
    "outbox": outbox_case,
}
