"""OutboxAdapter: one JSON file per post, written atomically and never twice."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.adapters.base import (
    AdapterContext,
    AmbiguousPublishError,
    PermanentPublishError,
    TransientPublishError,
)
from scheduler.adapters.outbox import OutboxAdapter

from .cases import NOW, AdapterCase, make_post

pytestmark = pytest.mark.parametrize("case", ["outbox"], indirect=True)


def outbox_file(case: AdapterCase) -> Path:
    return case.env.tmp_path / "outbox" / "kota-blitar" / "42.json"


def test_writes_one_json_file_per_post(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)

    target = outbox_file(case)
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "post_id": 42, "region": "kota-blitar", "platform": None, "handle": "@kpu_blitar",
        "scheduled_at": NOW.isoformat(), "published_at": NOW.isoformat(),
        "text": case.post.text, "image": None, "image_alt": None}
    assert receipt.platform_id == "outbox-42"
    assert receipt.url == target.resolve().as_uri()
    assert os.listdir(target.parent) == ["42.json"]  # no temporary file left behind


def test_publishing_again_keeps_the_first_file(case: AdapterCase) -> None:
    adapter = case.adapter()
    first = adapter.publish(case.post)
    before = outbox_file(case).read_bytes()
    case.env.clock.advance(timedelta(hours=1))

    again = adapter.publish(case.post)

    assert again == first
    assert outbox_file(case).read_bytes() == before


def test_a_file_of_another_post_proves_nothing(case: AdapterCase) -> None:
    """A fresh database reusing the folder, or a hand-made file: not this post's record."""
    adapter = case.adapter()
    adapter.publish(make_post(text="unggahan lain dengan id yang sama"))
    before = outbox_file(case).read_bytes()

    with pytest.raises(AmbiguousPublishError, match="bukan unggahan #42"):
        adapter.publish(case.post)
    with pytest.raises(AmbiguousPublishError):
        adapter.reconcile(case.post, {})
    assert outbox_file(case).read_bytes() == before


def test_another_databases_files_live_apart(case: AdapterCase) -> None:
    def outbox_of(instance: str) -> OutboxAdapter:
        return OutboxAdapter(AdapterContext(
            session=case.env.session, credentials={}, clock=case.env.clock,
            outbox_dir=case.env.tmp_path / "outbox", instance_id=instance))

    outbox_of("siar-lama").publish(make_post(text="dari basis data lama"))
    fresh = outbox_of("siar-baru")

    assert fresh.reconcile(case.post, {}) is None
    receipt = fresh.publish(case.post)
    assert (receipt.url or "").endswith("/outbox/siar-baru/kota-blitar/42.json")
    assert len(list((case.env.tmp_path / "outbox").rglob("42.json"))) == 2


def test_a_file_written_meanwhile_by_another_worker_is_kept(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = case.adapter()
    target = outbox_file(case)
    real_link = os.link
    record = {"post_id": 42, "region": "kota-blitar", "platform": None,
              "handle": "@kpu_blitar", "scheduled_at": NOW.isoformat(), "text": case.post.text,
              "image": None, "published_at": "earlier"}

    def racing_link(source: str, destination: Path) -> None:
        destination.write_text(json.dumps(record), encoding="utf-8")
        real_link(source, destination)

    monkeypatch.setattr(os, "link", racing_link)
    adapter.publish(case.post)

    assert json.loads(target.read_text(encoding="utf-8"))["published_at"] == "earlier"
    assert os.listdir(target.parent) == ["42.json"]


def test_a_failed_write_leaves_no_file_and_is_transient(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_link(source: str, destination: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", broken_link)
    with pytest.raises(TransientPublishError, match="No space left"):
        case.adapter().publish(case.post)
    assert os.listdir(outbox_file(case).parent) == []


def test_reconcile_reads_the_file(case: AdapterCase) -> None:
    adapter = case.adapter()
    assert adapter.reconcile(case.post, {}) is None
    receipt = adapter.publish(case.post)
    assert adapter.reconcile(case.post, {}) == receipt


def test_image_reference_is_recorded(case: AdapterCase) -> None:
    case.adapter().publish(make_post(image_url="https://kpu.example/a.jpg"))
    assert json.loads(outbox_file(case).read_text())["image"] == "https://kpu.example/a.jpg"


def test_image_alt_text_is_recorded(case: AdapterCase) -> None:
    case.adapter().publish(make_post(image_url="https://kpu.example/a.jpg",
                                     image_alt="Kartu pemilih di meja TPS"))
    record = json.loads(outbox_file(case).read_text())
    assert record["image_alt"] == "Kartu pemilih di meja TPS"


@pytest.mark.parametrize("region", ["../etc", "", "kota/blitar", ".hidden"])
def test_region_key_cannot_escape_the_outbox(case: AdapterCase, region: str) -> None:
    with pytest.raises(PermanentPublishError):
        case.adapter().publish(make_post(region_key=region))
    assert not (case.env.tmp_path / "etc").exists()
