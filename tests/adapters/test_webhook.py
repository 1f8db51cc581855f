"""WebhookAdapter: Standard Webhooks v1 signing, stable ids, receiver replies."""

from datetime import timedelta

import pytest

from scheduler.adapters.base import (
    PermanentPublishError,
    ReauthorizationRequired,
    TransientPublishError,
)
from scheduler.adapters.webhook import decode_secret, sign
from tests.fakes.webhook import FakeWebhookReceiver

from .cases import NOW, AdapterCase

pytestmark = pytest.mark.parametrize("case", ["webhook"], indirect=True)

# The Standard Webhooks / Svix published test vector
# (docs.svix.com/receiving/verifying-payloads/how-manual), not produced by our code.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def fake(case: AdapterCase) -> FakeWebhookReceiver:
    assert isinstance(case.fake, FakeWebhookReceiver)
    return case.fake


def test_signature_matches_the_published_test_vector(case: AdapterCase) -> None:
    key = decode_secret(VECTOR_SECRET)
    assert sign(key, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_secret_prefix_is_optional(case: AdapterCase) -> None:
    assert decode_secret(VECTOR_SECRET) == decode_secret(VECTOR_SECRET.removeprefix("whsec_"))


def test_delivery_is_signed_and_accepted_by_the_receiver(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)

    [call] = fake(case).calls("/hooks/siar")
    assert call.headers["webhook-id"] == "siar-post-42"
    assert call.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert call.headers["webhook-signature"].startswith("v1,")
    assert fake(case).rejections == []
    assert receipt.platform_id == "siar-post-42"
    assert receipt.url is None


def test_payload_carries_the_post(case: AdapterCase) -> None:
    case.adapter().publish(case.post)

    payload = fake(case).published[0]["payload"]
    assert payload["type"] == "siar.post"
    assert payload["timestamp"] == NOW.isoformat()
    assert payload["data"] == {
        "post_id": 42, "region": "kota-blitar", "handle": "@kpu_blitar",
        "text": case.post.text, "scheduled_at": NOW.isoformat(), "image_url": None}


def test_resend_keeps_its_id_so_the_receiver_drops_it(case: AdapterCase) -> None:
    adapter = case.adapter()
    adapter.publish(case.post)
    case.env.clock.advance(timedelta(minutes=1))
    adapter.publish(case.post)

    assert len(fake(case).published) == 1
    assert fake(case).redeliveries == 1


def test_receiver_refuses_a_stale_timestamp(case: AdapterCase) -> None:
    fake(case).clock = type(case.env.clock)(NOW + timedelta(minutes=10))
    with pytest.raises(ReauthorizationRequired):
        case.adapter().publish(case.post)
    assert fake(case).rejections == ["stale timestamp"]


def test_receiver_refuses_a_tampered_body(case: AdapterCase) -> None:
    case.adapter().publish(case.post)
    call = fake(case).requests[-1]
    call.body = call.body.replace(b"cek DPT", b"cek TPS")
    assert fake(case).verify(call) == "bad signature"


def test_malformed_secret_requires_new_credentials_and_sends_nothing(case: AdapterCase) -> None:
    adapter = case.adapter(credentials={"url": f"{fake(case).url}/hooks/siar",
                                        "secret": "whsec_bukan base64!"})
    with pytest.raises(ReauthorizationRequired, match="whsec_"):
        adapter.publish(case.post)
    assert not fake(case).requests


def test_gone_endpoint_is_permanent(case: AdapterCase) -> None:
    fake(case).fail_next("gone")
    with pytest.raises(PermanentPublishError, match="410"):
        case.adapter().publish(case.post)


def test_redirect_is_permanent_and_not_followed(case: AdapterCase) -> None:
    fake(case).fail_next("redirect")
    with pytest.raises(PermanentPublishError):
        case.adapter().publish(case.post)
    assert len(fake(case).requests) == 1


def test_server_error_is_transient(case: AdapterCase) -> None:
    fake(case).fail_next("server_error")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(case.post)

