"""The one declaration of entity kinds, their keys and the relationship types (DESIGN.md section 3).

Everything that needs to know a label, a key property or a relationship's endpoints asks this
module: the store (schema, value conversion), ingest (keys, ``rel_key``) and the web layer
(entity ids such as ``phone:+46701234567``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote


class InvalidEntityId(ValueError):
    """An entity id that does not name a known kind and a key."""


@dataclass(frozen=True)
class EntityKind:
    """A node label with its unique key property."""

    label: str
    key: str
    description: str

    @property
    def kind(self) -> str:
        """The lower-case name used in entity ids, the API and the UI."""
        return self.label.lower()

    def entity_id(self, key: str) -> str:
        return f"{self.kind}:{key}"


@dataclass(frozen=True)
class RelationKind:
    """A relationship type with the labels it joins and its own properties."""

    type: str
    start: tuple[str, ...]
    end: tuple[str, ...]
    description: str
    properties: tuple[str, ...] = ()


#: Properties every fact (relationship) carries.
FACT_PROPERTIES = ("case_id", "source", "batch_id", "rel_key")

#: Node properties that are the store's own indexes; never shown or returned as they are.
INTERNAL_NODE_PROPERTIES = frozenset(
    {"case_ids", "match_keys", "block_keys", "created_batch", "pending_batch"})

#: Relationship properties that are the store's own bookkeeping, never returned as they are:
#: a pending or a half-withdrawn fact's case, a person record's keys, and which other batches
#: restated a fact, which withdrawn batch hid a suggestion (ingest/batches.py; a dormant
#: statement's case never reaches a read at all).
INTERNAL_REL_PROPERTIES = frozenset({"pending_case", "withdrawn_case", "match_keys", "block_keys",
                                     "restated_by", "differed_by", "dormant_case",
                                     "withdrawn_by"})

ENTITY_KINDS: dict[str, EntityKind] = {
    k.label: k
    for k in (
        EntityKind("Case", "case_id", "An investigation; the unit of access control."),
        EntityKind(
            "Person", "person_id", "A resolved person; random, opaque id; names live on facts."
        ),
        EntityKind("Phone", "e164", "A phone number in E.164 form."),
        EntityKind("Address", "address_key", "A normalised street, postcode, city and country."),
        EntityKind("Hotel", "hotel_key", "A hotel or short-term stay: normalised name, city, country."),
        EntityKind("Advert", "advert_key", "An online advert: site and the site's advert id."),
    )
}

_BY_KIND = {k.kind: k for k in ENTITY_KINDS.values()}

_ENTITIES = ("Phone", "Address", "Hotel", "Advert")

RELATION_KINDS: dict[str, RelationKind] = {
    r.type: r
    for r in (
        RelationKind(
            "INVOLVES", ("Case",), ("Person",), "The case's record of a person.",
            ("person_ref", "name", "birth_date", "nationality", "national_id", "role"),
        ),
        RelationKind(
            "MENTIONS", ("Case",), _ENTITIES, "The case mentions the entity.",
            ("first_seen", "last_seen"),
        ),
        RelationKind("USES", ("Person",), ("Phone",), "", ("first_seen", "last_seen")),
        RelationKind("RESIDES_AT", ("Person",), ("Address",), "", ("kind",)),
        RelationKind("STAYED_AT", ("Person",), ("Hotel",), "", ("check_in", "check_out", "room")),
        RelationKind("LOCATED_AT", ("Hotel",), ("Address",), ""),
        RelationKind("CALLED", ("Phone",), ("Phone",), "Call records.", ("first_call", "last_call", "count")),
        RelationKind("LISTS", ("Advert",), ("Phone",), "The advert shows the number.", ("posted",)),
        RelationKind("ASSOCIATED_WITH", ("Person",), ("Person",), "", ("kind",)),
        RelationKind(
            "MAYBE_SAME_AS", ("Person",), ("Person",), "A merge suggestion awaiting review.",
            ("score", "evidence", "other_case_id"),
        ),
    )
}

CASE_CLASSIFICATIONS = ("normal", "restricted", "covert")
PERSON_ROLES = ("suspect", "victim", "buyer", "witness", "other")
ADDRESS_KINDS = ("residence", "work", "incident", "other")
CASE_ACCESS = ("read", "edit", "owner")


def entity_kind(label_or_kind: str) -> EntityKind:
    """Look a kind up by label (``Phone``) or by its lower-case name (``phone``)."""
    kind = ENTITY_KINDS.get(label_or_kind) or _BY_KIND.get(label_or_kind)
    if kind is None:
        raise InvalidEntityId(f"unknown entity kind {label_or_kind!r}")
    return kind


def parse_entity_id(entity_id: str) -> tuple[EntityKind, str]:
    """Split ``phone:%2B4670…`` or ``phone:+4670…`` into its kind and key."""
    text = unquote(entity_id or "")
    kind_name, sep, key = text.partition(":")
    if not sep or not key:
        raise InvalidEntityId(f"entity id {entity_id!r} is not of the form kind:key")
    return entity_kind(kind_name.lower()), key
