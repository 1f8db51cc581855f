"""Fixtures for the adapter tests: a fixed clock, a session that ignores proxy settings,
and `case`, which runs a test once per registered adapter against its fake platform."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scheduler.adapters.registry import load_adapters
from scheduler.clock import FixedClock

from .cases import CASE_BUILDERS, NOW, AdapterCase, Env


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.trust_env = False  # a proxy from the environment must not see 127.0.0.1 calls
        yield http


@pytest.fixture
def env(session: requests.Session, clock: FixedClock, tmp_path: Path) -> Env:
    return Env(session, clock, tmp_path)


@pytest.fixture(params=sorted(load_adapters()))
def case(request: pytest.FixtureRequest, env: Env) -> Iterator[AdapterCase]:
    """Every registered adapter with its fake started; a module about one platform
    narrows it with `pytest.mark.parametrize("case", ["x"], indirect=True)`."""
    builder = CASE_BUILDERS.get(request.param)
    if builder is None:
        pytest.fail(f"adapter {request.param!r} is registered but has no contract case in "
                    "tests/adapters/cases.py")
    with builder(env) as adapter_case:
        yield adapter_case

