"""What differs between Instagram and Threads: media requirements and request fields."""

from pathlib import Path

import pytest

from scheduler.adapters.base import PermanentPublishError
from tests.fakes.meta import FakeContainerPlatform

from .cases import IMAGE_URL, AdapterCase, make_post


def fake(case: AdapterCase) -> FakeContainerPlatform:
    assert isinstance(case.fake, FakeContainerPlatform)
    return case.fake


@pytest.mark.parametrize("case", ["instagram"], indirect=True)
def test_instagram_refuses_a_post_without_an_image_url(case: AdapterCase) -> None:
    with pytest.raises(PermanentPublishError, match="Instagram wajib memakai gambar"):
        case.adapter().publish(make_post())
    assert not fake(case).requests


@pytest.mark.parametrize("case", ["instagram"], indirect=True)
def test_instagram_declares_its_limits(case: AdapterCase) -> None:
    limits = case.adapter_class.limits
    assert (limits.max_length, limits.image_required, limits.daily_quota) == (2200, True, 50)


@pytest.mark.parametrize("case", ["instagram"], indirect=True)
def test_instagram_sends_the_images_alt_text_when_there_is_one(case: AdapterCase) -> None:
    case.adapter().publish(make_post(image_url=IMAGE_URL, image_alt="Kartu pemilih"))
    case.adapter().publish(make_post(post_id=43, image_url=IMAGE_URL))
    with_alt, without = fake(case).container_requests()
    assert with_alt.form["alt_text"] == "Kartu pemilih"
    assert "alt_text" not in without.form


@pytest.mark.parametrize("case", ["threads"], indirect=True)
def test_threads_text_post_is_a_text_container(case: AdapterCase) -> None:
    case.adapter().publish(make_post())
    [call] = fake(case).container_requests()
    assert call.path.endswith("/threads")
    assert call.path.startswith("/v1.0/")
    assert call.form["media_type"] == "TEXT"


@pytest.mark.parametrize("case", ["threads"], indirect=True)
def test_threads_image_post_is_an_image_container(case: AdapterCase) -> None:
    case.adapter().publish(make_post(image_url=IMAGE_URL))
    [call] = fake(case).container_requests()
    assert call.form["media_type"] == "IMAGE"
    assert call.form["image_url"] == IMAGE_URL


@pytest.mark.parametrize("case", ["threads"], indirect=True)
def test_threads_refuses_to_drop_a_local_only_image(case: AdapterCase, tmp_path: Path) -> None:
    with pytest.raises(PermanentPublishError, match="image_url"):
        case.adapter().publish(make_post(image_path=tmp_path / "a.jpg"))
    assert not fake(case).requests
