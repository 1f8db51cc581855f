"""Every role x action x region combination, allowed or refused, through the services.

Actors: a province-wide user ("prov") and a KPU Kabupaten A user ("kab-a"). Targets: a
post (or request) in Kabupaten A and one in Kota B. The expected table is written out
here on purpose, independent of scheduler.permissions, so a change there must be made
deliberately in both places.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.account_tokens import connect
from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.editing import NewPost, cancel, create_posts, edit_post, reschedule, submit
from scheduler.errors import PermissionDenied
from scheduler.importing import ImportRefused, import_csv
from scheduler.models import Account, Post, PostStatus
from scheduler.planning import PlanRequest, authorize
from scheduler.review import approve, reject, show
from scheduler.secretbox import SecretBox
from scheduler.user_admin import set_active
from scheduler.users import Actor, add_user
from tests.conftest import actor

ROLES = ("author", "reviewer", "operator", "admin")
# action -> roles allowed (where the region is in scope)
EXPECTED = {
    "view": {"author", "reviewer", "operator", "admin"},
    "plan": {"author", "admin"},
    "create": {"author", "admin"},
    "import": {"author", "admin"},
    "edit": {"author", "admin"},
    "submit": {"author", "admin"},
    "approve": {"reviewer", "admin"},
    "reject": {"reviewer", "admin"},
    "override": {"admin"},
    "cancel": {"author", "reviewer", "operator", "admin"},
    "reschedule": {"author", "reviewer", "operator", "admin"},
    "manage_users": {"admin"},
    "connect": {"admin"},
}
SCOPES = [  # (actor's region, target region, in scope)
    ("prov", "kab-a", True),
    ("kab-a", "kab-a", True),
    ("kab-a", "kota-b", False),
]
WIB = ZoneInfo("Asia/Jakarta")
LATER = datetime(2024, 1, 20, 9, 0, tzinfo=WIB)


def make_post(session: Session, region: str, status: PostStatus, text: str = "Ayo cek DPT.",
              platform: str = "facebook") -> Post:
    account = session.exec(select(Account).where(
        Account.region_key == region, Account.platform == platform)).one()
    now = datetime(2023, 12, 20, tzinfo=UTC)
    post = Post(account_id=account.id, region_key=region, platform=platform,
                batch=f"uji-{region}-{status}", scheduled_at=LATER, due_at=LATER, text=text,
                status=status, created_by="planner", created_at=now, updated_at=now,
                platform_ref={}, problems=[])
    session.add(post)
    session.flush()
    return post


def run_action(action: str, session: Session, who: Actor, region: str, catalog: Catalog,
               clock: FixedClock, tmp_path: Path) -> None:
    checks = CheckSettings()
    now = clock.now()
    actions: dict[str, Callable[[], object]] = {
        "view": lambda: show(session, actor=who,
                             target=str(make_post(session, region, PostStatus.PENDING).id)),
        "plan": lambda: authorize(session, actor=who, request=PlanRequest(
            date_from=date(2024, 1, 1), date_to=date(2024, 1, 2), regions=(region,))),
        "create": lambda: create_posts(session, actor=who, catalog=catalog, items=[
            NewPost(region, "facebook", LATER, "Info TPS.")], checks=checks, now=now),
        "import": lambda: import_csv(session, actor=who, path=_csv(tmp_path, region),
                                     catalog=catalog, checks=checks, now=now, tz=WIB),
        "edit": lambda: edit_post(session, actor=who, post_id=_id(make_post(session, region,
                                                              PostStatus.PENDING)),
                                  catalog=catalog, checks=checks, now=now, tz=WIB,
                                  text="Teks baru."),
        "submit": lambda: submit(session, actor=who, target=str(make_post(session, region,
                                                             PostStatus.DRAFT).id), now=now),
        "approve": lambda: approve(session, actor=who, target=str(make_post(session, region,
                                                               PostStatus.PENDING).id),
                                   catalog=catalog, checks=checks, now=now),
        "reject": lambda: reject(session, actor=who, target=str(make_post(session, region,
                                                             PostStatus.PENDING).id),
                                 note="Perbaiki tanggal.", now=now),
        "override": lambda: approve(
            session, actor=who, target=str(make_post(session, region, PostStatus.PENDING,
                                        text="Dukung Partai Contoh!").id),
            catalog=catalog, checks=checks, now=now, override_reason="Kutipan berita resmi."),
        "cancel": lambda: cancel(session, actor=who, post_id=_id(make_post(session, region,
                                                             PostStatus.APPROVED)), now=now),
        "reschedule": lambda: reschedule(session, actor=who, post_id=_id(make_post(session, region,
                                                                     PostStatus.PENDING)),
                                         at=LATER.replace(hour=10), catalog=catalog,
                                         checks=checks, now=now, tz=WIB),
        "manage_users": lambda: set_active(session, actor=who, name=_user(session, region),
                                           active=False, now=now),
        "connect": lambda: connect(session, actor=who, account_key=f"{region}/x",
                                   values={"access_token": "uji-token"},
                                   box=SecretBox("k" * 40), now=now),
    }
    actions[action]()


def _user(session: Session, region: str) -> str:
    name = f"staf.{region}"
    add_user(session, name=name, role="author", region=region, password="sandi-staf-1",
             now=datetime(2023, 12, 20, tzinfo=UTC))
    return name


def _id(post: Post) -> int:
    assert post.id is not None
    return post.id


def _csv(tmp_path: Path, region: str) -> Path:
    path = tmp_path / f"impor-{region}.csv"
    path.write_text(f"region,platform,scheduled_at,text\n{region},x,2024-01-20 09:00,Info TPS.\n")
    return path


CASES = [
    pytest.param(role, action, actor_region, target, in_scope,
                 id=f"{role}-{action}-{actor_region}-on-{target}")
    for role in ROLES for action in EXPECTED for actor_region, target, in_scope in SCOPES
]


@pytest.mark.parametrize(("role", "action", "actor_region", "target", "in_scope"), CASES)
def test_role_action_region(synced: Engine, catalog: Catalog, clock: FixedClock, tmp_path: Path,
                            role: str, action: str, actor_region: str, target: str,
                            in_scope: bool) -> None:
    who = actor(f"{role}.{actor_region}", role, actor_region)
    allowed = role in EXPECTED[action] and in_scope
    with session_scope(synced, write=True) as session:
        if allowed:
            run_action(action, session, who, target, catalog, clock, tmp_path)
        elif role not in EXPECTED[action] or action in ("view", "plan"):
            with pytest.raises(PermissionDenied):
                run_action(action, session, who, target, catalog, clock, tmp_path)
        else:  # the role may, but not here: refused for the region (a row error on import)
            with pytest.raises((PermissionDenied, ImportRefused)) as caught:
                run_action(action, session, who, target, catalog, clock, tmp_path)
            assert target in str(caught.value) or "wilayah" in str(caught.value)
        session.rollback()


def test_matrix_covers_every_action_in_the_permission_table() -> None:
    from scheduler.permissions import ALLOWED

    covered = set(EXPECTED) - {"import"}
    # Announcing results is tested in test_regional_calendar (reviewer yes, author no,
    # outside the region no).
    assert {a.value for a in ALLOWED} - {"resolve", "pause", "announce"} == covered
    for action, roles in ALLOWED.items():
        if action.value in EXPECTED:
            assert {r.value for r in roles} == EXPECTED[action.value], action
