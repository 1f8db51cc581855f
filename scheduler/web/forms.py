"""Reading the shared filter forms (query strings) into service filters, with the same
checks as the command line: an unknown region, platform, stage or status is an error
that names the value, never a silently empty list."""

from collections.abc import Sequence
from datetime import date

from fastapi import Request
from sqlmodel import Session, select

from scheduler.content.model import Catalog
from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.filter_values import check_stages, check_statuses
from scheduler.models import Region
from scheduler.platforms import registered
from scheduler.posts import PostFilter


def values(request: Request, name: str) -> list[str]:
    """Every non-empty value of a repeated or comma-separated query field."""
    out: list[str] = []
    for raw in request.query_params.getlist(name):
        out += [v.strip() for v in raw.split(",") if v.strip()]
    return out


def one_date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{name}: tanggal tidak valid: {raw!r} (contoh: 2024-02-14)") from None


def checked(session: Session, catalog: Catalog, *, regions: Sequence[str] = (),
            platforms: Sequence[str] = (), stages: Sequence[str] = (),
            statuses: Sequence[str] = ()) -> None:
    known_regions = set(session.exec(select(Region.key))) if regions else set()
    for region in regions:
        if region not in known_regions:
            raise UnknownRegionError(f"wilayah tidak dikenal: {region!r}")
    for platform in platforms:
        if platform not in registered():
            raise UnknownPlatformError(f"platform tidak dikenal: {platform!r} (pilihan: "
                                       f"{', '.join(registered())})")
    # Regions come from the database and platforms from the adapters' limits here; stages
    # and statuses are checked as on the command line (scheduler.filter_values).
    check_stages(catalog, stages, option=None)
    check_statuses(statuses, option=None)


def post_filter(request: Request, session: Session, catalog: Catalog) -> PostFilter:
    """The posts filters of a page: wilayah, platform, tahapan, status, dari, sampai."""
    filters = PostFilter(regions=values(request, "wilayah"),
                         platforms=values(request, "platform"),
                         stages=values(request, "tahapan"), statuses=values(request, "status"),
                         batch=request.query_params.get("batch") or None,
                         date_from=one_date(request, "dari"),
                         date_to=one_date(request, "sampai"))
    checked(session, catalog, regions=filters.regions, platforms=filters.platforms,
            stages=filters.stages, statuses=filters.statuses)
    filters.validate()
    return filters
