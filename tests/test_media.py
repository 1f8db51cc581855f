"""Post images: uploads stored by their magic bytes under random names, and the signed
media addresses that the worker hands to Instagram and Threads and `siar web` serves."""

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from scheduler.app import create_app
from scheduler.clock import FixedClock
from scheduler.config import Settings, load_settings
from scheduler.content.model import Catalog
from scheduler.errors import InputError, NotFoundError
from scheduler.instance import instance_id
from scheduler.media import (
    MAX_IMAGE_BYTES,
    image_kind,
    media_address,
    media_token,
    public_image_url,
    save_upload,
    served_file,
    signing_key,
    stored_upload,
)
from scheduler.models import Account
from scheduler.publishing.attempt import payload_for
from scheduler.publishing.claims import ClaimedPost
from scheduler.web.server import create_web_app
from tests.conftest import worker_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
KEY = b"k" * 32


def test_the_key_comes_from_the_secret_or_else_the_instance() -> None:
    from_secret = signing_key("rahasia", "instans-1")
    assert from_secret == signing_key("rahasia", "instans-2")  # the secret wins
    assert from_secret != signing_key("lain", "instans-1")
    from_instance = signing_key("", "instans-1")
    assert from_instance not in (None, from_secret, signing_key("", "instans-2"))
    assert signing_key("", "") is None


def test_a_token_signs_one_path() -> None:
    token = media_token(KEY, "kartu.jpg")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert token != media_token(KEY, "kartu.jpeg")
    assert token != media_token(b"x" * 32, "kartu.jpg")
    assert media_address(KEY, "unggahan/a b.png") == \
        f"/media/{media_token(KEY, 'unggahan/a b.png')}/unggahan/a%20b.png"


