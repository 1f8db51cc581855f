"""The election calendar as people ask about it: all stages, or those active on a day."""

from dataclasses import dataclass
from datetime import date

from scheduler.content.model import Catalog, Election, Stage
from scheduler.errors import InputError, UnknownRegionError


@dataclass(frozen=True)
class StageRow:
    election: Election
    stage: Stage
    depth: int  # 0 for a main stage, 1 for a sub-stage, ...


@dataclass(frozen=True)
class Countdown:
    election: Election
    days: int  # voting day minus the day asked about


def elections_for(catalog: Catalog, election_key: str | None,
                  region: str | None = None) -> list[Election]:
    """The elections asked for, in `region`'s own calendar when one is given."""
    if region is not None and region not in catalog.regions:
        raise UnknownRegionError(f"wilayah tidak dikenal: {region!r} (contoh: "
                                 f"{', '.join(list(catalog.regions)[:3])})")
    if election_key is not None and election_key not in catalog.elections:
        raise InputError(f"pemilihan tidak dikenal: {election_key!r} (pilihan: "
                         f"{', '.join(catalog.elections)})")
    keys = [election_key] if election_key is not None else list(catalog.elections)
    return [catalog.calendar(key, region) for key in keys]


def stage_rows(catalog: Catalog, election_key: str | None = None,
               on: date | None = None, *, region: str | None = None) -> list[StageRow]:
    """Stages in calendar order (sub-stages under their parent); only active ones if `on`;
    with `region`, in that region's calendar."""
    rows: list[StageRow] = []
    for election in elections_for(catalog, election_key, region):
        children: dict[str | None, list[Stage]] = {}
        for stage in election.stages:
            children.setdefault(stage.parent, []).append(stage)
        for stages in children.values():
            stages.sort(key=lambda s: (s.start or date.max, s.end or date.max))

        _walk(rows, election, children, None, 0, on)
    return rows


def _walk(rows: list[StageRow], election: Election, children: dict[str | None, list[Stage]],
          parent: str | None, depth: int, on: date | None) -> None:
    for stage in children.get(parent, []):
        if on is None or stage.active_on(on):
            rows.append(StageRow(election, stage, depth))
        _walk(rows, election, children, stage.key, depth + 1, on)


def countdowns(catalog: Catalog, on: date, election_key: str | None = None, *,
               region: str | None = None) -> list[Countdown]:
    """Days from `on` to each election's voting day (negative once it has passed)."""
    return [
        Countdown(e, (e.voting_day - on).days)
        for e in elections_for(catalog, election_key, region)
        if e.voting_day is not None
    ]
