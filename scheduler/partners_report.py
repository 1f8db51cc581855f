"""Partners and joint activities for people: MoUs and PKS with their expiry
(`siar partners`), and joint activities per office and period with the posts planned and
published for them (`siar partners report`)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from scheduler.content.model import Catalog
from scheduler.content.partner_model import Activity, Partner
from scheduler.errors import InputError, UnknownRegionError
from scheduler.models import Post, PostStatus
from scheduler.permissions import Action, covers, require, require_role
from scheduler.users import Actor

ACTIVITY_PREFIX = "activity:"  # plan keys of activity posts: activity:<key>|<account>
PARTNER_FIELDS = ("partner", "name", "kind", "mou_number", "mou_valid_until",
                  "mou_days_left", "agreements", "expiring")
REPORT_FIELDS = ("office", "date", "partner", "activity", "template", "planned", "published")


@dataclass(frozen=True)
class AgreementLine:
    region_key: str
    number: str
    end: date
    days_left: int


@dataclass(frozen=True)
class PartnerLine:
    partner: Partner
    days_left: int | None  # until the MoU ends; None: no MoU
    agreements: tuple[AgreementLine, ...]
    expiring: bool  # the MoU or a PKS shown ends within the window (or has ended)

    def record(self) -> dict[str, object]:
        mou = self.partner.mou
        return {
            "partner": self.partner.key, "name": self.partner.name, "kind": self.partner.kind,
            "mou_number": mou.number if mou else None,
            "mou_valid_until": mou.valid_until.isoformat() if mou else None,
            "mou_days_left": self.days_left,
            "agreements": "; ".join(f"{a.region_key}: {a.number} s.d. {a.end.isoformat()}"
                                    for a in self.agreements),
            "expiring": self.expiring,
        }


def partner_lines(catalog: Catalog, *, today: date, region: str | None = None,
                  expiring_days: int = 60) -> list[PartnerLine]:
    """Every partner (with `region`: those with a PKS of that office or its province),
    with the days left on its MoU and on each PKS."""
    if expiring_days < 0:
        raise InputError("--expiring-days tidak boleh negatif")
    offices: tuple[str, ...] | None = None
    if region is not None:
        found = catalog.regions.get(region)
        if found is None:
            raise UnknownRegionError(f"wilayah tidak dikenal: {region!r}")
        offices = (found.key, found.province_key)
    lines = []
    for partner in catalog.partners.values():
        agreements = partner.agreements if offices is None else tuple(
            partner.agreements_of(offices))
        if offices is not None and not agreements:
            continue
        shown = tuple(AgreementLine(a.region_key, a.number, a.end, (a.end - today).days)
                      for a in agreements)
        days = (partner.mou.valid_until - today).days if partner.mou else None
        ends = [d for d in (days, *(a.days_left for a in shown)) if d is not None]
        lines.append(PartnerLine(partner, days, shown,
                                 any(d <= expiring_days for d in ends)))
    return lines


@dataclass(frozen=True)
class ActivityLine:
    activity: Activity
    office: str  # the office's name
    partner: str  # the partner's name
    planned: int  # posts planned for it (any status)
    published: int

    def record(self) -> dict[str, object]:
        a = self.activity
        return {"office": self.office, "date": a.date.isoformat(), "partner": self.partner,
                "activity": a.title, "template": a.template, "planned": self.planned,
                "published": self.published}


def activity_report(session: Session, *, actor: Actor, catalog: Catalog, date_from: date,
                    date_to: date, regions: Sequence[str] = ()) -> list[ActivityLine]:
    """Joint activities from `date_from` to `date_to` (inclusive) in the actor's scope
    (and in `regions`, when given), by office then date, with their posts counted."""
    require_role(actor, Action.VIEW)
    if date_to < date_from:
        raise InputError(f"tanggal akhir {date_to} lebih awal dari tanggal awal {date_from}")
    for key in regions:
        if key not in catalog.regions:
            raise UnknownRegionError(f"wilayah tidak dikenal: {key!r}")
    require(session, actor, Action.VIEW, regions)
    order = {key: i for i, key in enumerate(catalog.regions)}
    chosen = sorted(
        (a for a in catalog.activities
         if date_from <= a.date <= date_to and (not regions or a.region_key in regions)
         and covers(session, actor, a.region_key)),
        key=lambda a: (order.get(a.region_key, len(order)), a.date, a.key))
    planned, published = _counts(session, {a.key for a in chosen})
    return [ActivityLine(a, catalog.regions[a.region_key].name,
                         catalog.partners[a.partner_key].name, planned[a.key], published[a.key])
            for a in chosen]


def _counts(session: Session, keys: set[str]) -> tuple[Counter[str], Counter[str]]:
    planned: Counter[str] = Counter()
    published: Counter[str] = Counter()
    if not keys:
        return planned, published
    rows = session.exec(select(Post.plan_key, Post.status)
                        .where(col(Post.plan_key).startswith(ACTIVITY_PREFIX)))
    for plan_key, status in rows:
        key = (plan_key or "").removeprefix(ACTIVITY_PREFIX).split("|", 1)[0]
        if key in keys:
            planned[key] += 1
            if status == PostStatus.PUBLISHED:
                published[key] += 1
    return planned, published