def test_served_file_checks_token_path_and_type(tmp_path: Path) -> None:
    (tmp_path / "kartu.jpg").write_bytes(JPEG)
    (tmp_path / "catatan.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    outside = tmp_path.parent / "di-luar.jpg"
    outside.write_bytes(JPEG)
    (tmp_path / "tautan.jpg").symlink_to(outside)
    assert served_file(tmp_path, KEY, media_token(KEY, "kartu.jpg"), "kartu.jpg") == \
        (tmp_path.resolve() / "kartu.jpg", "image/jpeg")
    for path in ("catatan.txt", "sub", "tautan.jpg", "../di-luar.jpg", "/etc/hostname",
                 "sub/../kartu.jpg", ".kartu.jpg", "tidak-ada.jpg", ""):
        with pytest.raises(NotFoundError):
            served_file(tmp_path, KEY, media_token(KEY, path), path)
    with pytest.raises(NotFoundError):
        served_file(tmp_path, KEY, "0" * 32, "kartu.jpg")
    with pytest.raises(NotFoundError):
        served_file(tmp_path, KEY, media_token(KEY, "kartu.jpg").upper(), "kartu.jpg")


def test_uploads_are_told_by_their_bytes_and_stored_under_random_names(tmp_path: Path) -> None:
    assert (image_kind(PNG), image_kind(JPEG), image_kind(b"GIF89a"), image_kind(b"")) == \
        ("png", "jpg", None, None)
    first, second = save_upload(tmp_path, PNG), save_upload(tmp_path, JPEG)
    assert first.startswith("unggahan/") and first.endswith(".png")
    assert second.endswith(".jpg") and first[:-4] != second[:-4]
    assert (tmp_path / first).read_bytes() == PNG
    assert stored_upload(tmp_path, first) == first
    with pytest.raises(InputError, match="bukan gambar JPEG atau PNG"):
        save_upload(tmp_path, b"<svg onload=alert(1)>")
    with pytest.raises(InputError, match="gambar terlalu besar"):
        save_upload(tmp_path, PNG + b"\x00" * MAX_IMAGE_BYTES)
    assert len(list((tmp_path / "unggahan").iterdir())) == 2


@pytest.mark.parametrize("path", ["kartu.jpg", "unggahan/../kartu.jpg", "unggahan/x.gif",
                                  "unggahan/AAAAAAAAAAAAAAAAAAAAAAAA.png"])
def test_a_form_names_only_an_upload_that_exists(tmp_path: Path, path: str) -> None:
    (tmp_path / "kartu.jpg").write_bytes(JPEG)
    with pytest.raises(InputError, match="tidak ditemukan"):
        stored_upload(tmp_path, path)


# --- the address a platform fetches ------------------------------------------------------


def _settings(**env: str) -> Settings:
    return load_settings(env=env, env_file=None)


def _claimed(image: str | None, alt: str | None = None) -> ClaimedPost:
    return ClaimedPost(id=7, account_id=1, region_key="kab-a", platform="instagram",
                       text="Halo", image=image, image_alt=alt,
                       scheduled_at=datetime(2024, 1, 1, 2, tzinfo=UTC), attempts=1,
                       platform_ref={})


ACCOUNT = Account(id=1, region_key="kab-a", platform="instagram", handle="@kab-a",
                  synced_at=datetime(2024, 1, 1, tzinfo=UTC))


def test_the_image_url_is_signed_under_the_public_url_when_no_media_base_url() -> None:
    settings = _settings(SIAR_PUBLIC_URL="https://siar.example/")
    payload = payload_for(_claimed("kartu.jpg", "Kartu"), ACCOUNT, settings,
                          instance_id="instans-1")
    key = signing_key("", "instans-1")
    assert key is not None
    assert payload.image_url == "https://siar.example" + media_address(key, "kartu.jpg")
    assert payload.image_alt == "Kartu"
    assert payload.image_path == settings.media_dir / "kartu.jpg"


def test_the_media_base_url_keeps_its_old_meaning() -> None:
    settings = _settings(SIAR_PUBLIC_URL="https://siar.example",
                         SIAR_MEDIA_BASE_URL="https://cdn.example/media/")
    payload = payload_for(_claimed("kartu.jpg"), ACCOUNT, settings, instance_id="instans-1")
    assert payload.image_url == "https://cdn.example/media/kartu.jpg"


def test_without_a_public_address_there_is_no_image_url() -> None:
    assert payload_for(_claimed("kartu.jpg"), ACCOUNT, _settings(),
                       instance_id="instans-1").image_url is None
    assert payload_for(_claimed(None), ACCOUNT, _settings(SIAR_PUBLIC_URL="https://s.example"),
                       instance_id="instans-1").image_url is None
    assert public_image_url(image="a.jpg", media_base_url="", public_url="https://s.example",
                            secret="", instance_id="") is None


def test_a_secret_key_signs_instead_of_the_instance() -> None:
    settings = _settings(SIAR_PUBLIC_URL="https://siar.example", SIAR_SECRET_KEY="rahasia")
    key = signing_key("rahasia", "")
    assert key is not None
    assert payload_for(_claimed("kartu.jpg"), ACCOUNT, settings, instance_id="").image_url \
        == "https://siar.example" + media_address(key, "kartu.jpg")
    assert "rahasia" not in repr(settings)


def test_the_worker_publishes_an_address_the_web_app_serves(
        approved: Engine, catalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    """The worker and `siar web` sign with the same key, derived from the database alone."""
    public = dataclasses.replace(settings, public_url="https://siar.example")
    worker_for(approved, catalog, public, clock).run_once()
    records = [json.loads(p.read_text()) for p in public.outbox_dir.rglob("*.json")]
    urls = {r["image"] for r in records if r["image"]}
    assert urls, "the first day's batch has posts with images"
    [url] = urls
    assert url.startswith("https://siar.example/media/") and url.endswith("/kartu.jpg")
    assert url.split("/")[4] == media_token(signing_key("", instance_id(approved)) or b"",
                                            "kartu.jpg")
    app = create_app(public, clock=clock)
    try:
        with TestClient(create_web_app(app)) as client:
            answer = client.get(url.removeprefix("https://siar.example"))
    finally:
        app.close()
    assert answer.status_code == 200
    assert answer.content == (public.media_dir / "kartu.jpg").read_bytes()
