"""The variables a post template sees (documented in templates/README.md)."""

from datetime import datetime
from typing import Any

from scheduler.content.model import Account, Election, Region, Stage


def region_vars(region: Region) -> dict[str, Any]:
    return {
        "key": region.key,
        "name": region.name,
        "area": region.area,
        "kind": region.kind,
        "website": region.website,
        "hashtag": region.hashtag,
    }


def election_vars(election: Election) -> dict[str, Any]:
    return {
        "key": election.key,
        "name": election.name,
        "short_name": election.short_name,
        "voting_day": election.voting_day,
        "hashtags": list(election.hashtags),
    }


def stage_vars(stage: Stage) -> dict[str, Any]:
    return {
        "key": stage.key,
        "name": stage.name,
        "name_en": stage.name_en,
        "start": stage.start,
        "end": stage.end,
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
) -> dict[str, Any]:
    """Everything for one post (planning builds the same thing from cached pieces)."""
    return {
        "region": region_vars(region),
        "province": region_vars(province),
        "election": election_vars(election),
        "stage": stage_vars(stage),
        **slot_vars(election, stage, slot.astimezone(region.timezone)),
        "platform": account.platform,
        "account": {"handle": account.handle},
    }
