"""The signed manifest of a package, and the check that a package is as it was exported.

``manifest.json`` lists every other file with its size and SHA-256 digest, the view and
parameters that produced the package, the cases it covers, the exporter and the time.
``manifest.sig`` holds an Ed25519 signature (library ``cryptography``) over the exact bytes
of ``manifest.json``, made with the installation's key (``keys/export_signing_key`` in the
data directory, mode 0600). Anyone with the installation's public key can check a package
offline: :func:`verify` (``casegraph export verify DIR``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = "casegraph-export/1"
#: A file name a manifest may list: one plain name in the package directory, nothing else.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class VerifyError(Exception):
    """The public key or the package cannot be read at all."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- keys ------------------------------------------------------------------------------------


def private_key(settings) -> Ed25519PrivateKey:
    """The installation's signing key (its 32-byte seed is created once, mode 0600)."""
    return Ed25519PrivateKey.from_private_bytes(settings.export_signing_seed())


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short fingerprint of the public key: SHA-256 of its raw bytes, first 16 hex digits."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise VerifyError("the public key file is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VerifyError("the public key is not an Ed25519 key")
    return key


# -- writing ---------------------------------------------------------------------------------


def build(directory: Path, files: list[str], *, package_id: str, created_at: str, exporter: dict,
          view: dict, cases: list[str], counts: dict, key: Ed25519PrivateKey) -> dict:
    """Write ``manifest.json`` and ``manifest.sig`` for ``files`` in ``directory``; return the
    manifest with its own digest as ``sha256``."""
    listed = []
    for name in sorted(files):
        if not SAFE_NAME.fullmatch(name) or name in (MANIFEST, SIGNATURE):
            raise ValueError(f"not a file name a package may hold: {name!r}")
        path = directory / name
        listed.append({"name": name, "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    manifest = {
        "format": FORMAT, "package_id": package_id, "created_at": created_at,
        "exporter": exporter, "view": view, "cases": sorted(cases), "counts": counts,
        "files": listed, "signing_key": key_id(key),
    }
    data = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    (directory / MANIFEST).write_bytes(data)
    signature = {"algorithm": "Ed25519", "signed_file": MANIFEST, "key_id": key_id(key),
                 "signature": base64.b64encode(key.sign(data)).decode("ascii")}
    (directory / SIGNATURE).write_text(json.dumps(signature, indent=2) + "\n", encoding="utf-8")
    return {**manifest, "sha256": hashlib.sha256(data).hexdigest()}


# -- checking --------------------------------------------------------------------------------


@dataclass
class Verdict:
    ok: bool
    #: One line per problem, each naming the file concerned.
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    checked: int = 0


def verify(directory: Path, public_key: Ed25519PublicKey) -> Verdict:
    """Check the signature over manifest.json, then every listed file's size and digest, and
    that the directory holds no file the manifest does not list."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        return Verdict(False, [f"{directory}: not a directory"])
    try:
        data = (directory / MANIFEST).read_bytes()
    except FileNotFoundError:
        return Verdict(False, [f"{MANIFEST}: missing"])
    try:
        signature = json.loads((directory / SIGNATURE).read_text(encoding="utf-8"))
        raw = base64.b64decode(signature["signature"], validate=True)
        public_key.verify(raw, data)
    except FileNotFoundError:
        problems.append(f"{SIGNATURE}: missing")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        problems.append(f"{SIGNATURE}: unreadable or altered")
    except InvalidSignature:
        problems.append(f"{MANIFEST}: the signature does not match (the manifest or {SIGNATURE} "
                        "was altered, or it was signed by another installation's key)")
    try:
        manifest = json.loads(data.decode("utf-8"))
        files = manifest["files"] if isinstance(manifest, dict) else None
    except (ValueError, KeyError):
        files = None
    if not isinstance(files, list):
        return Verdict(False, [*problems, f"{MANIFEST}: unreadable or altered"])
    listed = set()
    checked = 0
    for entry in files:
        name = entry.get("name", "") if isinstance(entry, dict) else ""
        if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or name in (MANIFEST, SIGNATURE):
            problems.append(f"{MANIFEST}: lists an unsafe file name {name!r}")
            continue
        listed.add(name)
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        checked += 1
        if path.stat().st_size != entry.get("bytes") or sha256_file(path) != entry.get("sha256"):
            problems.append(f"{name}: altered (its SHA-256 digest differs from the manifest's)")
    for path in sorted(directory.iterdir()):
        if path.name not in listed and path.name not in (MANIFEST, SIGNATURE):
            problems.append(f"{path.name}: not listed in the manifest")
    return Verdict(not problems, problems, manifest, checked)
