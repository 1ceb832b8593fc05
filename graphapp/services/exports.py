"""Evidence packages: make one from a view, keep it, share it with prosecutors, hand out its files.

Used alike by the web pages, the JSON API and the command line; every step is audited here
(export with the manifest's digest, share, unshare, each download and each opening of the HTML
view), so that no entry point can forget it.

Who may read a package:

- its exporter, while they still may export and still see every case it covers (a membership
  taken away takes the package away too);
- a prosecutor it is shared with, without any case membership (DESIGN.md section 5: the
  package is a frozen snapshot; the exporter decides). Nobody else: an id one may not read is
  answered exactly like an id that does not exist.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import or_, select

from graphapp import audit
from graphapp.access import Actor, Forbidden, allowed, ensure_allowed, visible_case_ids
from graphapp.db import ExportPackage, ExportShare, User, session_scope, utcnow
from graphapp.export import BadSpec, PackageInfo, collect, parse_formats, write_package
from graphapp.export import manifest as manifests
from graphapp.settings import Settings
from graphapp.store import GraphStore

#: A package id: 32 lower-case hex digits.
ID_LENGTH = 32
MEDIA_TYPES = {
    ".html": "text/html", ".pdf": "application/pdf", ".graphml": "application/xml",
    ".gexf": "application/xml", ".csv": "text/csv", ".png": "image/png", ".json": "application/json",
    ".sig": "application/json",
}


class PackageNotFound(LookupError):
    """No package by that id that the caller may read (the two are one answer)."""


class ShareRefused(ValueError):
    """The share cannot be made; the message is safe to show to the exporter."""


class PackageAltered(RuntimeError):
    """A file on the server no longer has the digest its signed manifest states."""


@dataclass(frozen=True)
class Context:
    """Where a request came from, for the audit log."""

    client: str = ""
    os_user: str = ""


def _record(settings: Settings, ctx: Context, action: str, actor: Actor, *, cases=(), outcome="ok",
            **detail) -> None:
    audit.record(settings, audit.AuditEvent(action=action, actor=actor.name, outcome=outcome,
                                            cases=tuple(cases), client=ctx.client,
                                            os_user=ctx.os_user, detail=detail))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def package_dir(settings: Settings, package_id: str) -> Path:
    return settings.export_dir / package_id


# -- making a package ------------------------------------------------------------------------


def create(store: GraphStore, settings: Settings, actor: Actor, spec: dict, formats=None,
           ctx: Context = Context()) -> dict:
    """Make, sign, keep and record a package of ``spec`` as ``actor`` sees it now.

    :raise Forbidden: the actor may not export.
    :raise BadSpec: bad view, parameters or formats.
    :raise NotFound: an entity in the spec that the actor may not see.
    """
    ensure_allowed(actor, "export")
    formats = parse_formats(formats)
    snapshot = collect(store, actor, spec)
    if not snapshot.nodes:
        raise BadSpec("nothing to put in a package: the view holds no entity you may see "
                      "(a saved query's result must name entities or facts)")
    package_id = secrets.token_hex(ID_LENGTH // 2)
    created = _now()
    info = PackageInfo(package_id=package_id, exporter=actor.name, exporter_role=actor.role,
                       created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"))
    root = settings.export_dir
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = root / f".tmp-{package_id}"
    staging.mkdir(mode=0o700)
    try:
        manifest = write_package(snapshot, info, staging, formats, manifests.private_key(settings))
        for path in staging.iterdir():
            path.chmod(0o600)
        os.rename(staging, package_dir(settings, package_id))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = {f["name"]: {"sha256": f["sha256"], "bytes": f["bytes"]} for f in manifest["files"]}
    for name in (manifests.MANIFEST, manifests.SIGNATURE):
        path = package_dir(settings, package_id) / name
        files[name] = {"sha256": manifests.sha256_file(path), "bytes": path.stat().st_size}
    with session_scope(settings) as s:
        s.add(ExportPackage(id=package_id, exporter_id=actor.user_id, exporter=actor.name,
                            os_user=ctx.os_user, created_at=created, title=snapshot.title,
                            view=snapshot.spec, formats=formats, cases=snapshot.case_ids, files=files,
                            manifest_sha256=manifest["sha256"]))
    _record(settings, ctx, "export", actor, cases=snapshot.case_ids, package=package_id,
            view=snapshot.spec, formats=formats, manifest_sha256=manifest["sha256"],
            files=len(files), nodes=len(snapshot.nodes), edges=len(snapshot.edges))
    return get(settings, actor, package_id)


# -- reading ---------------------------------------------------------------------------------


def _may_read(settings: Settings, actor: Actor, row: ExportPackage, shared: bool) -> bool:
    if row.exporter_id == actor.user_id and allowed(actor, "export"):
        return set(row.cases) <= visible_case_ids(actor)
    # A share is for a prosecutor as such: no other role reads a package without its cases.
    return shared and actor.role == "prosecutor" and allowed(actor, "read-export")


def _active_share(session, package_id: str, user_id: int | None):
    return session.scalar(select(ExportShare).where(
        ExportShare.package_id == package_id, ExportShare.user_id == user_id,
        ExportShare.revoked_at.is_(None)))


def _load(settings: Settings, actor: Actor, package_id: str) -> tuple[ExportPackage, list[str]]:
    """The package row and the names it is shared with, if ``actor`` may read it."""
    ensure_allowed(actor, "read-export")
    if not _well_formed(package_id):
        raise PackageNotFound(package_id)
    with session_scope(settings) as s:
        row = s.get(ExportPackage, package_id)
        shared = row is not None and _active_share(s, package_id, actor.user_id) is not None
        if row is None or not _may_read(settings, actor, row, shared):
            raise PackageNotFound(package_id)
        names = _share_names(s, package_id)
        s.expunge(row)
    return row, names


def _well_formed(package_id: object) -> bool:
    return isinstance(package_id, str) and len(package_id) == ID_LENGTH and all(
        c in "0123456789abcdef" for c in package_id)


def _share_names(session, package_id: str) -> list[str]:
    """Who may read the package now (its active shares), by name."""
    return list(session.scalars(select(User.name).join(ExportShare, ExportShare.user_id == User.id).where(
        ExportShare.package_id == package_id, ExportShare.revoked_at.is_(None)).order_by(User.name)))


def _created(row: ExportPackage) -> str:
    stamp = row.created_at.astimezone(UTC) if row.created_at.tzinfo else row.created_at
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _to_dict(row: ExportPackage, shares: list[str] | None, actor: Actor) -> dict:
    out = {
        "id": row.id, "title": row.title, "exporter": row.exporter,
        "created_at": _created(row),
        "view": row.view, "formats": row.formats, "cases": row.cases,
        "files": [{"name": n, **row.files[n]} for n in sorted(row.files)],
        "manifest_sha256": row.manifest_sha256,
        "mine": row.exporter_id == actor.user_id,
    }
    if shares is not None and out["mine"]:
        out["shared_with"] = shares  # only the exporter learns who else may read it
    return out


def get(settings: Settings, actor: Actor, package_id: str) -> dict:
    """The package's record as the caller may see it.

    :raise PackageNotFound: unknown, or not one the caller may read.
    """
    row, shares = _load(settings, actor, package_id)
    return _to_dict(row, shares, actor)


def list_for(settings: Settings, actor: Actor, ctx: Context = Context()) -> list[dict]:
    """The packages the caller may read, newest first: their own, and those shared with them."""
    ensure_allowed(actor, "read-export")
    with session_scope(settings) as s:
        shared_ids = select(ExportShare.package_id).where(
            ExportShare.user_id == actor.user_id, ExportShare.revoked_at.is_(None))
        rows = list(s.scalars(select(ExportPackage).where(or_(
            ExportPackage.exporter_id == actor.user_id, ExportPackage.id.in_(shared_ids))
        ).order_by(ExportPackage.created_at.desc(), ExportPackage.id)))
        shared = set(s.scalars(shared_ids))
        for row in rows:
            s.expunge(row)
    out = [_to_dict(r, None, actor) for r in rows if _may_read(settings, actor, r, r.id in shared)]
    _record(settings, ctx, "list-exports", actor, cases={c for p in out for c in p["cases"]},
            count=len(out))
    return out


def read_file(settings: Settings, actor: Actor, package_id: str, name: str, ctx: Context = Context(),
              *, action: str = "download-export") -> tuple[bytes, str]:
    """The bytes and media type of one file of a package; audited.

    :raise PackageNotFound: unknown package or file, or not one the caller may read.
    :raise PackageAltered: the file's digest differs from the one recorded at export.
    """
    row, _ = _load(settings, actor, package_id)
    if name not in row.files:
        raise PackageNotFound(package_id)
    data = (package_dir(settings, package_id) / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != row.files[name]["sha256"]:
        _record(settings, ctx, action, actor, cases=row.cases, outcome="altered", package=package_id,
                file=name, sha256=digest)
        raise PackageAltered(f"{name} of package {package_id} was altered on the server")
    _record(settings, ctx, action, actor, cases=row.cases, package=package_id, file=name, sha256=digest)
    return data, MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def copy_to(settings: Settings, actor: Actor, package_id: str, out: Path,
            ctx: Context = Context()) -> list[str]:
    """Copy a package's files into ``out`` (new or empty); audited as one download of each."""
    row, _ = _load(settings, actor, package_id)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    for name in sorted(row.files):
        data, _ = read_file(settings, actor, package_id, name, ctx)
        (out / name).write_bytes(data)
    return sorted(row.files)


