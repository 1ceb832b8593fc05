"""Evidence packages over HTTP: the JSON API under ``/api/v1/exports`` and the pages under
``/exports`` (a prosecutor's whole app: the packages shared with them, nothing of the graph).

Every view loads the package through :mod:`graphapp.services.exports`, which decides who may
read it and audits each download; an id one may not read is a 404 like an unknown one. A
package's HTML opened in the app is served from a path of its own with
``Content-Security-Policy: sandbox allow-scripts`` (no ``allow-same-origin``): its inline script
runs in an opaque origin and cannot reach the app, its cookies or its API.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from graphapp.export import FORMATS, BadSpec, entity_network_spec
from graphapp.export import manifest as manifests
from graphapp.services import exports
from graphapp.services import graph as graph_service
from graphapp.views import api, context
from graphapp.views.errors import ApiError, error_response
from graphapp.views.guard import requires

api_bp = Blueprint("exports_api", __name__, url_prefix="/api/v1/exports")
bp = Blueprint("exports", __name__, url_prefix="/exports")

#: Headers of every file handed out: a download, never rendered by the app's origin.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
#: The HTML view: its scripts run, in an opaque origin of their own.
VIEW_CSP = "sandbox allow-scripts"
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _ctx() -> exports.Context:
    return exports.Context(client=context.client_address())


api_bp.before_request(api.require_actor)


@bp.app_errorhandler(exports.PackageNotFound)
def package_not_found(exc):
    return error_response(404, "not_found", "No such package, or not one you may read.")


@bp.app_errorhandler(exports.PackageAltered)
def package_altered(exc):
    return error_response(409, "package_altered",
                          "This file no longer matches the package's signed manifest; it is not served.")


# -- JSON API --------------------------------------------------------------------------------


@api_bp.get("")
@requires("read-export")
def list_packages():
    """The packages the caller may read: their own, and those shared with them; and their own
    that they may no longer open but prosecutors still read (id, date, prosecutors only)."""
    return jsonify({"exports": exports.list_for(context.settings(), g.actor, _ctx()),
                    "shares_beyond_reach": exports.shares_beyond_reach(context.settings(), g.actor,
                                                                       _ctx())})


@api_bp.post("")
@requires("export")
def create_package():
    """Make a package: ``{"entity_ids": [...], "hops": 2, "formats": [...]}`` for an entity
    network, or ``{"view": {"kind", "params"}, "formats": [...]}`` for any view kind."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_parameter", "send a JSON object")
    spec = body.get("view")
    if spec is None:
        spec = entity_network_spec(body.get("entity_ids") or [], body.get("hops", 2),
                                   body.get("limit", graph_service.DEFAULT_NODE_LIMIT))
    try:
        package = exports.create(context.store(), context.settings(), g.actor, spec,
                                 body.get("formats"), _ctx())
    except BadSpec as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    response = jsonify(package)
    response.status_code = 201
    response.headers["Location"] = url_for("exports_api.get_package", package_id=package["id"])
    return response


@api_bp.get("/<package_id>")
@requires("read-export")
def get_package(package_id: str):
    """One package: its files with their digests, view, cases, exporter and time."""
    return jsonify(exports.get(context.settings(), g.actor, package_id))


@api_bp.get("/<package_id>/files/<name>")
@requires("read-export")
def package_file(package_id: str, name: str):
    """Download one file of a package (audited)."""
    return _download(package_id, name)


@api_bp.post("/<package_id>/shares")
@requires("export")
def share_package(package_id: str):
    """Share one's package with a prosecutor: ``{"user": NAME}`` (audited)."""
    body = request.get_json(silent=True) or {}
    name = body.get("user") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        raise ApiError(400, "bad_parameter", "user must be a user name")
    try:
        return jsonify(exports.share(context.settings(), g.actor, package_id, name, _ctx()))
    except exports.ShareRefused as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc


@api_bp.delete("/<package_id>/shares/<name>")
@requires("export")
def unshare_package(package_id: str, name: str):
    """End a prosecutor's access to one's package (audited)."""
    try:
        return jsonify(exports.unshare(context.settings(), g.actor, package_id, name, _ctx()))
    except exports.ShareRefused as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


def _download(package_id: str, name: str) -> Response:
    data, media_type = exports.read_file(context.settings(), g.actor, package_id, name, _ctx())
    filename = SAFE_FILENAME.sub("-", f"casegraph-{package_id[:8]}-{name}")
    return Response(data, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Security-Policy": DOWNLOAD_CSP,
        "X-Content-SHA256": hashlib.sha256(data).hexdigest(),
    })


# -- pages -----------------------------------------------------------------------------------


@bp.before_request
@login_required
def load_actor():
    """Every page needs a logged-in user."""
    context.actor_from_session()


@bp.get("/")
@requires("read-export")
def index():
    """The packages one may read; for a prosecutor, those shared with them."""
    items = exports.list_for(context.settings(), g.actor, _ctx())
    beyond = exports.shares_beyond_reach(context.settings(), g.actor, _ctx())
    return render_template("exports_list.html", items=items, beyond=beyond)


