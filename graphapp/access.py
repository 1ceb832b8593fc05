"""Which cases an actor may see or change: the one place every read path asks.

The compartments issue grows this into the full rule set of DESIGN.md section 5; every
service already takes its case list from :func:`visible_case_ids`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphapp import accounts
from graphapp.db import User
from graphapp.settings import Settings

WRITE_ACCESS = frozenset({"edit", "owner"})


@dataclass(frozen=True)
class Actor:
    """A user acting through the app, the API or ``--as`` on the command line."""

    name: str
    role: str
    user_id: int | None = None
    cases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_user(cls, settings: Settings, user: User) -> Actor:
        return cls(name=user.name, role=user.role, user_id=user.id,
                   cases=accounts.memberships(settings, user.id))

    @classmethod
    def operator(cls, os_user: str) -> Actor:
        """The server's operator running the CLI without ``--as``: writes, never reads cases."""
        return cls(name=f"operator:{os_user}", role="operator")


def visible_case_ids(actor: Actor) -> frozenset[str]:
    """Case ids whose facts ``actor`` may see: their memberships, and nothing else."""
    return frozenset(actor.cases)


def writable_case_ids(actor: Actor) -> frozenset[str]:
    return frozenset(c for c, a in actor.cases.items() if a in WRITE_ACCESS)
