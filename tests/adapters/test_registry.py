"""scheduler.adapters.registry: adapters come from entry points and are checked."""

from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

from scheduler import plugins
from scheduler.adapters.base import Adapter, PostPayload, Receipt
from scheduler.adapters.registry import (
    ENTRY_POINT_GROUP,
    clear_adapter_cache,
    get_adapter,
    load_adapters,
)
from scheduler.adapters.x import XAdapter
from scheduler.errors import ConfigError, NotFoundError

BUILT_INS = {"facebook", "instagram", "threads", "x", "telegram", "webhook", "tiktok", "outbox"}


class MastodonAdapter(Adapter):
    name = "mastodon"
    label = "Mastodon"
    limits = XAdapter.limits

    def publish(self, post: PostPayload) -> Receipt:
        return Receipt("1")


class MisnamedAdapter(MastodonAdapter):
    name = "bluesky"


# Each broken plugin below breaks one rule only; all claim the name "mastodon".
class AbstractAdapter(Adapter):
    name = "mastodon"
    limits = XAdapter.limits


class NoLimitsAdapter(Adapter):
    name = "mastodon"
    label = "Mastodon"

    def publish(self, post: PostPayload) -> Receipt:
        return Receipt("1")


class NoLabelAdapter(Adapter):
    name = "mastodon"
    limits = XAdapter.limits

    def publish(self, post: PostPayload) -> Receipt:
        return Receipt("1")


class NotAnAdapter:
    name = "mastodon"


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    clear_adapter_cache()
    yield
    clear_adapter_cache()


def install(monkeypatch: pytest.MonkeyPatch, **targets: str) -> None:
    """Pretend only these entry points are installed: name -> "module:attr"."""
    points = [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in targets.items()]
    monkeypatch.setattr(plugins, "entry_points", lambda group: points)


def here(attr: str) -> str:
    return f"{__name__}:{attr}"


def test_built_in_adapters_are_registered_through_entry_points() -> None:
    adapters = load_adapters()
    assert set(adapters) >= BUILT_INS
    assert all(cls.name == name for name, cls in adapters.items())


def test_built_in_adapters_have_display_labels() -> None:
    labels = {name: cls.label for name, cls in load_adapters().items() if name in BUILT_INS}
    assert labels == {"facebook": "Facebook", "instagram": "Instagram", "threads": "Threads",
                      "x": "X", "telegram": "Telegram", "webhook": "Webhook",
                      "tiktok": "TikTok", "outbox": "Outbox"}


def test_get_adapter_by_name() -> None:
    assert get_adapter("x") is XAdapter


def test_unknown_adapter_is_not_found_and_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="myspace") as caught:
        get_adapter("myspace")
    assert isinstance(caught.value, LookupError)
    assert "outbox" in str(caught.value)


def test_a_third_party_plugin_loads_like_a_built_in(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, mastodon=here("MastodonAdapter"))
    assert load_adapters() == {"mastodon": MastodonAdapter}


@pytest.mark.parametrize(("attr", "complaint"), [
    ("MisnamedAdapter", "harus sama dengan nama entry point"),
    ("NotAnAdapter", "bukan turunan Adapter"),
    ("AbstractAdapter", "masih abstrak"),
    ("NoLimitsAdapter", "tidak punya limits"),
    ("NoLabelAdapter", "tidak punya label"),
    ("DoesNotExist", "gagal dimuat"),
])
def test_a_plugin_that_breaks_the_contract_is_refused_clearly(
        monkeypatch: pytest.MonkeyPatch, attr: str, complaint: str) -> None:
    install(monkeypatch, mastodon=here(attr))
    with pytest.raises(ConfigError, match=complaint) as caught:
        load_adapters()
    assert "mastodon" in str(caught.value)


def test_a_name_registered_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [EntryPoint("mastodon", here("MastodonAdapter"), ENTRY_POINT_GROUP)] * 2
    monkeypatch.setattr(plugins, "entry_points", lambda group: points)
    with pytest.raises(ConfigError, match="lebih dari sekali"):
        load_adapters()


def test_loading_is_cached_until_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    load_adapters()
    install(monkeypatch, mastodon=here("MastodonAdapter"))
    assert "mastodon" not in load_adapters()  # still the cached load
    clear_adapter_cache()
    assert set(load_adapters()) == {"mastodon"}


def test_callers_cannot_change_the_cached_registry() -> None:
    load_adapters().clear()
    assert set(load_adapters()) >= BUILT_INS
