"""Who may do what, and which cases they may see: the one place every read path asks.

Roles map to actions (hyphenated verbs, DESIGN.md section 5); a user's cases are their
memberships. The compartments issue grows this into the full rule set of section 5; every
service already takes its case list from :func:`visible_case_ids`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphapp import accounts
from graphapp.db import User
from graphapp.settings import Settings

#: What each role may do; everything else is denied.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "investigator": frozenset({
        "view-case", "search", "view-entity", "view-network", "run-saved-query", "export",
        "read-export", "check-hit", "read-notifications", "resolve-persons",
        "find-paths", "view-cross-case", "run-detector",
    }),
    "analyst": frozenset({
        "view-case", "search", "view-entity", "view-network", "run-saved-query", "export",
        "read-export", "use-cypher-console", "check-hit", "read-notifications", "resolve-persons",
        "publish-query",
        "find-paths", "view-cross-case", "run-detector",
    }),
    "prosecutor": frozenset({"read-export"}),
    # Administrators read case data only where they are also members (visible_case_ids).
    # They get no hit checks (a hit names cases, which is case data), but an administrator who
    # owns a covert case reads its notifications like any owner.
    "admin": frozenset({
        "manage-users", "manage-cases", "read-audit",
        "view-case", "search", "view-entity", "view-network", "read-notifications",
    }),
    "operator": frozenset({"ingest"}),
}

#: One line per action, for the docs and the admin pages.
ACTIONS = {
    "view-case": "see the facts of cases one is a member of",
    "search": "search entities in one's visible cases",
    "view-entity": "open an entity page",
    "view-network": "draw and expand an entity's network",
    "run-saved-query": "run a reviewed query from the saved library",
    "use-cypher-console": "run ad-hoc read-only Cypher on one's own projection",
    "export": "export a view as an evidence package",
    "read-export": "open export packages one made (while one still sees their cases) or that are "
                   "shared with one",
    "manage-users": "create users, tokens and memberships",
    "manage-cases": "create cases and change their classification",
    "read-audit": "read the audit log",
    "ingest": "load a batch of CSV files",
    "check-hit": "learn which hidden cases share an entity, or hold an exact phone or national id, "
                 "by their classification (deconfliction)",
    "read-notifications": "read the notices of others touching one's covert cases' entities",
    "resolve-persons": "confirm or reject a merge suggestion (with edit rights on both its cases)",
    "publish-query": "review a drafted query and share it with the members of the cases it is "
                     "meant for (a member of every one of them; never its author, never an "
                     "administrator)",
    "find-paths": "find the shortest paths between two entities over one's visible facts",
    "view-cross-case": "read the report of entities that join several of one's cases, with hits "
                       "for the cases one cannot see",
    "run-detector": "run the trafficking pattern detectors over one's visible cases",
}

WRITE_ACCESS = frozenset({"edit", "owner"})


class Forbidden(Exception):
    """The actor's role does not allow the action (HTTP 403)."""

    def __init__(self, action: str):
        super().__init__(f"your role does not allow you to {ACTIONS.get(action, action)}")
        self.action = action


@dataclass(frozen=True)
class Actor:
    """A user acting through the app, the API or ``--as`` on the command line."""

    name: str
    role: str
    user_id: int | None = None
    cases: dict[str, str] = field(default_factory=dict)
    extra_actions: frozenset[str] = frozenset()

    @classmethod
    def from_user(cls, settings: Settings, user: User) -> Actor:
        cases, extra = accounts.rights(settings, user.id)
        return cls(name=user.name, role=user.role, user_id=user.id, cases=cases, extra_actions=extra)


def allowed(actor: Actor, action: str) -> bool:
    """Whether the actor's role (or an extra grant) allows ``action``."""
    return action in ROLE_ACTIONS.get(actor.role, frozenset()) or action in actor.extra_actions


def ensure_allowed(actor: Actor, action: str) -> None:
    """Raise :class:`Forbidden` unless :func:`allowed`."""
    if not allowed(actor, action):
        raise Forbidden(action)


#: Roles that never read the live graph, memberships or not (prosecutors read exports).
NO_LIVE_GRAPH_ROLES = frozenset({"prosecutor", "operator"})


def visible_case_ids(actor: Actor) -> frozenset[str]:
    """Case ids whose facts ``actor`` may see: their memberships, nothing else.

    An administrator sees none unless also a member; a prosecutor never reads the live graph.
    """
    if actor.role in NO_LIVE_GRAPH_ROLES:
        return frozenset()
    return frozenset(actor.cases)


def writable_case_ids(actor: Actor) -> frozenset[str]:
    return frozenset(c for c, a in actor.cases.items() if a in WRITE_ACCESS)


def owned_case_ids(actor: Actor) -> list[str]:
    """The cases ``actor`` owns, sorted: whose access requests and notifications are theirs."""
    return sorted(c for c, a in actor.cases.items() if a == "owner")
