"""Resolving what a person points at (a post id or a batch key) within their scope."""

from sqlmodel import Session, col, select

from scheduler.errors import NotFoundError, PermissionDenied
from scheduler.models import Post
from scheduler.permissions import covers, scope_condition
from scheduler.users import Actor


def is_post_id(target: str) -> bool:
    return target.strip().isdigit()


def get_post(session: Session, *, actor: Actor, post_id: int) -> Post:
    """One post, if it exists and lies in the actor's scope (locked for update)."""
    post = session.exec(select(Post).where(col(Post.id) == post_id).with_for_update()).first()
    return in_scope(session, actor=actor, post=post, post_id=post_id)


def in_scope(session: Session, *, actor: Actor, post: Post | None, post_id: int) -> Post:
    """The post found for `post_id`, refused if there is none or it lies outside the
    actor's scope."""
    if post is None:
        raise NotFoundError(f"unggahan #{post_id} tidak ada")
    if not covers(session, actor, post.region_key):
        raise PermissionDenied(
            f"{actor.name} hanya berwenang untuk wilayah {actor.region_key}, bukan "
            f"{post.region_key} (unggahan #{post_id})")
    return post


def target_posts(session: Session, *, actor: Actor, target: str) -> list[Post]:
    """The post with that id, or the batch's posts that lie in the actor's scope."""
    if is_post_id(target):
        return [get_post(session, actor=actor, post_id=int(target))]
    statement = select(Post).where(col(Post.batch) == target.strip())
    posts = list(session.exec(
        statement.where(scope_condition(session, actor)).order_by(col(Post.id)).with_for_update()))
    if posts:
        return posts
    if session.exec(statement.limit(1)).first() is None:
        raise NotFoundError(f"batch atau unggahan tidak dikenal: {target!r}")
    raise PermissionDenied(f"batch {target} tidak berisi unggahan wilayah {actor.region_key}")
