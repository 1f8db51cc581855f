"""Checking the filter options of a command (--region, --platform, --stage, --status,
--election) before it runs: an unknown value is exit 2 with the nearest valid values."""

from collections.abc import Sequence
from typing import Annotated

import typer

from scheduler import filter_values
from scheduler.cli.state import AppState

RegionOption = Annotated[list[str] | None, typer.Option(
    "--region", help="Kunci wilayah (boleh berulang), mis. kota-blitar.")]
PlatformOption = Annotated[list[str] | None, typer.Option(
    "--platform", help="Platform (boleh berulang): facebook, instagram, x, threads, telegram.")]


def check_filters(state: AppState, *, regions: Sequence[str] | None = (),
                  platforms: Sequence[str] | None = (), stages: Sequence[str] | None = (),
                  statuses: Sequence[str] | None = (),
                  elections: Sequence[str] | None = ()) -> None:
    """Raises InputError on the first unknown value. The catalog is loaded only when a
    value needs it, so a command without such filters reads no content."""
    if regions or platforms or stages or elections:
        catalog = state.catalog
        filter_values.check_regions(catalog, regions or ())
        filter_values.check_platforms(catalog, platforms or ())
        filter_values.check_elections(catalog, elections or ())
        filter_values.check_stages(catalog, stages or ())
    filter_values.check_statuses(statuses or ())


def one(value: str | None) -> tuple[str, ...]:
    """A single-valued option as the sequence check_filters takes (never its letters)."""
    return () if value is None else (value,)
