"""Preparing a database and checking content: the services behind `siar init` and `check`."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from scheduler.accounts import SyncSummary, sync_accounts
from scheduler.catalog_cache import cached_catalog
from scheduler.checks.post_checks import CheckSettings
from scheduler.content.model import Catalog
from scheduler.content_check import check_rules
from scheduler.db import session_scope
from scheduler.errors import ContentError, Problem
from scheduler.migrate import upgrade_database
from scheduler.planning_activities import activity_problems
from scheduler.rendering import PostRenderer


@dataclass(frozen=True)
class InitResult:
    revision_before: str | None
    revision_after: str
    sync: SyncSummary


def initialize(engine: Engine, catalog: Catalog, now: datetime) -> InitResult:
    """Create or upgrade the schema, then sync regions and accounts from content."""
    before, after = upgrade_database(engine)
    with session_scope(engine, write=True) as session:
        summary = sync_accounts(session, catalog=catalog, now=now)
    return InitResult(before, after, summary)


@dataclass(frozen=True)
class CheckResult:
    catalog: Catalog | None
    problems: list[Problem]


def check_content(content_dir: Path, templates_dir: Path, renderer: PostRenderer,
                  checks: CheckSettings | None = None) -> CheckResult:
    """Validate every file, then check every rule: rendered for every account and checked
    like a post, its schedule against the calendar, its image; all problems at once."""
    try:
        catalog = cached_catalog(content_dir, templates_dir)
    except ContentError as exc:
        return CheckResult(None, exc.problems)
    checks = checks or CheckSettings()
    return CheckResult(catalog, check_rules(catalog, renderer, content_dir / "plan.yaml", checks)
                       + activity_problems(catalog, renderer.templates_dir, checks,
                                           content_dir / "partners.yaml"))