@bp.post("/new")
@requires("export")
def new():
    """Make a package of the view a page shows: its form sends ``kind`` and ``params`` (JSON),
    or ``entity_id`` and ``hops`` for an entity's network."""
    formats = request.form.getlist("formats") or list(FORMATS)
    spec = {"kind": request.form.get("kind", "entity-network"), "params": {}}
    try:
        spec = _form_spec()
        package = exports.create(context.store(), context.settings(), g.actor, spec, formats, _ctx())
    except BadSpec as exc:
        flash(f"No package made: {exc}", "error")
        return redirect(_back_to(spec))
    flash("Evidence package made and signed. Share it with a prosecutor below.", "info")
    return redirect(url_for("exports.package", package_id=package["id"]))


def _form_spec() -> dict:
    """The view spec a page's package form describes (checked further by the view's kind).

    :raise BadSpec: ``params`` is not a JSON object.
    """
    kind = request.form.get("kind", "entity-network")
    try:
        params = json.loads(request.form.get("params") or "{}")
    except ValueError:
        params = None
    if not isinstance(params, dict):
        raise BadSpec("params must be a JSON object")
    if kind == "entity-network":
        if request.form.get("entity_id"):
            params["entity_ids"] = [request.form["entity_id"]]
        if request.form.get("hops"):
            params["hops"] = request.form["hops"]
    return {"kind": kind, "params": params}


def _back_to(spec: dict) -> str:
    """The page a refused package form came from (built here, never taken from the request)."""
    params = spec["params"]
    ids = params.get("entity_ids")
    if spec["kind"] == "entity-network" and isinstance(ids, list) and ids and isinstance(ids[0], str):
        return url_for("ui.entity", entity_id=ids[0])
    if spec["kind"] == "path":
        return url_for("ui.paths_page", **{"from": str(params.get("from", "")),
                                           "to": str(params.get("to", ""))})
    if spec["kind"] == "saved-query" and isinstance(params.get("name"), str):
        return url_for("ui.query", name=params["name"])
    if spec["kind"] == "cross-case":
        return url_for("ui.links_page")
    return url_for("exports.index")


@bp.get("/<package_id>")
@requires("read-export")
def package(package_id: str):
    """One package: its files to download, the HTML view, and (for its exporter) sharing."""
    item = exports.get(context.settings(), g.actor, package_id)
    choices = exports.prosecutors(context.settings()) if item["mine"] else []
    return render_template("export_package.html", item=item, prosecutors=choices)


@bp.get("/<package_id>/files/<name>")
@requires("read-export")
def download(package_id: str, name: str):
    """Download one file of a package (audited)."""
    return _download(package_id, name)


@bp.get("/<package_id>/package.zip")
@requires("read-export")
def download_all(package_id: str):
    """Every file of a package in one ZIP, in a folder of its own under the names its manifest
    lists, as ``casegraph export verify`` reads them (each file checked and audited as a
    download)."""
    settings = context.settings()
    item = exports.get(settings, g.actor, package_id)
    folder = f"casegraph-{package_id[:8]}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in item["files"]:
            data, _ = exports.read_file(settings, g.actor, package_id, f["name"], _ctx())
            archive.writestr(f"{folder}/{f['name']}", data)
    body = buffer.getvalue()
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{SAFE_FILENAME.sub("-", folder)}.zip"',
        "Content-Security-Policy": DOWNLOAD_CSP,
        "X-Content-SHA256": hashlib.sha256(body).hexdigest(),
    })


@bp.get("/public-key.pem")
@requires("read-export")
def public_key():
    """This installation's public signing key (PEM), which checks any of its packages."""
    pem = manifests.public_key_pem(manifests.private_key(context.settings()))
    return Response(pem, mimetype="application/x-pem-file", headers={
        "Content-Disposition": 'attachment; filename="casegraph-public-key.pem"'})


@bp.get("/<package_id>/view/network.html")
@requires("read-export")
def view_html(package_id: str):
    """The package's HTML network, sandboxed in an origin of its own (audited)."""
    data, _ = exports.read_file(context.settings(), g.actor, package_id, "network.html", _ctx(),
                                action="open-export")
    return Response(data, mimetype="text/html", headers={
        "Content-Security-Policy": VIEW_CSP,
        "Content-Disposition": 'inline; filename="network.html"',
    })


@bp.post("/<package_id>/share")
@requires("export")
def share(package_id: str):
    """Share the package with a prosecutor (its exporter only)."""
    return _change_share(package_id, exports.share, "Shared with {name}.")


@bp.post("/<package_id>/unshare")
@requires("export")
def unshare(package_id: str):
    """End a prosecutor's access to the package (its exporter only)."""
    return _change_share(package_id, exports.unshare, "{name} may no longer read this package.")


def _change_share(package_id: str, change, done: str):
    name = request.form.get("user", "").strip()
    try:
        change(context.settings(), g.actor, package_id, name, _ctx())
    except exports.ShareRefused as exc:
        flash(str(exc), "error")
    else:
        flash(done.format(name=name), "info")
    if request.form.get("back") == "list":  # a package its exporter may no longer open
        return redirect(url_for("exports.index"))
    return redirect(url_for("exports.package", package_id=package_id))
