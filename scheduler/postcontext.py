"""The variables a post template sees (documented in templates/README.md)."""

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime, time
from typing import Any

from scheduler.content.model import Account, Election, Region, Stage

# The variables of slot_vars: they differ from day to day (scheduler.slot_keys).
SLOT_NAMES = frozenset({"slot", "today", "days_to_voting", "days_to_stage",
                        "days_left_in_stage"})
_PLAIN = (str, int, float, bool, type(None), date, time)


def region_vars(region: Region, election_key: str | None = None) -> dict[str, Any]:
    facts = asdict(region.facts_for(election_key or ""))
    facts["hashtags"] = list(facts["hashtags"])
    return {
        "key": region.key,
        "name": region.name,
        "area": region.area,
        "short_area": region.short_area or _plain_area(region),
        "kind": region.kind,
        "website": region.website,
        "hashtag": region.hashtag,
        "facts": facts,
    }


def _plain_area(region: Region) -> str:
    """"Jawa Timur" for "Provinsi Jawa Timur", "Blitar" for "Kota Blitar"."""
    for prefix in ("Provinsi ", "Kabupaten ", "Kota "):
        if region.area.startswith(prefix):
            return region.area[len(prefix):]
    return region.area


def election_vars(election: Election) -> dict[str, Any]:
    return {
        "key": election.key,
        "name": election.name,
        "short_name": election.short_name,
        "voting_day": election.voting_day,
        "dpt_final_from": election.final_voter_list_from,
        "hashtags": list(election.hashtags),
    }


def stage_vars(stage: Stage) -> dict[str, Any]:
    return {
        "key": stage.key,
        "name": stage.name,
        "name_en": stage.name_en,
        "start": stage.start,
        "end": stage.end,
        "time": stage.time,
        "regional": stage.regional,
    }


def slot_vars(election: Election, stage: Stage, slot: datetime) -> dict[str, Any]:
    """Per-slot values; `slot` must already be in the region's local zone."""
    today = slot.date()
    voting_day = election.voting_day
    return {
        "slot": slot,
        "today": today,
        "days_to_voting": (voting_day - today).days if voting_day else None,
        "days_to_stage": (stage.start - today).days if stage.start else None,
        "days_left_in_stage": (stage.end - today).days if stage.end else None,
    }


def post_context(
    *,
    region: Region,
    province: Region,
    election: Election,
    stage: Stage,
    slot: datetime,
    account: Account,
    links: Mapping[str, str],
) -> dict[str, Any]:
    """Everything for one post (planning builds the same thing from cached pieces).
    `election` is the region's calendar of it (Catalog.calendar)."""
    return {
        "region": region_vars(region, election.key),
        "province": region_vars(province, election.key),
        "tautan": links,
        "election": election_vars(election),
        "stage": stage_vars(stage),
        **slot_vars(election, stage, slot.astimezone(region.timezone)),
        "platform": account.platform,
        "account": {"handle": account.handle},
    }


def plain(value: Any) -> object:
    """A hashable stand-in for a plain value, equal exactly when the values render alike:
    the type is part of it (1, 1.0 and True are equal in Python, not on the page), and an
    instant keeps its zone and fold (equal instants in two zones show two wall times)."""
    if type(value) is datetime:
        return (datetime, value, value.tzinfo, value.fold)
    if type(value) in _PLAIN:
        return (type(value), value)
    if type(value) in (tuple, list):
        return (type(value), *map(plain, value))
    raise TypeError(f"no cache key for a {type(value).__name__}")