# -- sharing ---------------------------------------------------------------------------------


def _own(settings: Settings, actor: Actor, package_id: str) -> ExportPackage:
    ensure_allowed(actor, "export")
    row, _ = _load(settings, actor, package_id)
    if row.exporter_id != actor.user_id:
        raise PackageNotFound(package_id)  # a prosecutor it is shared with may not pass it on
    return row


def share(settings: Settings, actor: Actor, package_id: str, user_name: str,
          ctx: Context = Context()) -> dict:
    """Let the prosecutor ``user_name`` read the package (the exporter only; audited).

    :raise ShareRefused: no enabled prosecutor by that name.
    """
    row = _own(settings, actor, package_id)
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == user_name))
        if user is None or user.disabled or user.role != "prosecutor":
            _record(settings, ctx, "share-export", actor, cases=row.cases, outcome="denied",
                    package=package_id, user=user_name, reason="no enabled prosecutor by that name")
            raise ShareRefused(f"no enabled prosecutor named {user_name!r}")
        existing = s.scalar(select(ExportShare).where(ExportShare.package_id == package_id,
                                                      ExportShare.user_id == user.id))
        if existing is None:
            s.add(ExportShare(package_id=package_id, user_id=user.id, shared_by=actor.name))
        else:
            existing.revoked_at = None
            existing.shared_by = actor.name
            existing.shared_at = utcnow()
    _record(settings, ctx, "share-export", actor, cases=row.cases, package=package_id, user=user_name)
    return get(settings, actor, package_id)


