"""Queries that analysts draft in the UI, and the review that shares them (issue 10, item 6).

A draft is ad-hoc Cypher: published or not, it runs only on the runner's projection, like the
console (DESIGN.md section 5); only reviewed files under ``cypher/saved/`` run on the full
graph. Its author names the cases it is meant for; a reviewer (``publish-query``) who is a
member of every one of those cases, and is neither its author nor an administrator, approves
or rejects it. Approval shares it with the users who are members of all those cases (its title,
text and case list may speak of any of them); editing it withdraws the
approval. Every step is audited, each run with the statement in full.

| who | may |
|---|---|
| its author (``use-cypher-console``) | create, edit, submit, run it at any stage |
| a reviewer | see and run it once submitted, approve or reject it |
| a member of every one of its cases (``run-saved-query``) | see and run it once approved |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from graphapp import audit
from graphapp.access import Actor, Forbidden, allowed, ensure_allowed, visible_case_ids
from graphapp.db import QueryDraft, session_scope, utcnow
from graphapp.services import console

STATUSES = ("draft", "submitted", "approved", "rejected")
MAX_TITLE = 200


class DraftNotFound(LookupError):
    """No such draft, or not one the actor may see (answered as 404 alike)."""


class BadDraft(ValueError):
    """A draft that cannot be saved or a step that cannot be taken; the message says why."""


@dataclass(frozen=True)
class Draft:
    id: int
    author: str
    title: str
    description: str
    statement: str
    for_cases: tuple[str, ...]
    status: str
    reviewer: str
    review_note: str
    reviewed_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_row(cls, row: QueryDraft) -> Draft:
        return cls(id=row.id, author=row.author, title=row.title, description=row.description,
                   statement=row.statement, for_cases=tuple(row.for_cases or ()),
                   status=row.status, reviewer=row.reviewer, review_note=row.review_note,
                   reviewed_at=row.reviewed_at, updated_at=row.updated_at)

    def to_dict(self) -> dict:
        return {"id": self.id, "author": self.author, "title": self.title,
                "description": self.description, "statement": self.statement,
                "for_cases": list(self.for_cases), "status": self.status,
                "reviewer": self.reviewer, "review_note": self.review_note}


def _record(settings, actor: Actor, action: str, draft: Draft | None, outcome: str = "ok",
            client: str = "", **detail) -> None:
    audit.record(settings, audit.AuditEvent(
        action=action, actor=actor.name, outcome=outcome,
        cases=tuple(draft.for_cases) if draft else (), client=client,
        detail={"draft": draft.id if draft else None,
                "title": draft.title if draft else "", **detail}))


# -- who may do what ----------------------------------------------------------------------------


def may_review(actor: Actor, draft: Draft) -> bool:
    """A reviewer: ``publish-query``, a member of every case the draft is for, not its author,
    not an administrator (who see no case data and review nothing)."""
    return (allowed(actor, "publish-query") and actor.role != "admin"
            and actor.name != draft.author and bool(draft.for_cases)
            and set(draft.for_cases) <= set(visible_case_ids(actor)))


def may_see(actor: Actor, draft: Draft) -> bool:
    if actor.name == draft.author:
        return True
    if draft.status == "submitted":
        return may_review(actor, draft)
    if draft.status == "approved":
        # Every case it is for: its title, text and case list may speak of any of them, and a
        # member of one case must not learn of another (a covert one least of all).
        return allowed(actor, "run-saved-query") and bool(draft.for_cases) and \
            set(draft.for_cases) <= set(visible_case_ids(actor))
    return False


# -- reading ------------------------------------------------------------------------------------


def visible(settings, actor: Actor) -> dict[str, list[Draft]]:
    """The drafts the actor may see: ``mine``, ``to_review`` (submitted, theirs to decide) and
    ``shared`` (approved, for cases all of which they are members of)."""
    with session_scope(settings) as s:
        rows = [Draft.from_row(r) for r in s.scalars(select(QueryDraft).order_by(QueryDraft.id))]
    return {
        "mine": [d for d in rows if d.author == actor.name],
        "to_review": [d for d in rows if d.status == "submitted" and may_review(actor, d)],
        "shared": [d for d in rows if d.status == "approved" and d.author != actor.name
                   and may_see(actor, d)],
    }


def get(settings, actor: Actor, draft_id: int) -> Draft:
    """The draft, if the actor may see it; :class:`DraftNotFound` otherwise."""
    with session_scope(settings) as s:
        row = s.get(QueryDraft, draft_id)
        draft = Draft.from_row(row) if row is not None else None
    if draft is None or not may_see(actor, draft):
        raise DraftNotFound(draft_id)
    return draft


# -- writing ------------------------------------------------------------------------------------


def _clean(actor: Actor, title: str, description: str, statement: str, for_cases) -> tuple:
    title = " ".join((title or "").split())
    if not title or len(title) > MAX_TITLE:
        raise BadDraft(f"a title of 1 to {MAX_TITLE} characters is needed")
    statement = console.check(statement)  # refused statements are never stored
    cases = sorted({c.strip() for c in (for_cases or ()) if c and c.strip()})
    if not cases:
        raise BadDraft("name the cases the query is meant for")
    mine = visible_case_ids(actor)
    if not set(cases) <= set(mine):
        raise BadDraft("a query can be meant only for cases you are a member of")
    return title, (description or "").strip(), statement, cases


def save(settings, actor: Actor, *, title: str, description: str, statement: str,
         for_cases, draft_id: int | None = None, client: str = "") -> Draft:
    """Create a draft, or edit one of the actor's own (an edit withdraws a submission or an
    approval: the text that was reviewed is no longer the text).

    :raise Forbidden: the actor may not write ad-hoc Cypher (``use-cypher-console``).
    :raise BadDraft: a missing title, a refused statement, cases the author does not see.
    """
    ensure_allowed(actor, "use-cypher-console")
    try:
        title, description, statement, cases = _clean(actor, title, description, statement,
                                                      for_cases)
    except (BadDraft, console.Refused) as exc:
        _record(settings, actor, "draft-query", None, outcome="refused", client=client,
                reason=str(exc), statement=statement)
        raise BadDraft(str(exc)) from exc
    with session_scope(settings) as s:
        if draft_id is None:
            row = QueryDraft(author_id=actor.user_id, author=actor.name, title=title,
                             description=description, statement=statement, for_cases=cases,
                             status="draft", reviewer="", review_note="")
            s.add(row)
            before = ""
        else:
            row = s.get(QueryDraft, draft_id)
            if row is None or row.author != actor.name:
                raise DraftNotFound(draft_id)
            before = row.status
            row.title, row.description, row.statement, row.for_cases = (
                title, description, statement, cases)
            row.status, row.reviewer, row.review_note, row.reviewed_at = "draft", "", "", None
            row.updated_at = utcnow()
        s.flush()
        draft = Draft.from_row(row)
    _record(settings, actor, "draft-query", draft, client=client, statement=statement,
            edited=draft_id is not None, withdrawn=before if before in ("submitted", "approved") else "")
    return draft


def submit(settings, actor: Actor, draft_id: int, client: str = "") -> Draft:
    """Ask for review (the author only)."""
    with session_scope(settings) as s:
        row = s.get(QueryDraft, draft_id)
        if row is None or row.author != actor.name:
            raise DraftNotFound(draft_id)
        if row.status not in ("draft", "rejected"):
            raise BadDraft(f"a {row.status} query cannot be submitted again; edit it first")
        row.status = "submitted"
        row.updated_at = utcnow()
        s.flush()
        draft = Draft.from_row(row)
    _record(settings, actor, "submit-query", draft, client=client, statement=draft.statement)
    return draft


def review(settings, actor: Actor, draft_id: int, approve: bool, note: str = "",
           client: str = "") -> Draft:
    """Approve (share with the members of its cases) or reject a submitted draft.

    :raise Forbidden: not a reviewer of this draft (audited as denied).
    """
    with session_scope(settings) as s:
        row = s.get(QueryDraft, draft_id)
        draft = Draft.from_row(row) if row is not None else None
    if draft is None:
        raise DraftNotFound(draft_id)
    action = "approve-query" if approve else "reject-query"
    if not may_review(actor, draft):
        reason = ("administrators do not review queries" if actor.role == "admin" else
                  "one may not review one's own query" if actor.name == draft.author else
                  "a reviewer needs publish-query and membership of every case it is meant for")
        _record(settings, actor, action, draft, outcome="denied", client=client, reason=reason)
        if not may_see(actor, draft):
            raise DraftNotFound(draft_id)  # as if it did not exist
        raise Forbidden("publish-query")
    if draft.status != "submitted":
        raise BadDraft(f"only a submitted query can be reviewed; this one is {draft.status}")
    with session_scope(settings) as s:
        row = s.get(QueryDraft, draft_id)
        if row.status != "submitted" or row.statement != draft.statement:
            raise BadDraft("the query changed while you reviewed it; open it again")
        row.status = "approved" if approve else "rejected"
        row.reviewer, row.review_note, row.reviewed_at = actor.name, (note or "").strip(), utcnow()
        s.flush()
        draft = Draft.from_row(row)
    _record(settings, actor, action, draft, client=client, statement=draft.statement,
            note=draft.review_note)
    return draft


def run(store, settings, actor: Actor, draft_id: int, client: str = "") -> dict:
    """Run a draft on the runner's own projection (never the full graph), audited in full."""
    draft = get(settings, actor, draft_id)
    if actor.name == draft.author:
        ensure_allowed(actor, "use-cypher-console")
    elif draft.status == "submitted":
        ensure_allowed(actor, "publish-query")
    else:
        ensure_allowed(actor, "run-saved-query")
    return console.run(store, settings, actor, draft.statement, client=client, via="draft",
                       action="run-draft", extra={"draft": draft.id, "title": draft.title,
                                                  "status": draft.status})
