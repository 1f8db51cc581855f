"""The Graph API error envelope shared by Facebook, Instagram and Threads (meta.py)."""

import json

import pytest
import requests

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishError,
    ReauthorizationRequired,
    TransientPublishError,
)
from scheduler.adapters.meta import QUOTA_RETRY_AFTER, graph_failure, usage_wait

from .cases import AdapterCase

on_facebook = pytest.mark.parametrize("case", ["facebook"], indirect=True)


def graph_response(status: int, code: int | None = None, subcode: int | None = None,
                   kind: str = "OAuthException", headers: dict[str, str] | None = None,
                   body: bytes | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    error = {"message": f"(#{code}) pesan platform", "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    response._content = body if body is not None else json.dumps({"error": error}).encode()
    response.headers.update(headers or {})
    return response


@on_facebook
@pytest.mark.parametrize(("status", "code", "subcode", "kind", "expected"), [
    (400, 1, None, "OAuthException", TransientPublishError),
    (503, 2, None, "OAuthException", TransientPublishError),
    (400, 4, None, "OAuthException", TransientPublishError),
    (400, 17, None, "OAuthException", TransientPublishError),
    (400, 32, None, "OAuthException", TransientPublishError),
    (400, 341, None, "OAuthException", TransientPublishError),
    (400, 368, 1390008, "OAuthException", TransientPublishError),
    (400, 613, None, "OAuthException", TransientPublishError),
    (400, 80001, None, "OAuthException", TransientPublishError),
    (400, 190, 463, "OAuthException", ReauthorizationRequired),
    (400, 190, None, "OAuthException", ReauthorizationRequired),
    (403, 10, None, "OAuthException", ReauthorizationRequired),
    (403, 200, None, "OAuthException", ReauthorizationRequired),
    (403, 299, None, "OAuthException", ReauthorizationRequired),
    (400, 102, None, "OAuthException", ReauthorizationRequired),  # OAuth without subcode
    (400, 100, 1404078, "OAuthException", ReauthorizationRequired),
    (400, 506, None, "OAuthException", AmbiguousPublishError),
    (400, 100, None, "OAuthException", PermanentPublishError),  # bad parameter, not the token
    (400, 100, 33, "GraphMethodException", ReauthorizationRequired),  # gone or no access
    (400, 1609005, None, "FacebookApiException", PermanentPublishError),
    (400, 9, 2207042, "OAuthException", TransientPublishError),
    (500, 99999, None, "FacebookApiException", TransientPublishError),
])
def test_graph_codes_map_to_typed_errors(case: AdapterCase, status: int, code: int,
                                         subcode: int | None, kind: str,
                                         expected: type[PublishError]) -> None:
    error = graph_failure(case.adapter(), graph_response(status, code, subcode, kind))
    assert type(error) is expected
    assert error.status == status
    assert error.platform_message == f"(#{code}) pesan platform"


@on_facebook
def test_daily_cap_waits_at_least_an_hour(case: AdapterCase) -> None:
    error = graph_failure(case.adapter(), graph_response(400, 9, 2207042))
    assert isinstance(error, TransientPublishError)
    assert error.retry_after == QUOTA_RETRY_AFTER


@on_facebook
def test_body_without_envelope_is_classified_by_status(case: AdapterCase) -> None:
    adapter = case.adapter()
    bad_gateway = graph_response(502, body=b"<html>502 Bad Gateway</html>")
    teapot = graph_response(418, body=b"no")
    assert isinstance(graph_failure(adapter, bad_gateway), TransientPublishError)
    assert isinstance(graph_failure(adapter, teapot), PermanentPublishError)


def test_usage_wait_reads_both_usage_headers_in_minutes() -> None:
    buc = {"1029384756": [{"type": "pages", "estimated_time_to_regain_access": 3},
                          {"type": "instagram", "estimated_time_to_regain_access": 12}]}
    app = {"call_count": 100, "estimated_time_to_regain_access": 5}
    both = graph_response(400, 4, headers={"X-Business-Use-Case-Usage": json.dumps(buc),
                                           "X-App-Usage": json.dumps(app)})
    only_app = graph_response(400, 4, headers={"X-App-Usage": json.dumps(app)})
    assert usage_wait(both) == 720.0
    assert usage_wait(only_app) == 300.0


@pytest.mark.parametrize("header", ["", "not json", "[1, 2]", '{"call_count": 100}',
                                    '{"1": [{"estimated_time_to_regain_access": 0}]}'])
def test_usage_wait_is_unknown_without_an_estimate(header: str) -> None:
    assert usage_wait(graph_response(400, 4, headers={"X-App-Usage": header})) is None