def _exported(settings: Settings, actor: Actor, package_id: str) -> ExportPackage:
    """The caller's own package, even one whose cases they no longer all see (which ``_own``
    refuses): taking a share back only narrows who reads it, and stays the exporter's call."""
    ensure_allowed(actor, "export")
    with session_scope(settings) as s:
        row = s.get(ExportPackage, package_id) if _well_formed(package_id) else None
        if row is None or row.exporter_id != actor.user_id:
            raise PackageNotFound(package_id)
        s.expunge(row)
    return row


def shares_beyond_reach(settings: Settings, actor: Actor, ctx: Context = Context()) -> list[dict]:
    """The caller's packages that prosecutors still read but the caller may no longer open (a
    case of theirs was taken away): ``{"id", "created_at", "shared_with"}`` each, nothing of
    the package itself, so that they can still end those shares (audited when there are any)."""
    if not allowed(actor, "export"):
        return []
    out, cases = [], set()
    with session_scope(settings) as s:
        rows = list(s.scalars(select(ExportPackage).where(ExportPackage.exporter_id == actor.user_id)
                              .order_by(ExportPackage.created_at.desc(), ExportPackage.id)))
        for row in rows:
            if not _may_read(settings, actor, row, False) and (names := _share_names(s, row.id)):
                out.append({"id": row.id, "created_at": _created(row), "shared_with": names})
                cases.update(row.cases)
    if out:
        _record(settings, ctx, "list-exports-beyond-reach", actor, cases=cases,
                packages=[p["id"] for p in out])
    return out


def unshare(settings: Settings, actor: Actor, package_id: str, user_name: str,
            ctx: Context = Context()) -> dict:
    """End a prosecutor's access to the package (the exporter only, whether or not they still
    see its cases; audited). The package's record if the exporter may still open it, else only
    its id and the names it is still shared with."""
    row = _exported(settings, actor, package_id)
    with session_scope(settings) as s:
        share_row = s.scalar(select(ExportShare).join(User, ExportShare.user_id == User.id).where(
            ExportShare.package_id == package_id, User.name == user_name,
            ExportShare.revoked_at.is_(None)))
        if share_row is None:
            raise ShareRefused(f"the package is not shared with {user_name!r}")
        share_row.revoked_at = utcnow()
    _record(settings, ctx, "unshare-export", actor, cases=row.cases, package=package_id, user=user_name)
    try:
        return get(settings, actor, package_id)
    except (PackageNotFound, Forbidden):  # no longer (or never) one the exporter may open
        with session_scope(settings) as s:
            return {"id": package_id, "mine": True, "shared_with": _share_names(s, package_id)}


def prosecutors(settings: Settings) -> list[str]:
    """Names of the enabled prosecutors, for the exporter's share form."""
    with session_scope(settings) as s:
        return list(s.scalars(select(User.name).where(User.role == "prosecutor",
                                                      User.disabled.is_(False)).order_by(User.name)))
