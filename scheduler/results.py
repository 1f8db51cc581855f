"""Results released per region: `siar results announce` records that a region's results
of one stage were officially announced, and the checks read those records.

A results template (front matter `results: true`) is held until its region's results
stage has begun in the region's own calendar at its recorded time, or until a reviewer or
admin of that region records the announcement here, whichever comes first (see
scheduler.checks.post_checks.results_problem). The hold is checked when a post is
planned, approved, and at the moment of publishing.

A results stage nobody could date in advance (a regency's winner declaration, which
waits for the Constitutional Court) is dated by its announcement: planning sees the
announcement's local day and time as that stage's dates for the region (and, for a
province, for its regencies without dates of their own; for the nation, for every
province and regency without them), so the rule that posts during
it plans that day's post, released from the announced minute.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from scheduler.checks.post_checks import CheckSettings, Releases
from scheduler.clock import real_now
from scheduler.content.model import RESULTS, Catalog, Region, StageDates
from scheduler.errors import InputError, UnknownRegionError
from scheduler.models import ResultRelease
from scheduler.permissions import Action, covers, require
from scheduler.users import Actor

RELEASES = ResultRelease.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Announcement:
    release: ResultRelease
    earlier: datetime | None  # the region's calendar start of that stage, if dated


def read_releases(connection: Session | Connection) -> Releases:
    """Every recorded announcement, earliest first per (election, stage, region)."""
    rows = connection.execute(select(
        RELEASES.c.election_key, RELEASES.c.stage_key, RELEASES.c.region_key,
        RELEASES.c.announced_at)).all()
    found: dict[tuple[str, str, str], datetime] = {}
    for election, stage, region, at in rows:
        key = (election, stage, region)
        if key not in found or at < found[key]:
            found[key] = at
    return found


def with_releases(session: Session | Connection, *, checks: CheckSettings) -> CheckSettings:
    """`checks` that also know the recorded announcements."""
    return replace(checks, releases=read_releases(session))


def announced_calendar(session: Session | Connection, *, catalog: Catalog) -> Catalog:
    """`catalog` with every undated results stage that has a recorded announcement dated
    by it, region by region (the nation's announcement reaches every province and regency,
    a province's its regencies)."""
    releases = read_releases(session)
    regions = dict(catalog.regions)
    for (election, stage, key), at in sorted(releases.items(), key=lambda item: item[1]):
        announced = regions.get(key)
        if announced is None or election not in catalog.elections:
            continue
        for region in _reached(announced, list(regions.values())):
            regions[region.key] = _dated(region, catalog, election, stage, at)
    if all(regions[key] is catalog.regions[key] for key in regions):
        return catalog
    return replace(catalog, regions=regions)


def _reached(announced: Region, regions: list[Region]) -> list[Region]:
    """The regions an announcement for `announced` reaches: the nation's every region, a
    province's itself and its regencies, a regency's itself."""
    if announced.is_nation:
        return regions
    if announced.is_province:
        return [r for r in regions if r.province_key == announced.key]
    return [announced]


def _dated(region: Region, catalog: Catalog, election: str, stage: str,
           at: datetime) -> Region:
    """`region` with `stage` dated by an announcement at `at`, unless it has dates."""
    calendar = catalog.calendar(election, region.key)
    known = next((s for s in calendar.stages if s.key == stage), None)
    if known is None or known.start is not None or RESULTS not in known.tags:
        return region
    if region.dates.get(election, {}).get(stage) is not None:
        return region  # an earlier announcement dated it
    local = at.astimezone(region.timezone)
    day = StageDates(local.date(), local.date(), local.time().replace(second=0, microsecond=0),
                     notes="tanggal dari pengumuman hasil yang dicatat (siar results announce)")
    dates = {e: dict(stages) for e, stages in region.dates.items()}
    dates.setdefault(election, {})[stage] = day
    return replace(region, dates=dates)


def announce(session: Session, *, actor: Actor, catalog: Catalog, election: str, stage: str,
             region: str, at: datetime, now: datetime, note: str | None = None) -> Announcement:
    """Record that `region`'s results of `stage` were announced at `at` (aware)."""
    require(session, actor, Action.ANNOUNCE, ())
    if election not in catalog.elections:
        raise InputError(f"pemilihan tidak dikenal: {election!r} (pilihan: "
                         f"{', '.join(catalog.elections)})")
    if region not in catalog.regions:
        raise UnknownRegionError(f"wilayah tidak dikenal: {region!r}")
    require(session, actor, Action.ANNOUNCE, (region,))
    calendar = catalog.calendar(election, region)
    results = [s for s in calendar.stages if RESULTS in s.tags]
    chosen = next((s for s in results if s.key == stage), None)
    if chosen is None:
        raise InputError(f"{stage!r} bukan tahapan hasil {election} (pilihan: "
                         f"{', '.join(s.key for s in results)})")
    if at > now:
        raise InputError("waktu pengumuman ada di masa depan: catat setelah hasil diumumkan")
    release = ResultRelease(election_key=election, stage_key=stage, region_key=region,
                            announced_at=at, actor=actor.name, note=note,
                            recorded_at=real_now())
    session.add(release)
    session.flush()
    zone = catalog.regions[region].timezone
    return Announcement(release, chosen.begins_at(zone))


def list_announcements(session: Session, *, actor: Actor,
                       election: str | None = None) -> Sequence[ResultRelease]:
    """The recorded announcements the actor may see (their region, or their province's)."""
    query = select(ResultRelease).order_by(col(ResultRelease.announced_at))
    if election is not None:
        query = query.where(col(ResultRelease.election_key) == election)
    rows = session.scalars(query).all()
    keys = {row.region_key for row in rows}
    visible = {key for key in keys if covers(session, actor, key)}
    return [row for row in rows if row.region_key in visible]
