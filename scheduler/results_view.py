"""Hasil: the web page's side of results announcements (scheduler.results does the
recording): the results stages to choose from, the recorded announcements in the viewer's
scope with their office's local time, and the form as typed, read in the office's zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlmodel import Session

from scheduler.content.model import RESULTS, Catalog
from scheduler.errors import InputError
from scheduler.localtime import format_compact
from scheduler.results import Announcement, announce, list_announcements
from scheduler.users import Actor

MAX_NOTE = 500  # characters: a decree number, a place, a short remark


@dataclass(frozen=True)
class ResultsStage:
    """One results-tagged stage of one election, as the form offers it."""

    election: str
    stage: str
    label: str  # "Uji 2024 — Penetapan hasil"

    @property
    def value(self) -> str:
        return f"{self.election}/{self.stage}"


@dataclass(frozen=True)
class AnnouncementRow:
    """A recorded announcement as the list shows it."""

    election: str
    election_name: str
    stage: str
    stage_name: str
    region: str
    region_name: str
    announced_at: datetime  # in the office's zone
    actor: str
    note: str

    @property
    def announced_label(self) -> str:
        """2024-03-01 16.00 WIB, in the office's own zone."""
        zone = self.announced_at.tzinfo
        assert zone is not None
        return format_compact(self.announced_at, zone)


@dataclass(frozen=True)
class AnnouncementForm:
    """The form as typed (kept when it comes back with a refusal)."""

    stage: str = ""  # ResultsStage.value: "election/stage"
    region: str = ""
    day: str = ""  # YYYY-MM-DD, the office's local date
    at: str = ""  # HH:MM, the office's local time
    note: str = ""


def results_stages(catalog: Catalog) -> list[ResultsStage]:
    """Every results-tagged stage of every election, in the content's order."""
    return [ResultsStage(e.key, s.key, f"{e.short_name} — {s.name}")
            for e in catalog.elections.values() for s in e.stages if RESULTS in s.tags]


def office_zone(catalog: Catalog, region: str, fallback: tzinfo) -> tzinfo:
    """The zone an office's times are read and shown in (`fallback` for a region no
    longer, or not, in the content)."""
    known = catalog.regions.get(region)
    return known.timezone if known else fallback


def announcement_rows(session: Session, *, actor: Actor, catalog: Catalog,
                      fallback: tzinfo, election: str | None = None) -> list[AnnouncementRow]:
    """The announcements the actor may see, the latest first, each in its office's zone
    (`fallback` for a region no longer in the content)."""
    rows = []
    for release in reversed(list_announcements(session, actor=actor, election=election)):
        known = catalog.elections.get(release.election_key)
        stage = next((s for s in known.stages if s.key == release.stage_key), None) \
            if known else None
        region = catalog.regions.get(release.region_key)
        at = release.announced_at.astimezone(office_zone(catalog, release.region_key,
                                                         fallback))
        rows.append(AnnouncementRow(
            election=release.election_key,
            election_name=known.short_name if known else release.election_key,
            stage=release.stage_key, stage_name=stage.name if stage else release.stage_key,
            region=release.region_key, region_name=region.name if region else release.region_key,
            announced_at=at, actor=release.actor, note=release.note or ""))
    return rows


def office_instant(catalog: Catalog, *, region: str, day: str, at: str,
                   fallback: tzinfo) -> datetime:
    """The typed date and time read in `region`'s zone (`fallback` for an unknown
    region, which the recording then refuses by name)."""
    try:
        local_day = date.fromisoformat(day.strip())
    except ValueError:
        raise InputError(f"tanggal tidak valid: {day!r} (contoh: 2024-03-01)") from None
    local_time = _clock_time(at.strip())
    if local_time is None:
        raise InputError(f"jam tidak valid: {at!r} (contoh: 16:00)")
    return datetime.combine(local_day, local_time.replace(second=0),
                            tzinfo=office_zone(catalog, region, fallback))


def _clock_time(text: str) -> time | None:
    """HH:MM, or HH:MM:SS as some browsers send it (seconds dropped)."""
    for form in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, form).time()
        except ValueError:
            continue
    return None


def record(session: Session, *, actor: Actor, catalog: Catalog, form: AnnouncementForm,
           now: datetime, fallback: tzinfo) -> Announcement:
    """Record the announcement the form describes (scheduler.results.announce checks the
    actor, the region, the stage and that the time has passed)."""
    election, _, stage = form.stage.partition("/")
    if not election or not stage:
        choices = ", ".join(s.value for s in results_stages(catalog))
        raise InputError(f"tahapan hasil tidak valid: {form.stage!r} (pilihan: {choices})")
    note = form.note.strip()
    if len(note) > MAX_NOTE:
        raise InputError(f"catatan terlalu panjang: {len(note)} karakter (paling banyak "
                         f"{MAX_NOTE})")
    when = office_instant(catalog, region=form.region, day=form.day, at=form.at,
                          fallback=fallback)
    return announce(session, actor=actor, catalog=catalog, election=election, stage=stage,
                    region=form.region, at=when, now=now, note=note or None)
