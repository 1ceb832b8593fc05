"""The audit log: every later feature calls :func:`record`; nothing edits or deletes a record.

The accounts issue turns the ``prev_hmac``/``hmac`` columns into an HMAC-SHA-256 chain with an
anchor file; the call sites stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphapp.db import AuditRecord, session_scope
from graphapp.settings import Settings


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, to which cases, with what outcome."""

    action: str
    actor: str
    outcome: str = "ok"
    cases: tuple[str, ...] = ()
    client: str = ""
    os_user: str = ""
    purpose: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def record(settings: Settings, event: AuditEvent) -> int:
    """Append one event; return its record id."""
    with session_scope(settings) as session:
        row = AuditRecord(
            actor=event.actor,
            os_user=event.os_user,
            action=event.action,
            outcome=event.outcome,
            cases=sorted(set(event.cases)),
            client=event.client,
            purpose=event.purpose,
            detail=dict(event.detail),
        )
        session.add(row)
        session.flush()
        return row.id
