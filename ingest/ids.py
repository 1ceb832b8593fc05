"""Stable identities: edge ``rel_key``s from natural keys, and person match keys.

A person endpoint's natural key is ``case_id:person_ref`` (the case's own record of them), not
the merge-dependent ``person_id``: re-loading a file after a merge or a split then finds the
same edges (DESIGN.md section 3).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def person_ref_key(case_id: str, person_ref: str) -> str:
    """The natural key of a case's record of a person."""
    return f"{case_id}:{person_ref}"


def rel_key(rel_type: str, start_key: str, end_key: str, case_id: str, source: str) -> str:
    """The stable id of a fact: a hash of its type, endpoints' natural keys, case and source."""
    text = "\x1f".join((rel_type, start_key, end_key, case_id, source))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_person_id() -> str:
    """A random, opaque person id, assigned when a record first matches no one."""
    return secrets.token_hex(16)


def new_batch_id() -> str:
    return "b-" + secrets.token_hex(8)


def match_key(server_key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA-256 of one identifying value, so the graph never holds it in the clear."""
    digest = hmac.new(server_key, f"{kind}\x1f{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()}"


def person_match_keys(
    server_key: bytes, *, national_id: str, name: str, birth_date: str
) -> list[str]:
    """Keys on which two records are the same person: exact national id, or exact name + birth date.

    ``name`` must already be normalised; without a birth date a name alone joins no one.
    """
    keys = []
    nid = "".join(ch for ch in national_id.upper() if ch.isalnum())
    if nid:
        keys.append(match_key(server_key, "nid", nid))
    if name and birth_date:
        keys.append(match_key(server_key, "nb", f"{name}|{birth_date}"))
    return keys


def person_block_keys(server_key: bytes, *, name: str, birth_date: str) -> list[str]:
    """Blocking keys: records that share one are compared for a near match, no others.

    The exact birth date, and the first two letters of each name word in sorted order
    (survives swapped order, most typos and transliteration variants: "Aleksandr"/"Alexander").
    """
    keys = []
    if birth_date:
        keys.append(match_key(server_key, "blk-bd", birth_date[:10]))
    initials = sorted(word[:2] for word in name.split() if word)
    if initials:
        keys.append(match_key(server_key, "blk-nt", "|".join(initials)))
    return keys
