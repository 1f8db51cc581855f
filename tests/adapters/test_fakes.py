"""The fakes as a benchmark uses them: simulated latency, many accounts at once, counts
that are safe to read across threads, and a start from a plain script."""

import base64
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import requests

from scheduler.adapters.base import (
    Adapter,
    AdapterContext,
    PostPayload,
    ReauthorizationRequired,
)
from scheduler.adapters.facebook import FacebookAdapter
from scheduler.adapters.instagram import InstagramAdapter
from scheduler.adapters.telegram import TelegramAdapter
from scheduler.adapters.threads import ThreadsAdapter
from scheduler.adapters.webhook import WebhookAdapter
from scheduler.adapters.x import XAdapter
from scheduler.clock import Clock
from tests.fakes.base import FakePlatform
from tests.fakes.facebook import FakeFacebook
from tests.fakes.instagram import FakeInstagram
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.webhook import FakeWebhookReceiver
from tests.fakes.x import FakeX

from .cases import BOT_TOKEN, CHANNEL, IMAGE_URL, Env, make_post

REPO = Path(__file__).resolve().parents[2]
REGENCIES = 38  # one account per regency and platform, as in the benchmark


def post_to(url: str, **kwargs: Any) -> requests.Response:
    """One request on its own session: sessions are not shared across threads."""
    with requests.Session() as http:
        http.trust_env = False  # a proxy from the environment must not see 127.0.0.1
        return http.post(url, timeout=10, **kwargs)


def telegram() -> FakeTelegram:
    return FakeTelegram(tokens={BOT_TOKEN}, chats={"@kpu_blitar": CHANNEL})


def send_message(fake: FakeTelegram, token: str = BOT_TOKEN) -> requests.Response:
    return post_to(f"{fake.url}/bot{token}/sendMessage",
                   json={"chat_id": "@kpu_blitar", "text": "Ayo memilih"})


# -- latency -----------------------------------------------------------------------


def test_latency_delays_every_answer_whatever_it_is() -> None:
    with telegram() as fake:
        waited: list[float] = []
        fake.pause = waited.append  # record instead of sleeping: no wall clock here
        fake.latency = 0.25  # settable while the fake runs

        assert send_message(fake).status_code == 200
        assert send_message(fake, token="1:wrong").status_code == 401
        fake.fail_next("rate_limit")
        assert send_message(fake).status_code == 429
        fake.latency = 0.5
        assert post_to(f"{fake.url}/bot{BOT_TOKEN}/getMe").status_code == 404

    assert waited == [0.25, 0.25, 0.25, 0.5]


def test_no_latency_means_no_pause() -> None:
    with telegram() as fake:
        waited: list[float] = []
        fake.pause = waited.append
        send_message(fake)
    assert waited == []


def test_latency_is_a_constructor_argument_and_really_waits() -> None:
    with FakeX(tokens={"t"}, latency=0.01) as fake:
        response = post_to(f"{fake.url}/2/tweets", json={"text": "halo"},
                           headers={"Authorization": "Bearer t"})
    assert response.status_code == 201
    assert fake.latency == 0.01


def test_delayed_answers_overlap_instead_of_queueing() -> None:
    """Both handlers must be inside their delay at the same time to pass the barrier;
    a delay taken under the fake's lock would serialise them and break it."""
    barrier = threading.Barrier(2, timeout=5)
    with telegram() as fake:
        fake.latency = 0.1
        fake.pause = lambda seconds: barrier.wait()
        with ThreadPoolExecutor(2) as pool:
            statuses = [r.status_code for r in pool.map(lambda _: send_message(fake), [1, 2])]
    assert statuses == [200, 200]
    assert not barrier.broken


# -- counts and results ------------------------------------------------------------


def test_counts_and_results_add_up_under_concurrency() -> None:
    with FakeTelegram(accept_any_token=True, accept_any_account=True) as fake:
        def send(i: int) -> requests.Response:
            return post_to(f"{fake.url}/bot{i}:token-{i}/sendMessage",
                           json={"chat_id": f"@kpu_{i}", "text": "Ayo memilih"})

        with ThreadPoolExecutor(8) as pool:
            statuses = [r.status_code for r in pool.map(send, range(40))]

        assert statuses == [200] * 40
        assert fake.request_count == 40
        published = fake.published
    assert len(published) == 40
    assert len({item["message_id"] for item in published}) == 40
    assert {item["chat"]["username"] for item in published} == {f"kpu_{i}" for i in range(40)}


def test_published_is_a_snapshot() -> None:
    with telegram() as fake:
        send_message(fake)
        snapshot = fake.published
        snapshot.clear()
        assert len(fake.published) == 1
        fake.clear_published()
        assert fake.published == []


def test_token_checks() -> None:
    strict = FakeX(tokens={"a", "b"})
    lenient = FakeX(accept_any_token=True)
    assert strict.accepts("a") and strict.accepts("b") and not strict.accepts("c")
    assert lenient.accepts("anything")
    assert not lenient.accepts("")
    assert not lenient.accepts(None)


# -- many accounts -----------------------------------------------------------------


@dataclass
class Platform:
    """A fake for many accounts, and the adapter credentials of account `i`."""

    fake: FakePlatform
    adapter_class: type[Adapter]
    credentials: Callable[[str, int], dict[str, str]]  # (fake URL, i) -> credentials
    post: PostPayload


