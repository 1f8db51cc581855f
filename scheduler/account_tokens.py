"""Connected accounts: credentials an admin gave Siar for an account, kept sealed in the
database (scheduler.secretbox), read by the worker, replaced by a refresh, rotated to a
new SIAR_SECRET_KEY.

Credentials from the environment (the variables an account names in content/regions)
keep working and win over stored ones, field by field.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from scheduler.accounts import find_account
from scheduler.errors import InputError
from scheduler.models import Account, AccountToken
from scheduler.permissions import Action, require, require_role, scope_condition
from scheduler.secretbox import SecretBox
from scheduler.users import Actor

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
EXPIRY_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown of a connection: the account, the fields held (names only), and
    the times; never a value."""

    account: str  # region/platform
    fields: tuple[str, ...]
    expires_at: datetime | None
    refresh_expires_at: datetime | None
    connected_at: datetime
    connected_by: str
    refreshed_at: datetime | None
    version: int


def connectable(session: Session, *, actor: Actor, key: str) -> Account:
    """The account `key` (region/platform), when the actor may connect it: an admin
    covering its region."""
    account = find_account(session, actor=actor, key=key)
    require(session, actor, Action.CONNECT, [account.region_key])
    return account


def _info(account: Account, row: AccountToken) -> TokenInfo:
    return TokenInfo(f"{account.region_key}/{account.platform}", tuple(row.fields or ()),
                     row.expires_at, row.refresh_expires_at, row.connected_at,
                     row.connected_by, row.refreshed_at, row.version)


def _checked(values: Mapping[str, str]) -> dict[str, str]:
    if not values:
        raise InputError("tidak ada kredensial yang diberikan")
    for name, value in values.items():
        if not FIELD_NAME.fullmatch(name):
            raise InputError(f"nama kolom kredensial tidak sah: {name!r} (huruf kecil, angka, _)")
        if not value or not value.strip():
            raise InputError(f"kredensial {name} kosong")
    return {name: value.strip() for name, value in values.items()}


def connect(session: Session, *, actor: Actor, account_key: str, values: Mapping[str, str],
            box: SecretBox, now: datetime, expires_at: datetime | None = None,
            refresh_expires_at: datetime | None = None) -> TokenInfo:
    """Store (or replace) an account's credentials, sealed. Admins only, in their scope."""
    account = connectable(session, actor=actor, key=account_key)
    fields = _checked(values)
    assert account.id is not None
    row = session.get(AccountToken, account.id)
    if row is None:
        row = AccountToken(account_id=account.id, sealed="", connected_at=now,
                           connected_by=actor.name, version=0)
    row.sqlmodel_update({
        "sealed": box.seal(fields), "fields": sorted(fields), "expires_at": expires_at,
        "refresh_expires_at": refresh_expires_at, "connected_at": now,
        "connected_by": actor.name, "refreshed_at": None, "version": row.version + 1})
    session.add(row)
    session.flush()
    return _info(account, row)


def disconnect(session: Session, *, actor: Actor, account_key: str) -> bool:
    """Forget an account's stored credentials (its posts wait until it is connected again
    or has them in the environment). False when nothing was stored."""
    account = connectable(session, actor=actor, key=account_key)
    row = session.get(AccountToken, account.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def stored_credentials(session: Session, *, account_id: int,
                       box: SecretBox) -> dict[str, str]:
    """The account's stored credentials, opened (for a refresh; never shown)."""
    row = session.get(AccountToken, account_id)
    return box.open(row.sealed) if row is not None else {}


def replace_after_refresh(session: Session, *, account_id: int, read_version: int,
                          values: Mapping[str, str], box: SecretBox, now: datetime,
                          expires_at: datetime | None,
                          refresh_expires_at: datetime | None) -> bool:
    """Store refreshed credentials only if nobody changed them since `read_version` was
    read. False: another worker (or an admin) got there first; re-read and use theirs."""
    row = session.get(AccountToken, account_id)
    if row is None:
        return False
    merged = {**box.open(row.sealed), **_checked(values)}
    result = session.execute(
        update(AccountToken)
        .where(col(AccountToken.account_id) == account_id,
               col(AccountToken.version) == read_version)
        .values(sealed=box.seal(merged), fields=sorted(merged), expires_at=expires_at,
                refresh_expires_at=refresh_expires_at, refreshed_at=now,
                version=read_version + 1)
        .execution_options(synchronize_session=False))
    session.expire(row)
    return bool(getattr(result, "rowcount", 0) == 1)


def connections(session: Session, *, actor: Actor) -> list[TokenInfo]:
    """The connected accounts the actor covers, by account."""
    require_role(actor, Action.VIEW)
    rows = session.exec(
        select(Account, AccountToken)
        .join(AccountToken, col(AccountToken.account_id) == col(Account.id))
        .where(scope_condition(session, actor, col(Account.region_key)))
        .order_by(col(Account.region_key), col(Account.platform)))
    return [_info(account, row) for account, row in rows]


def rotate(session: Session, *, actor: Actor, box: SecretBox) -> int:
    """Seal every stored credential again with the current SIAR_SECRET_KEY (after the old
    value moved to SIAR_SECRET_KEYS_OLD). All or nothing: one that cannot be opened stops
    the rotation before anything is written. Only an admin covering every connected
    account may rotate (a province admin, where the database holds one province)."""
    found = list(session.exec(select(AccountToken, Account).join(
        Account, col(Account.id) == col(AccountToken.account_id))
        .order_by(col(AccountToken.account_id))))
    require(session, actor, Action.CONNECT, {account.region_key for _, account in found})
    resealed = [(row, box.reseal(row.sealed)) for row, _ in found]
    for row, sealed in resealed:
        row.sealed = sealed
        row.version += 1
        session.add(row)
    session.flush()
    return len(resealed)
