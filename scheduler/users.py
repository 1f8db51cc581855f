"""Users: names, roles, region scope and argon2 password hashes (never the passwords)."""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from scheduler.errors import AuthError, InputError, NotFoundError, UnknownRegionError
from scheduler.models import Region, Role, User
from scheduler.region_kinds import NATION_KIND, PROVINCE_KIND

MIN_PASSWORD_LENGTH = 8
_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the user does not exist, so a wrong name costs as long as a wrong
    password (no hint about which names exist)."""
    return _HASHER.hash("siar-dummy-password")


@dataclass(frozen=True)
class Actor:
    """A person acting through a face (command line or web)."""

    name: str
    role: Role
    region_key: str
    province_wide: bool  # scoped to a province: every region under it
    # Every region: the machine's administrator (MACHINE_ADMIN), the planner, and a user
    # of the nation (KPU RI, content/nation.yaml), the parent of every province.
    everywhere: bool = False

    def covers(self, region: Region | None, region_key: str) -> bool:
        """Whether this actor may act on `region_key` (whose Region row is `region`)."""
        if self.everywhere or self.region_key == region_key:
            return True
        return self.province_wide and region is not None and \
            region.province_key == self.region_key


# Whoever runs `siar user ...` without --as on the machine itself: they can read the
# database and the settings anyway, so they administer every user and region.
MACHINE_ADMIN = Actor("admin-mesin", Role.ADMIN, "", province_wide=False, everywhere=True)
# The system's own planner: the worker's daily planning job, and `siar plan` without --as
# (run on the machine itself). It plans every region of the content.
PLANNER = Actor("planner", Role.ADMIN, "", province_wide=False, everywhere=True)


def add_user(session: Session, *, name: str, role: str, region: str, password: str,
             now: datetime) -> User:
    """Create a user. `region` is a region key, or "province" for the (only) province."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise InputError(f"nama pengguna tidak valid: {name!r} (huruf kecil, angka, . _ -; "
                         "diawali huruf)")
    check_role(role)
    if session.exec(select(User).where(col(User.name) == name)).first():
        raise InputError(f"pengguna {name!r} sudah ada")
    user = User(name=name, role=role, region_key=_region_key(session, region),
                password_hash=hash_password(password), created_at=now, updated_at=now)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, name: str, password: str, now: datetime) -> User:
    user = get_user(session, name)
    user.password_hash = hash_password(password)
    user.updated_at = now
    session.add(user)
    return user


def get_user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(col(User.name) == name.strip().lower())).first()
    if user is None:
        raise NotFoundError(f"pengguna tidak dikenal: {name!r}")
    return user


def authenticate(session: Session, name: str, password: str) -> Actor:
    """The actor for a name and password; one message for every failure (no hints)."""
    user = session.exec(select(User).where(col(User.name) == name.strip().lower())).first()
    try:
        _HASHER.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise AuthError("pengguna tidak dikenal atau kata sandi salah")
    return actor_for(session, user)


def actor_for(session: Session, user: User) -> Actor:
    return actor_in(user, session.get(Region, user.region_key))


def actor_in(user: User, region: Region | None) -> Actor:
    """The actor of `user`, whose region row is `region`: a regency user acts on that
    regency, a province user on the whole province, a user of the nation everywhere."""
    kind = region.kind if region is not None else None
    return Actor(user.name, Role(user.role), user.region_key,
                 province_wide=kind == PROVINCE_KIND, everywhere=kind == NATION_KIND)


def check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise InputError(f"peran tidak dikenal: {role!r} (pilihan: "
                         f"{', '.join(r.value for r in Role)})")


def region_key_for(session: Session, region: str) -> str:
    """A region key as typed (or "province" for the only province), checked."""
    return _region_key(session, region)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"kata sandi terlalu pendek (minimal {MIN_PASSWORD_LENGTH} karakter)")
    return _HASHER.hash(password)


def _region_key(session: Session, region: str) -> str:
    if region == "province":
        provinces = list(session.exec(select(Region).where(col(Region.kind) == "provinsi")))
        if len(provinces) != 1:
            raise InputError("--region province ambigu: sebutkan kunci provinsinya")
        return provinces[0].key
    if session.get(Region, region) is None:
        raise UnknownRegionError(f"wilayah tidak dikenal: {region!r} (jalankan `siar init` "
                                 "bila wilayah baru saja ditambahkan)")
    return region
