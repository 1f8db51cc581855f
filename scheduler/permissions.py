"""Who may do what, where: one table of role x action, and region scope.

Enforced here, in the service layer, so the command line and the web app get the same
answers. A regency user acts on that regency's posts only; a province user on every
region of the province; a user of the nation (KPU RI, content/nation.yaml) on every
region of every province (users.actor_in).
"""

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import ColumnElement, or_, true
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col, select

from scheduler.errors import PermissionDenied
from scheduler.models import Post, Region, Role
from scheduler.region_kinds import NATION_KIND
from scheduler.users import Actor


class Action(StrEnum):
    VIEW = "view"
    PLAN = "plan"
    CREATE = "create"  # ad-hoc posts and CSV import
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    OVERRIDE = "override"  # approve despite a blocking problem, with a written reason
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    RESOLVE = "resolve"  # decide what happened to an uncertain or failed post
    PAUSE = "pause"  # pause or resume an account
    MANAGE_USERS = "manage_users"  # add, deactivate, change role or region, reset password
    ANNOUNCE = "announce"  # record a region's results as officially announced
    CONNECT = "connect"  # connect or disconnect an account's credentials; rotate secrets


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.PLAN: frozenset({Role.AUTHOR, Role.ADMIN}),
    Action.CREATE: frozenset({Role.AUTHOR, Role.ADMIN}),
    Action.EDIT: frozenset({Role.AUTHOR, Role.ADMIN}),
    Action.SUBMIT: frozenset({Role.AUTHOR, Role.ADMIN}),
    Action.APPROVE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.REJECT: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.OVERRIDE: frozenset({Role.ADMIN}),
    Action.CANCEL: frozenset({Role.AUTHOR, Role.REVIEWER, Role.OPERATOR, Role.ADMIN}),
    Action.RESCHEDULE: frozenset({Role.AUTHOR, Role.REVIEWER, Role.OPERATOR, Role.ADMIN}),
    Action.RESOLVE: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.PAUSE: frozenset({Role.OPERATOR, Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.ANNOUNCE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.CONNECT: frozenset({Role.ADMIN}),
}

_VERBS = {
    Action.VIEW: "melihat", Action.PLAN: "merencanakan", Action.CREATE: "membuat unggahan",
    Action.EDIT: "menyunting", Action.SUBMIT: "mengajukan", Action.APPROVE: "menyetujui",
    Action.REJECT: "menolak", Action.OVERRIDE: "mengesampingkan masalah",
    Action.CANCEL: "membatalkan", Action.RESCHEDULE: "menjadwal ulang",
    Action.RESOLVE: "menyelesaikan unggahan", Action.PAUSE: "menjeda akun",
    Action.MANAGE_USERS: "mengelola pengguna",
    Action.ANNOUNCE: "mencatat pengumuman hasil",
    Action.CONNECT: "menghubungkan akun",
}


def allows(actor: Actor, action: Action) -> bool:
    """Whether the actor's role may take `action` at all (somewhere in its scope)."""
    return actor.role in ALLOWED[action]


def require_role(actor: Actor, action: Action) -> None:
    if not allows(actor, action):
        raise PermissionDenied(
            f"{actor.name} ({actor.role}) tidak berwenang {_VERBS[action]}")


def require(session: Session, actor: Actor, action: Action, region_keys: Iterable[str]) -> None:
    """Refuse unless the actor's role allows `action` in every one of `region_keys`."""
    require_role(actor, action)
    outside = sorted({k for k in region_keys if not covers(session, actor, k)})
    if outside:
        raise PermissionDenied(
            f"{actor.name} hanya berwenang untuk wilayah {actor.region_key}, bukan "
            f"{', '.join(outside)}")


def covers(session: Session, actor: Actor, region_key: str) -> bool:
    return actor.covers(session.get(Region, region_key), region_key)


def scope_condition(session: Session, actor: Actor,
                    region_column: Mapped[str] | None = None) -> ColumnElement[bool]:
    """SQL condition that keeps only the rows the actor may see: posts by default, or the
    rows of another table by its region key (`col(Account.region_key)`)."""
    column = col(Post.region_key) if region_column is None else region_column
    if actor.everywhere:
        return true()
    if actor.province_wide:
        if province_alone(session, actor.region_key):
            # The whole database is this province: no need to test each row (and the
            # planner can then read posts in time order straight from an index).
            return true()
        in_province = select(Region.key).where(col(Region.province_key) == actor.region_key)
        return column.in_(in_province)  # a subquery: no list read first
    return column == actor.region_key if actor.region_key else true()


def province_alone(session: Session, province_key: str) -> bool:
    """Whether every post of the database is in this province: no region outside it but
    the nation, and the nation without posts of its own (it has no accounts unless
    content gives it some)."""
    region = aliased(Region)
    nation_posts = select(Post.id).where(col(Post.region_key) == col(region.key)).exists()
    others = session.exec(select(region.key).where(
        col(region.province_key) != province_key,
        or_(col(region.kind) != NATION_KIND, nation_posts)).limit(1)).first()
    return others is None
