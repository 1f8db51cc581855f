"""The contract every registered adapter must keep, run against its fake platform."""

import contextlib
import re
import traceback
from pathlib import Path

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PlatformLimits,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.registry import load_adapters
from tests.fakes.base import FakePlatform, unused_port

from .cases import CASE_BUILDERS, AdapterCase, make_post

HANG_TIMEOUT = 0.5


def fake_of(case: AdapterCase) -> FakePlatform:
    if case.fake is None:
        pytest.skip(f"{case.adapter_class.name} publishes without a network: nothing to fail")
    return case.fake


def test_every_registered_adapter_has_a_contract_case() -> None:
    missing = sorted(set(load_adapters()) - set(CASE_BUILDERS))
    assert not missing, f"registered adapters without a case in tests/adapters/cases.py: {missing}"


def test_every_registered_adapter_has_its_line_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in load_adapters()
               if not re.search(rf"^- `{re.escape(name)}`: ", readme, re.MULTILINE)]
    assert not missing, f"README.md's Platforms section lists no adapter named {missing}"


def test_every_contract_case_is_a_registered_adapter() -> None:
    assert sorted(CASE_BUILDERS) == sorted(load_adapters())


def test_adapter_declares_its_name_limits_and_credentials(case: AdapterCase) -> None:
    cls = case.adapter_class
    assert load_adapters()[cls.name] is cls
    assert isinstance(cls.limits, PlatformLimits)
    assert cls.limits.max_length > 0
    assert all(isinstance(name, str) and name for name in cls.credential_fields)


def test_publish_returns_a_receipt(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)

    assert isinstance(receipt, Receipt)
    assert receipt.platform_id
    assert receipt.url is None or receipt.url.startswith(("https://", "file://"))


def test_publish_sends_exactly_one_publishing_request(case: AdapterCase) -> None:
    fake = fake_of(case)
    case.adapter().publish(case.post)
    assert len(fake.calls(case.publish_path, method="POST")) == 1


def test_rate_limit_is_transient_with_the_platform_wait(case: AdapterCase) -> None:
    fake_of(case).fail_next("rate_limit", retry_after=7)
    with pytest.raises(TransientPublishError) as caught:
        case.adapter().publish(case.post)
    assert caught.value.retry_after == case.retry_after(7)


def test_server_error_on_the_publishing_request(case: AdapterCase) -> None:
    fake_of(case).fail_next("server_error", path=case.publish_path)
    with pytest.raises(PublishError) as caught:
        case.adapter().publish(case.post)
    assert type(caught.value) is case.publish_server_error


def test_a_resend_after_a_server_error_never_posts_twice(case: AdapterCase) -> None:
    """The platform acted, then answered 5xx. An adapter that looks posts up finds it and
    answers with its Receipt; where the 5xx is only transient, the platform's own guard
    must stop the resend; where it is ambiguous, nobody resends blindly."""
    fake = fake_of(case)
    fake.fail_next("server_error", path=case.publish_path, process=True)
    adapter = case.adapter()
    try:
        receipt: Receipt | None = adapter.publish(case.post)
    except TransientPublishError:
        # A duplicate guard that speaks up is ambiguous: reconcile or an operator takes over.
        with contextlib.suppress(AmbiguousPublishError):
            adapter.publish(case.post)
        receipt = None
    except AmbiguousPublishError:
        receipt = None
    assert len(fake.published) == 1
    if receipt is not None:  # found by a lookup: the post that really went out
        assert receipt.platform_id == str(fake.published[0]["id"])


def test_rejected_token_requires_reauthorization(case: AdapterCase) -> None:
    fake_of(case)
    with pytest.raises(ReauthorizationRequired):
        case.adapter(credentials=case.expired_credentials).publish(case.post)


def test_expired_token_reply_requires_reauthorization(case: AdapterCase) -> None:
    fake_of(case).fail_next("expired_token")
    with pytest.raises(ReauthorizationRequired):
        case.adapter().publish(case.post)


