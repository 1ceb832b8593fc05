"""Notices to covert case owners: someone touched one of their case's entities (DESIGN.md 5).

A hit on a covert case tells the user who looked nothing; instead each owner of the covert
case (membership access ``owner``) gets a notification: who looked, which entity, when, and
how (an entity page or a hit check). A user sees their own notifications only, and only for
cases they still own; the entity is labelled from the facts the owner may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from sqlalchemy import func, select, update

from graphapp.access import Actor, owned_case_ids
from graphapp.db import CaseMembership, Notification, User, session_scope, utcnow
from graphapp.settings import Settings
from graphapp.store import GraphStore

LIST_LIMIT = 200


class NotificationNotFound(LookupError):
    """No notification by that id that belongs to the caller (the two are one answer)."""


def notify_owners(settings: Settings, touched: Iterable[tuple[str, str]], *, looker: str,
                  via: str) -> int:
    """Add a notification for every enabled owner of each ``(case_id, entity_id)``; return how
    many were written."""
    touched = sorted(set(touched))
    if not touched:
        return 0
    written = 0
    with session_scope(settings) as s:
        owners: dict[str, list[int]] = {}
        rows = s.execute(
            select(CaseMembership.case_id, CaseMembership.user_id)
            .join(User, User.id == CaseMembership.user_id)
            .where(CaseMembership.case_id.in_({c for c, _ in touched}),
                   CaseMembership.access == "owner", User.disabled.is_(False), User.name != looker))
        for case_id, user_id in rows:
            owners.setdefault(case_id, []).append(user_id)
        now = utcnow()
        for case_id, entity_id in touched:
            for user_id in sorted(owners.get(case_id, ())):
                s.add(Notification(user_id=user_id, case_id=case_id, entity_id=entity_id,
                                   looker=looker, via=via, at=now))
                written += 1
    return written


def _mine(actor: Actor):
    return (Notification.user_id == actor.user_id) & Notification.case_id.in_(owned_case_ids(actor))


def unread_count(settings: Settings, actor: Actor) -> int:
    """How many of the actor's notifications are unread (the navigation link's count)."""
    if actor.user_id is None or not owned_case_ids(actor):
        return 0
    with session_scope(settings) as s:
        return int(s.scalar(select(func.count()).select_from(Notification)
                            .where(_mine(actor), Notification.read_at.is_(None))) or 0)


def for_actor(store: GraphStore, settings: Settings, actor: Actor,
              limit: int = LIST_LIMIT) -> list[dict]:
    """The actor's notifications, newest first, each entity labelled as the actor sees it."""
    from graphapp.services import graph

    if actor.user_id is None or not owned_case_ids(actor):
        return []
    with session_scope(settings) as s:
        rows = list(s.scalars(select(Notification).where(_mine(actor))
                              .order_by(Notification.id.desc()).limit(limit)))
    # One lookup per distinct entity (at most LIST_LIMIT, each an indexed read by key), then one
    # batched read of their facts: batching the lookups too would need a query per entity kind
    # taking a list of keys, not worth it for a list of 200.
    labels = graph.labels(store, actor, {r.entity_id for r in rows})
    out = []
    for r in rows:
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)
        seen = labels.get(r.entity_id)
        entity = ({"id": seen["id"], "kind": seen["kind"], "label": seen["label"], "visible": True}
                  if seen else None)
        out.append({
            "id": r.id,
            "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "looker": r.looker,
            "via": r.via,
            "case_id": r.case_id,
            # An entity since withdrawn from the actor's cases is named by id only.
            "entity": entity or {"id": r.entity_id, "kind": r.entity_id.split(":", 1)[0],
                                 "label": r.entity_id, "visible": False},
            "read": r.read_at is not None,
        })
    return out


def mark_read(settings: Settings, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one notification (or, with no id, all) of the actor's as read; return how many.

    :raise NotificationNotFound: the id is not one of the actor's notifications.
    """
    if actor.user_id is None:
        raise NotificationNotFound(notification_id)
    query = update(Notification).where(_mine(actor), Notification.read_at.is_(None))
    if notification_id is not None:
        with session_scope(settings) as s:
            own = s.scalar(select(Notification.id).where(_mine(actor),
                                                         Notification.id == notification_id))
        if own is None:
            raise NotificationNotFound(notification_id)
        query = query.where(Notification.id == notification_id)
    with session_scope(settings) as s:
        return s.execute(query.values(read_at=utcnow())).rowcount or 0
