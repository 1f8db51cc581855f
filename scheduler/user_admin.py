"""User administration as authorised services: add, deactivate and reactivate, change a
role or a region, reset a password. An admin acts on users of the regions they cover
(a province admin: the province and its regencies); the machine's administrator
(`MACHINE_ADMIN`, the command line without --as) on everyone. Nobody locks themself
out: an admin cannot deactivate, demote or move their own account."""

from datetime import datetime

from sqlmodel import Session, col, select

from scheduler.cli_sessions import end_cli_sessions_of
from scheduler.errors import InputError, ReviewError
from scheduler.models import Role, User
from scheduler.permissions import Action, require, require_role, scope_condition
from scheduler.users import (
    Actor,
    add_user,
    check_role,
    get_user,
    hash_password,
    region_key_for,
)
from scheduler.websessions import end_sessions_of


def create_user(session: Session, *, actor: Actor, name: str, role: str, region: str,
                password: str, now: datetime) -> User:
    require(session, actor, Action.MANAGE_USERS, [region_key_for(session, region)])
    return add_user(session, name=name, role=role, region=region, password=password, now=now)


def set_active(session: Session, *, actor: Actor, name: str, active: bool,
               now: datetime) -> User:
    """Deactivate (the user can no longer log in; their posts and history stay) or
    reactivate a user."""
    user = _managed(session, actor, name)
    if not active:
        _not_self(actor, user, "menonaktifkan")
    if user.active == active:
        raise InputError(f"pengguna {user.name} sudah {'aktif' if active else 'nonaktif'}")
    user.active, user.updated_at = active, now
    session.add(user)
    if not active:
        end_sessions_of(session, name=user.name)  # signed out of every browser, now
        end_cli_sessions_of(session, name=user.name)  # and of every `siar login`
    return user


def change_role(session: Session, *, actor: Actor, name: str, role: str,
                now: datetime) -> User:
    check_role(role)
    user = _managed(session, actor, name)
    _not_self(actor, user, "mengubah peran")
    user.role, user.updated_at = Role(role).value, now
    session.add(user)
    return user


def change_region(session: Session, *, actor: Actor, name: str, region: str,
                  now: datetime) -> User:
    user = _managed(session, actor, name)
    _not_self(actor, user, "memindahkan wilayah")
    key = region_key_for(session, region)
    require(session, actor, Action.MANAGE_USERS, [key])  # the new region, too
    user.region_key, user.updated_at = key, now
    session.add(user)
    return user


def reset_password(session: Session, *, actor: Actor, name: str, password: str,
                   now: datetime) -> User:
    user = _managed(session, actor, name)
    user.password_hash, user.updated_at = hash_password(password), now
    session.add(user)
    end_sessions_of(session, name=user.name)  # whoever knew the old password is out
    end_cli_sessions_of(session, name=user.name)
    return user


def users_in_scope(session: Session, *, actor: Actor) -> list[User]:
    """The users an admin manages: those of the regions the admin covers."""
    require_role(actor, Action.MANAGE_USERS)
    in_scope = scope_condition(session, actor, col(User.region_key))
    return list(session.exec(select(User).where(in_scope)
                             .order_by(col(User.region_key), col(User.name))))


def _managed(session: Session, actor: Actor, name: str) -> User:
    user = get_user(session, name)
    require(session, actor, Action.MANAGE_USERS, [user.region_key])
    return user


def _not_self(actor: Actor, user: User, verb: str) -> None:
    if actor.name == user.name:
        raise ReviewError(f"admin tidak dapat {verb} akunnya sendiri; minta admin lain")