def facebook(clock: Clock) -> Platform:
    return Platform(FakeFacebook(accept_any_token=True, accept_any_account=True, clock=clock),
                    FacebookAdapter,
                    lambda url, i: {"page_id": f"10{i:08d}", "access_token": f"fb-{i}"},
                    make_post())


def instagram(clock: Clock) -> Platform:
    # Explicit sets this time: accepting any of many given tokens and accounts.
    users = {f"178414{i:011d}" for i in range(REGENCIES)}
    tokens = {f"ig-{i}" for i in range(REGENCIES)}
    return Platform(FakeInstagram(tokens=tokens, user_ids=users, clock=clock), InstagramAdapter,
                    lambda url, i: {"ig_user_id": f"178414{i:011d}", "access_token": f"ig-{i}"},
                    make_post(image_url=IMAGE_URL))


def threads(clock: Clock) -> Platform:
    return Platform(FakeThreads(accept_any_token=True, accept_any_account=True, clock=clock),
                    ThreadsAdapter,
                    lambda url, i: {"threads_user_id": f"27{i:08d}", "access_token": f"th-{i}"},
                    make_post())


def x(clock: Clock) -> Platform:
    return Platform(FakeX(tokens={f"x-{i}" for i in range(REGENCIES)}, clock=clock), XAdapter,
                    lambda url, i: {"access_token": f"x-{i}"}, make_post())


def telegram_channels(clock: Clock) -> Platform:
    return Platform(FakeTelegram(accept_any_token=True, accept_any_account=True, clock=clock),
                    TelegramAdapter,
                    lambda url, i: {"bot_token": f"{i}:bot-{i}", "chat_id": f"@kpu_{i}"},
                    make_post())


def webhooks(clock: Clock) -> Platform:
    secrets = ["whsec_" + base64.b64encode(f"regency-{i:02d}-signing-key".encode()).decode()
               for i in range(REGENCIES)]
    return Platform(FakeWebhookReceiver(secrets=secrets, clock=clock), WebhookAdapter,
                    lambda url, i: {"url": f"{url}/hooks/siar/region-{i}", "secret": secrets[i]},
                    make_post())


PLATFORMS = {"facebook": facebook, "instagram": instagram, "threads": threads, "x": x,
             "telegram": telegram_channels, "webhook": webhooks}


@contextmanager
def running(platform: Platform) -> Iterator[Platform]:
    with platform.fake:
        yield platform


def adapter_for(platform: Platform, env: Env, i: int,
                credentials: dict[str, str] | None = None) -> Adapter:
    context = AdapterContext(
        session=env.session, clock=env.clock, base_url=platform.fake.url, timeout=5.0,
        credentials=credentials or platform.credentials(platform.fake.url, i))
    return platform.adapter_class(context)


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_one_fake_serves_every_regency_with_its_own_credentials(env: Env, name: str) -> None:
    with running(PLATFORMS[name](env.clock)) as platform:
        # One post per account, all with the same text: duplicate guards must be per
        # account, as on the platforms.
        receipts = [adapter_for(platform, env, i).publish(replace(platform.post, post_id=i))
                    for i in range(REGENCIES)]
        published = platform.fake.published
    assert len(published) == REGENCIES
    assert len({r.platform_id for r in receipts}) == REGENCIES


@pytest.mark.parametrize("name", ["instagram", "x", "webhook"])
def test_credentials_outside_the_given_set_are_still_refused(env: Env, name: str) -> None:
    with running(PLATFORMS[name](env.clock)) as platform:
        good = platform.credentials(platform.fake.url, 0)
        bad = {key: value + "-revoked" if key != "url" else value
               for key, value in good.items()}
        with pytest.raises(ReauthorizationRequired):
            adapter_for(platform, env, 0, bad).publish(platform.post)
        assert platform.fake.published == []


def test_webhook_accept_any_token_skips_only_the_signature(env: Env) -> None:
    with FakeWebhookReceiver(accept_any_token=True) as fake:
        response = post_to(f"{fake.url}/hooks/siar/kota-blitar", json={},
                           headers={"webhook-id": "1", "webhook-signature": "v1,bogus",
                                    "webhook-timestamp": str(int(fake.clock.now().timestamp()))})
        unsigned = post_to(f"{fake.url}/hooks/siar", json={})
    assert response.status_code == 200
    assert unsigned.status_code == 401


# -- outside pytest ----------------------------------------------------------------


SCRIPT = """
    import sys
    import requests
    from tests.fakes.telegram import FakeTelegram

    fake = FakeTelegram(accept_any_token=True, accept_any_account=True, latency=0.001)
    fake.start()
    try:
        with requests.Session() as http:
            http.trust_env = False
            answer = http.post(fake.url + "/bot1:abc/sendMessage",
                               json={"chat_id": "@kpu_blitar", "text": "halo"}, timeout=10)
    finally:
        fake.stop()
    print(answer.status_code, fake.request_count, len(fake.published), "pytest" in sys.modules)
"""


def test_a_fake_runs_from_a_plain_script() -> None:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(SCRIPT)], cwd=REPO,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "1", "1", "False"]
