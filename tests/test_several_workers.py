"""Three `siar run` processes on one PostgreSQL database publish a burst due in one minute
across several provinces to fakes answering in 200 ms; one is SIGKILLed mid-burst.
Counted at the fakes: nothing delivered twice, nothing lost, never two requests at once
to one account, no quota exceeded (tests/multiworker.py).

The set here is smaller than the national one (bench/several_workers.py runs 552 offices
and 2,760 posts) so that it fits CI's budget on two cores."""

from pathlib import Path

import pytest

from tests.multiworker import Config, several_workers

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_three_workers_one_killed_nothing_twice_nothing_lost(tmp_path: Path,
                                                             database_url: str) -> None:
    # 60 offices, 300 accounts; 30 requests at once per worker, so that no worker can
    # take the whole burst alone.
    config = Config(provinces=6, regencies=9, concurrency=30)
    outcome = several_workers(tmp_path, database_url, config, progress=print)
    print(outcome.summary())
    assert not outcome.problems, "\n".join(outcome.problems[:50])
    assert outcome.statuses["published"] > outcome.posts // 2
    assert outcome.deferred == 2 * config.busy_accounts  # the quota held two each
    assert outcome.max_in_flight == 1
