"""Regions and accounts in the database, kept in step with content/regions/."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from scheduler.content.model import Catalog
from scheduler.errors import InputError, NotFoundError
from scheduler.models import Account, Region
from scheduler.permissions import Action, require, require_role, scope_condition
from scheduler.users import Actor


@dataclass(frozen=True)
class SyncSummary:
    regions: int
    accounts_added: int
    accounts_updated: int
    accounts_disabled: int


def sync_accounts(session: Session, *, catalog: Catalog, now: datetime) -> SyncSummary:
    """Upsert every region and account from content. Accounts that left the content are
    disabled, not deleted: their posts and history stay."""
    existing_regions = {r.key: r for r in session.exec(select(Region))}
    for spec in catalog.regions.values():
        values: dict[str, Any] = {
            "name": spec.name, "area": spec.area, "kind": spec.kind,
            "province_key": spec.province_key, "website": spec.website,
            "hashtag": spec.hashtag, "timezone": spec.timezone.key, "synced_at": now,
        }
        region = existing_regions.get(spec.key)
        if region is None:
            region = Region(key=spec.key, **values)
        else:
            region.sqlmodel_update(values)
        session.add(region)
    session.flush()

    existing = {(a.region_key, a.platform): a for a in session.exec(select(Account))}
    wanted = {(a.region_key, a.platform): a for a in catalog.accounts()}
    added = updated = disabled = 0
    for key, account in wanted.items():
        fields: dict[str, Any] = {
            "handle": account.handle, "enabled": account.enabled, "url": account.url,
            "placeholder": account.placeholder, "credential_names": dict(account.credentials),
        }
        row = existing.get(key)
        if row is None:
            row = Account(region_key=account.region_key, platform=account.platform,
                          synced_at=now, **fields)
            added += 1
        else:
            if any(getattr(row, name) != value for name, value in fields.items()):
                updated += 1
            row.sqlmodel_update({**fields, "synced_at": now})
        session.add(row)
    for key, row in existing.items():
        if key not in wanted and row.enabled:
            row.sqlmodel_update({"enabled": False, "synced_at": now})
            session.add(row)
            disabled += 1
    session.flush()
    return SyncSummary(len(catalog.regions), added, updated, disabled)


def account_ids(session: Session) -> dict[tuple[str, str], Account]:
    return {(a.region_key, a.platform): a for a in session.exec(select(Account))}


def list_accounts(session: Session, *, actor: Actor) -> list[Account]:
    """The accounts of the regions the actor covers."""
    require_role(actor, Action.VIEW)
    in_scope = scope_condition(session, actor, col(Account.region_key))
    return list(session.exec(select(Account).where(in_scope)
                             .order_by(col(Account.region_key), col(Account.platform))))


def find_account(session: Session, *, actor: Actor, key: str) -> Account:
    """An account by its key, region/platform (e.g. kota-blitar/instagram), if it lies in
    the actor's scope."""
    account = _account(session, key)
    require(session, actor, Action.VIEW, [account.region_key])
    return account


def _account(session: Session, key: str) -> Account:
    region, _, platform = key.partition("/")
    account = session.exec(select(Account).where(col(Account.region_key) == region,
                                                 col(Account.platform) == platform)).first()
    if account is None:
        raise NotFoundError(f"akun tidak dikenal: {key!r} (bentuk: wilayah/platform, mis. "
                            "kota-blitar/instagram)")
    return account


def pause_account(session: Session, *, actor: Actor, key: str, now: datetime,
                  reason: str) -> Account:
    """Stop publishing to an account; its posts wait (held), none is lost."""
    account = _account(session, key)
    require(session, actor, Action.PAUSE, [account.region_key])
    if not reason.strip():
        raise InputError("menjeda akun perlu alasan (--note)")
    account.paused_at, account.paused_reason = now, f"{reason.strip()} ({actor.name})"
    session.add(account)
    return account


def resume_account(session: Session, *, actor: Actor, key: str) -> Account:
    """Publish to the account again (after its token was renewed, for example)."""
    account = _account(session, key)
    require(session, actor, Action.PAUSE, [account.region_key])
    if account.paused_at is None:
        raise InputError(f"akun {key} tidak sedang dijeda")
    account.paused_at = account.paused_reason = None
    session.add(account)
    return account
