"""Deconfliction (hit / no hit): what a user learns of the cases they cannot see that share an
entity with theirs, by the hidden case's classification (DESIGN.md section 5).

- ``normal``: the case id, its unit and its contact;
- ``restricted``: that a hit exists, with the unit and contact only (one entry per unit and
  contact, so that the number of restricted cases does not show either);
- ``covert`` (and any classification this code does not know: fail closed): nothing at all,
  and the covert case's owners are notified instead (who looked, which entity, when).

A case with no classification at all (empty or missing) is ``normal``: that is ingest's
default for an empty cell of cases.csv (ingest/files.py), so the graph and this module read
such a case alike. Only a value that is present and unknown ("secret", "Covert ") is covert.

Two ways in: the hits of an entity the user may see (the entity page and
``GET /api/v1/entities/{id}``), and a hit check on an exact identifier, a phone in any
spelling or a national id, whether or not the user may see the entity
(``GET /api/v1/hits?identifier=``); the answer never names the entity. Both are audited.

The hidden cases are read through the store like every other read, with the caller's
visible cases bound as ``$allowed_cases``: the queries (``cypher/views/hits_*.cypher``) use
that parameter to *exclude* the caller's cases and return only plain strings per hidden case,
never a node or a fact, so that nothing of a hidden case's content can ride along. The
classification rules are applied here, before anything leaves the service; this module is
the only reader of those queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphapp import audit
from graphapp.access import Actor, allowed, ensure_allowed, visible_case_ids
from graphapp.services import graph, notifications
from graphapp.settings import Settings
from graphapp.store import GraphStore, StoreError
from ingest import ids
from ingest.normalise import NormaliseError, normalise_phone

#: Classifications whose hits a user is told about; everything else is treated as covert.
DISCLOSED = ("normal", "restricted")
#: The columns a hidden-case query may return, and nothing else.
HIDDEN_CASE_COLUMNS = frozenset({"case_id", "classification", "unit", "contact"})
MAX_IDENTIFIER_LENGTH = 64
IDENTIFIER_KINDS = ("phone", "national_id")


class BadIdentifier(ValueError):
    """The identifier cannot be checked; the message is safe to show."""


@dataclass(frozen=True)
class HiddenCase:
    """A case the caller cannot see that holds a fact about the entity (service-internal)."""

    case_id: str
    classification: str
    unit: str
    contact: str
    #: The entity in that case: named only in a covert case owner's notification.
    entity_id: str

    @property
    def covert(self) -> bool:
        return self.classification not in DISCLOSED


def _hidden_cases(rows: list[dict], entity_id: str | None = None) -> list[HiddenCase]:
    """Check the rows' shape (plain strings in the expected columns) and build HiddenCases.

    :raise StoreError: a query returned anything else (a changed .cypher file must not widen
        what this deliberate read of hidden cases carries).
    """
    out = []
    for row in rows:
        extra = set(row) - HIDDEN_CASE_COLUMNS - ({"entity_id"} if entity_id is None else set())
        values = [row.get(c) for c in HIDDEN_CASE_COLUMNS | {"entity_id"}]
        if extra or not all(v is None or isinstance(v, str) for v in values):
            raise StoreError("a hidden-case query returned more than plain case attributes")
        out.append(HiddenCase(
            case_id=str(row["case_id"]),
            classification=str(row.get("classification") or "normal"),
            unit=str(row.get("unit") or ""),
            contact=str(row.get("contact") or ""),
            entity_id=str(entity_id if entity_id is not None else row["entity_id"]),
        ))
    return out


def disclose(hidden: list[HiddenCase]) -> list[dict]:
    """What the user is told: normal hits in full, restricted ones as unit and contact (one
    per unit and contact), covert ones not at all."""
    normal = sorted({(h.case_id, h.unit, h.contact) for h in hidden if h.classification == "normal"})
    restricted = sorted({(h.unit, h.contact) for h in hidden if h.classification == "restricted"})
    return ([{"classification": "normal", "case_id": c, "unit": u, "contact": k} for c, u, k in normal]
            + [{"classification": "restricted", "unit": u, "contact": k} for u, k in restricted])


def for_entity(store: GraphStore, settings: Settings, actor: Actor, entity_id: str, *,
               client: str = "") -> list[dict]:
    """The hits of an entity the actor may see, as they may learn them; covert owners notified.

    Covert owners are told whenever the entity is opened, but only a role with ``check-hit``
    sees the normal and restricted hits.

    :raise graph.NotFound: no such entity, or not one the actor may see.
    """
    found = graph.locate(store, actor, entity_id)
    if found.node.kind == "case":
        return []
    rows = store.read("views/hits_entity", {"nid": found.nid}, allowed_cases=visible_case_ids(actor))
    hidden = _hidden_cases(rows, entity_id=found.node.id)
    shown = disclose(hidden) if allowed(actor, "check-hit") else []
    if hidden:
        _notify_and_audit(settings, actor, hidden, shown, via="entity", client=client,
                          detail={"entity": found.node.id})
    return shown


def check(store: GraphStore, settings: Settings, actor: Actor, identifier: str,
          kind: str | None = None, *, client: str = "") -> dict:
    """Hit check on an exact phone or national id, without revealing the entity.

    Returns ``{"hit", "hits", "checked"}`` (and ``"phone"``, the E.164 form checked): an
    identifier that only covert cases hold answers exactly like one no case holds.

    :raise BadIdentifier: empty, too long, or neither a phone nor a national id.
    """
    ensure_allowed(actor, "check-hit")
    text = " ".join((identifier or "").split())
    if not text:
        raise BadIdentifier("identifier is required")
    if len(text) > MAX_IDENTIFIER_LENGTH:
        raise BadIdentifier(f"identifier is longer than {MAX_IDENTIFIER_LENGTH} characters")
    if kind not in (None, "", *IDENTIFIER_KINDS):
        raise BadIdentifier(f"kind must be one of: {', '.join(IDENTIFIER_KINDS)}")
    phone = _as_phone(text) if kind in (None, "", "phone") else None
    national = _as_national_id(text) if kind in (None, "", "national_id") else None
    if phone is None and national is None:
        raise BadIdentifier({"phone": "identifier is not a valid phone number",
                             "national_id": "identifier is not a national id"}.get(
            kind or "", "identifier is neither a phone number nor a national id"))
    allowed_cases = visible_case_ids(actor)
    hidden: list[HiddenCase] = []
    checked, detail = [], {}
    if phone is not None:
        checked.append("phone")
        if national is None:
            detail["phone"] = phone
        else:  # "19900101-1234" reads as a phone too: never the national id in clear
            detail["phone_key"] = ids.match_key(settings.match_key(), "phone", phone)
        hidden += _hidden_cases(store.read("views/hits_phone", {"e164": phone},
                                           allowed_cases=allowed_cases))
    if national is not None:
        checked.append("national_id")
        key = ids.match_key(settings.match_key(), "nid", national)
        detail["national_id_key"] = key  # the HMAC, never the id itself
        hidden += _hidden_cases(store.read("views/hits_person", {"match_key": key},
                                           allowed_cases=allowed_cases))
    shown = disclose(hidden)
    _notify_and_audit(settings, actor, hidden, shown, via="hit-check", client=client, detail=detail)
    answer = {"hit": bool(shown), "hits": shown, "checked": checked}
    if phone is not None:
        answer["phone"] = phone
    return answer


def _as_phone(text: str) -> str | None:
    if sum(ch.isdigit() for ch in text) < 6 or any(ch.isalpha() for ch in text):
        return None
    try:
        return normalise_phone(text, "SE")
    except NormaliseError:
        return None


def _as_national_id(text: str) -> str | None:
    """The national id as ingest keys it (upper case, letters and digits only)."""
    value = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(value) < 6 or not any(ch.isdigit() for ch in value):
        return None
    return value


def _notify_and_audit(settings: Settings, actor: Actor, hidden: list[HiddenCase], shown: list[dict],
                      *, via: str, client: str, detail: dict) -> None:
    """Notify the owners of the covert cases among ``hidden``, and audit the hit (every one)."""
    covert = [h for h in hidden if h.covert]
    notified = notifications.notify_owners(
        settings, [(h.case_id, h.entity_id) for h in covert], looker=actor.name, via=via)
    hidden_cases = sorted({h.case_id for h in hidden})
    audit.record(settings, audit.AuditEvent(
        action="check-hit" if via == "hit-check" else "hit",
        actor=actor.name,
        # What the user was told: "covert holds it" and "no case holds it" are one outcome in
        # the administrators' view; ``cases`` and ``detail`` (not shown there) name covert cases.
        outcome="hit" if shown else "no-hit",
        cases=tuple(hidden_cases),
        client=client,
        detail={**detail, "via": via, "shown": len(shown),
                "hidden": [{"case_id": c, "classification": k}
                           for c, k in sorted({h.case_id: h.classification for h in hidden}.items())],
                "owners_notified": notified},
    ))

