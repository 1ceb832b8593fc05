"""Every route declares the action it needs, and a role without that action gets 403."""

from __future__ import annotations

import re

import pytest

from graphapp.views.guard import AUTHENTICATED, PUBLIC
from tests.conftest import make_user

#: The action each route needs: a new route fails here until it declares one.
EXPECTED = {
    "health.health": PUBLIC,
    "static": PUBLIC,
    "ui.vendor": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": AUTHENTICATED,
    "auth.change_password": AUTHENTICATED,
    "auth.totp": AUTHENTICATED,
    "ui.home": AUTHENTICATED,
    "ui.search": "search",
    "ui.entity": "view-entity",
    "ui.export_view": "export",
    "ui.queries": "run-saved-query",
    "ui.query": "run-saved-query",
    "ui.query_download": "run-saved-query",
    "ui.console": "use-cypher-console",
    "api.console": "use-cypher-console",
    "ui.drafts": "run-saved-query",
    "ui.draft": "run-saved-query",
    "ui.draft_create": "use-cypher-console",
    "ui.draft_edit": "use-cypher-console",
    "ui.draft_submit": "use-cypher-console",
    "ui.draft_review": "publish-query",
    "ui.draft_run": "run-saved-query",
    "api.search": "search",
    "api.entity": "view-entity",
    "api.entity_network": "view-network",
    "api.entity_expand": "view-network",
    "api.person_suggestions": "view-entity",
    "api.decide_suggestion": "resolve-persons",
    "ui.network": "view-network",
    "ui.decide_suggestion": "resolve-persons",
    "api.queries": "run-saved-query",
    "api.run_query": "run-saved-query",
    "api.audit_log": "read-audit",
    "api.check_hit": "check-hit",
    "api.list_notifications": "read-notifications",
    "api.read_notification": "read-notifications",
    "ui.check_hit": "check-hit",
    "ui.notifications_page": "read-notifications",
    "ui.notifications_read": "read-notifications",
    "api.find_paths": "find-paths",
    "api.cross_case_links": "view-cross-case",
    "api.list_detectors": "run-detector",
    "api.run_detector": "run-detector",
    "api.entity_network_analysis": "view-network",
    "ui.paths_page": "find-paths",
    "ui.links_page": "view-cross-case",
    "ui.detectors_page": "run-detector",
    "ui.detector_page": "run-detector",
    "ui.analysis_page": "view-network",
    "admin.index": "manage-users",
    "admin.users": "manage-users",
    "admin.add_user": "manage-users",
    "admin.user_op": "manage-users",
    "admin.user_actions": "manage-users",
    "admin.cases": "manage-cases",
    "admin.grant": "manage-users",
    "admin.revoke": "manage-users",
    "admin.request_access": "manage-cases",
    "admin.audit_log": "read-audit",
    "owner.case_requests": "view-case",
    "owner.decide": "view-case",
    "exports_api.list_packages": "read-export",
    "exports_api.create_package": "export",
    "exports_api.get_package": "read-export",
    "exports_api.package_file": "read-export",
    "exports_api.share_package": "export",
    "exports_api.unshare_package": "export",
    "exports.index": "read-export",
    "exports.new": "export",
    "exports.package": "read-export",
    "exports.download": "read-export",
    "exports.download_all": "read-export",
    "exports.public_key": "read-export",
    "exports.view_html": "read-export",
    "exports.share": "export",
    "exports.unshare": "export",
}
#: Endpoints Flask or its extensions declare, checked by EXPECTED all the same.
UNDECORATED_OK = {"static", "auth.login", "auth.logout", "auth.change_password", "auth.totp"}


def test_every_route_declares_its_action(app):
    seen = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        action = getattr(view, "required_action", None)
        if action is None and rule.endpoint in UNDECORATED_OK:
            action = EXPECTED[rule.endpoint]
        seen[rule.endpoint] = action
    assert seen == EXPECTED


def _sample(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: {"entity_id": "phone:%2B46701234567",
                                                   "name": "shared_phones",
                                                   "notification_id": "1"}.get(m.group(1), "x"),
                  rule)


@pytest.mark.parametrize("role", ["prosecutor"])
def test_a_role_without_the_action_gets_403_on_every_api_route(app, client, settings, demo_store,
                                                               role):
    token = make_user(settings, "pat", role, {"K-2024-0113": "read"})
    headers = {"Authorization": f"Bearer {token}"}
    checked = 0
    for rule in app.url_map.iter_rules():
        action = getattr(app.view_functions[rule.endpoint], "required_action", None)
        if not rule.rule.startswith("/api/") or action in (None, PUBLIC, AUTHENTICATED):
            continue
        if rule.rule.startswith("/api/v1/exports"):
            continue  # prosecutors read packages: tests/test_export_packages.py checks these routes
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(_sample(rule.rule) + "?q=x", method=method, headers=headers, json={})
        assert response.status_code == 403, (rule.rule, response.status_code, response.data)
        checked += 1
    assert checked == 18