def test_missing_credentials_require_reauthorization(case: AdapterCase) -> None:
    if not case.adapter_class.credential_fields:
        pytest.skip(f"{case.adapter_class.name} needs no credentials")
    with pytest.raises(ReauthorizationRequired):
        case.adapter(credentials={}).publish(case.post)


def test_no_answer_after_sending_is_ambiguous(case: AdapterCase) -> None:
    fake_of(case).fail_next("hang", path=case.publish_path)
    with pytest.raises(AmbiguousPublishError):
        case.adapter(timeout=HANG_TIMEOUT).publish(case.post)


def test_connection_closed_after_sending_is_ambiguous(case: AdapterCase) -> None:
    fake_of(case).fail_next("disconnect", path=case.publish_path)
    with pytest.raises(AmbiguousPublishError):
        case.adapter().publish(case.post)


def test_unreachable_platform_is_transient(case: AdapterCase) -> None:
    fake_of(case)
    adapter = case.adapter(base_url=f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(TransientPublishError):
        adapter.publish(case.post)


FAILURES = ["echo", "rate_limit", "server_error", "expired_token", "hang", "disconnect",
            "rejected_token", "unreachable"]


@pytest.mark.parametrize("failure", FAILURES)
def test_errors_never_reveal_credentials(case: AdapterCase, failure: str) -> None:
    fake = fake_of(case)
    credentials, base_url = None, None
    if failure == "rejected_token":
        credentials = case.expired_credentials
    elif failure == "unreachable":
        base_url = f"http://127.0.0.1:{unused_port()}"
    else:
        fake.fail_next(failure, path=case.publish_path if failure == "hang" else None)
    adapter = case.adapter(credentials=credentials, base_url=base_url, timeout=HANG_TIMEOUT)

    with pytest.raises(PublishError) as caught:
        adapter.publish(case.post)

    if failure == "echo" and case.secret_on_wire:
        # The fake reflected the request back, so the redaction below is really exercised.
        assert any(secret in fake.requests[-1].echo() for secret in case.secrets)
    error = caught.value
    shown = [str(error), repr(error), error.platform_message or "", error.code or "",
             "".join(traceback.format_exception(error))]
    for secret in case.secrets:
        assert not any(secret in text for text in shown), f"{secret!r} leaked: {shown}"


def test_receipt_never_reveals_credentials(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)
    for secret in case.secrets:
        assert secret not in repr(receipt)


def test_checkpoints_are_plain_string_maps(case: AdapterCase) -> None:
    case.adapter().publish(case.post)
    for ref in case.checkpoints:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in ref.items())


def test_reconcile_after_publishing_finds_the_post(case: AdapterCase) -> None:
    if not case.adapter_class.can_reconcile:
        pytest.skip(f"{case.adapter_class.name} cannot look posts up")
    adapter = case.adapter()
    receipt = adapter.publish(case.post)
    ref = case.checkpoints[-1] if case.checkpoints else {}

    found = adapter.reconcile(case.post, ref)

    assert found is not None
    assert found.platform_id == receipt.platform_id


def test_reconcile_without_lookup_leaves_it_to_the_operator(case: AdapterCase) -> None:
    if case.adapter_class.can_reconcile:
        pytest.skip(f"{case.adapter_class.name} can look posts up")
    with pytest.raises(AmbiguousPublishError):
        case.adapter().reconcile(case.post, {})


def test_post_payload_ref_defaults_to_empty_and_keeps_the_payload_hashable() -> None:
    post = make_post()
    retry = make_post(ref={"container_id": "17890000000000001"})
    assert post.ref == {}
    assert retry.ref["container_id"] == "17890000000000001"
    assert post != retry
    assert hash(post) == hash(retry)  # ref is left out of the hash, not out of equality


def test_adapter_declares_a_display_label(case: AdapterCase) -> None:
    label = case.adapter_class.label
    assert isinstance(label, str)
    assert label
    assert label.lower().replace(" ", "") == case.adapter_class.name
