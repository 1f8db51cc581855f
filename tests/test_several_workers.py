"""Three `siar run` processes on one PostgreSQL database publish a burst due in one minute
across several provinces to fakes answering in 200 ms; one is SIGKILLed mid-burst.
Counted at the fakes: nothing delivered twice, nothing lost, never two requests at once
to one account, no quota exceeded (tests/multiworker.py).

The full national size (38 provinces, 514 regencies: 552 offices, 2,760 accounts, plus
busy and quota-bound accounts: 2,840 posts) takes about two minutes here on two shared
cores; bench/several_workers.py prints the same run's figures."""

from pathlib import Path

import pytest

from tests.multiworker import Config, several_workers

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_three_workers_one_killed_nothing_twice_nothing_lost(tmp_path: Path,
                                                             database_url: str) -> None:
    config = Config.national()
    outcome = several_workers(tmp_path, database_url, config, progress=print)
    print(outcome.summary())
    assert not outcome.problems, "\n".join(outcome.problems[:50])
    assert outcome.statuses["published"] > outcome.posts // 2
    assert outcome.deferred == 2 * config.busy_accounts  # the quota held two each
    assert outcome.max_in_flight == 1
