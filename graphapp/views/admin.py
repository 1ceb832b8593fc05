"""Administrators' pages: users, cases and their memberships, access requests, the audit log;
and the page where a case's owners decide requests for it.

Administrators manage accounts and memberships but are not case members by role (DESIGN.md
section 5): these pages show case ids, units, classifications and members (graphapp/cases.py
says why those), never a title or a fact; the audit page shows who did what and when, without
the cases or the details of a record. An administrator cannot grant themselves or another
administrator a case: they ask, and an owner of the case decides on the owners' page
(``/case-requests``); an administrator's grant of a case that has an owner is such a request
too, made for the grantee (graphapp/accounts.py, ``grant_case_by``).

Memberships are ``manage-users`` (the action table: "create users, tokens and memberships");
the cases page and an administrator's own request are ``manage-cases``. Refusals are audited
like the changes.

Every page needs its action (``@requires``), every form carries a CSRF token (CSRFProtect
refuses a POST without a good one before the view runs), and every change is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from graphapp import accounts, audit, model
from graphapp import cases as case_dir
from graphapp.access import ACTIONS, ROLE_ACTIONS, owned_case_ids
from graphapp.views import context
from graphapp.views.guard import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")
#: The owners' side of access requests: any member may reach it, only owners find requests there.
owner_bp = Blueprint("owner", __name__)


@bp.before_request
@login_required
def load_actor():
    """Every admin page needs a logged-in user (and then its own action)."""
    context.actor_from_session()


@owner_bp.before_request
@login_required
def load_owner():
    context.actor_from_session()


# -- forms ---------------------------------------------------------------------------------------

_ACCESS = list(model.CASE_ACCESS)
#: Extra actions an administrator may hand out: all but their own (accounts.ADMIN_ACTIONS).
GRANTABLE_ACTIONS = sorted(set(ACTIONS) - accounts.ADMIN_ACTIONS)


class AddUserForm(FlaskForm):
    name = StringField("User name", validators=[DataRequired(), Length(max=80)])
    # Not the first choice (admin): a slip of the form must not make an administrator.
    role = SelectField("Role", choices=list(accounts.ROLES), default="investigator")


class UserOpForm(FlaskForm):
    """A button on one user's row (the operation is in the URL)."""


class ActionForm(FlaskForm):
    action = SelectField("Extra action", choices=GRANTABLE_ACTIONS)
    op = SelectField("", choices=["grant", "revoke"])


class GrantForm(FlaskForm):
    user = StringField("User", validators=[DataRequired(), Length(max=80)])
    case_id = StringField("Case", validators=[DataRequired(), Length(max=120)])
    access = SelectField("Access", choices=_ACCESS)


class RevokeForm(FlaskForm):
    user = StringField("User", validators=[DataRequired(), Length(max=80)])
    case_id = StringField("Case", validators=[DataRequired(), Length(max=120)])


class RequestForm(FlaskForm):
    case_id = StringField("Case", validators=[DataRequired(), Length(max=120)])
    access = SelectField("Access", choices=_ACCESS)
    reason = TextAreaField("Why you need it (the owners read this)",
                           validators=[DataRequired(), Length(max=2000)])


class DecideForm(FlaskForm):
    decision = SelectField("", choices=["approve", "reject"])


def _refuse(form: FlaskForm) -> None:
    """A form that does not validate: say what was wrong (a bad CSRF token never gets here)."""
    for field, errors in form.errors.items():
        flash(f"{field}: {'; '.join(errors)}", "error")


# -- users ---------------------------------------------------------------------------------------


def _users_page(new_password: tuple[str, str] | None = None, status: int = 200):
    settings = context.settings()
    members: dict[str, list[tuple[str, str]]] = {}
    for case_id, name, access in accounts.case_members(settings):
        members.setdefault(name, []).append((case_id, access))
    return render_template(
        "admin/users.html", users=accounts.list_users(settings), members=members,
        extra=accounts.all_extra_actions(settings), last_login=accounts.last_logins(settings),
        tokens=accounts.active_token_counts(settings), add_form=AddUserForm(),
        grantable=GRANTABLE_ACTIONS, role_actions=ROLE_ACTIONS, new_password=new_password), status


@bp.get("/")
@requires("manage-users")
def index():
    """The administrators' start page: the users."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
@requires("manage-users")
def users():
    """Every user: role, whether enabled, second factor, last log-in, memberships, extra actions."""
    return _users_page()


@bp.post("/users")
@requires("manage-users")
def add_user():
    """Create a user with a one-time password, shown on this page once and never stored."""
    form = AddUserForm()
    if not form.validate_on_submit():
        _refuse(form)
        return _users_page(status=400)
    name, role = form.name.data.strip(), form.role.data
    try:
        password = accounts.add_user(context.settings(), name, role)
    except accounts.AccountError as exc:
        context.record("add-user", outcome="failure", user=name, role=role, reason=str(exc))
        flash(str(exc), "error")
        return _users_page(status=400)
    context.record("add-user", user=name, role=role)
    return _users_page(new_password=(name, password))


#: What the buttons on a user's row do: (audit action, function, message).
USER_OPS = {
    "disable": ("disable-user", accounts.disable_user, "{} disabled; sessions and tokens ended"),
    "enable": ("enable-user", accounts.enable_user, "{} enabled"),
    "end-sessions": ("revoke-sessions", accounts.revoke_sessions, "sessions of {} ended"),
    "revoke-tokens": ("revoke-token", accounts.revoke_user_tokens, "API tokens of {} revoked"),
    "reset-totp": ("reset-totp", accounts.totp_reset, "second factor of {} removed"),
    "reset-password": ("reset-password", None, ""),
}


@bp.post("/users/<name>/<op>")
@requires("manage-users")
def user_op(name: str, op: str):
    """Disable or enable a user, end their sessions, revoke their tokens, reset their second
    factor or give them a new one-time password (shown once)."""
    if op not in USER_OPS:
        abort(404)
    if not UserOpForm().validate_on_submit():
        abort(400)
    settings = context.settings()
    audit_action, fn, message = USER_OPS[op]
    if name == g.actor.name:
        context.record(audit_action, outcome="denied", user=name, reason="oneself")
        flash("Not on your own account: another administrator or the command line can.", "error")
        return redirect(url_for("admin.users"))
    try:
        user = accounts.get_user(settings, name)
        if op == "reset-password":
            password = accounts.reset_one_time_password(settings, name, user.role)
            context.record(audit_action, user=name)
            return _users_page(new_password=(name, password))
        result = fn(settings, name)
        if op == "reset-totp":
            accounts.revoke_sessions(settings, name)
    except accounts.AccountError as exc:
        abort(404, str(exc))
    detail = {"tokens": result} if op == "revoke-tokens" else {}
    context.record(audit_action, user=name, **detail)
    flash(message.format(name), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<name>/actions")
@requires("manage-users")
def user_actions(name: str):
    """Grant a user an extra action, or take one back."""
    form = ActionForm()
    if not form.validate_on_submit():
        context.record("grant-action", outcome="denied", user=name, reason="invalid form",
                       errors=sorted(form.errors))
        _refuse(form)
        return redirect(url_for("admin.users"))
    settings, action = context.settings(), form.action.data
    audit_action = f"{form.op.data}-action"
    if name == g.actor.name:  # an administrator's extra grants are another administrator's call
        context.record(audit_action, outcome="denied", user=name, action=action, reason="oneself")
        flash("Not on your own account: another administrator or the command line can.", "error")
        return redirect(url_for("admin.users"))
    try:
        if form.op.data == "grant":
            accounts.grant_action(settings, name, action, granted_by=g.actor.name)
        elif not accounts.revoke_action(settings, name, action):
            context.record(audit_action, outcome="failure", user=name, action=action,
                           reason="no such grant")
            flash(f"{name} has no extra grant of {action}.", "error")
            return redirect(url_for("admin.users"))
    except accounts.AccountError as exc:
        context.record(audit_action, outcome="denied", user=name, action=action, reason=str(exc))
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    context.record(audit_action, user=name, action=action)
    flash(f"{action} {'granted to' if form.op.data == 'grant' else 'taken back from'} {name}.", "info")
    return redirect(url_for("admin.users"))


# -- cases and memberships -----------------------------------------------------------------------


@bp.get("/cases")
@requires("manage-cases")
def cases():
    """Cases (id, unit, classification), their members, and the access requests waiting."""
    settings = context.settings()
    members: dict[str, list[tuple[str, str]]] = {}
    for case_id, name, access in accounts.case_members(settings):
        members.setdefault(case_id, []).append((name, access))
    return render_template(
        "admin/cases.html", cases=case_dir.directory(context.store()), members=members,
        requests=accounts.list_requests(settings),
        mine=accounts.list_requests(settings, status=None, user=g.actor.name),
        users=[u.name for u in accounts.list_users(settings) if not u.disabled],
        grant_form=GrantForm(), request_form=RequestForm())


@bp.post("/cases/grant")
@requires("manage-users")
def grant():
    """Make a user (never oneself, never an administrator) a member of a case: at once if the
    case has no owner yet, else as a request that an owner of the case decides."""
    form = GrantForm()
    if not form.validate_on_submit():
        context.record("grant-case", outcome="denied", reason="invalid form", errors=sorted(form.errors))
        _refuse(form)
        return redirect(url_for("admin.cases"))
    user, case_id, access = form.user.data.strip(), form.case_id.data.strip(), form.access.data
    if not case_dir.exists(context.store(), case_id):
        context.record("grant-case", cases=(case_id,), outcome="failure", user=user, access=access,
                       reason="no such case")
        flash(f"No case {case_id} is loaded.", "error")
        return redirect(url_for("admin.cases"))
    try:
        request_id = accounts.grant_case_by(context.settings(), g.actor.name, user, case_id, access)
    except accounts.AccountError as exc:
        context.record("grant-case", cases=(case_id,), outcome="denied", user=user, access=access,
                       reason=str(exc))
        flash(str(exc), "error")
        return redirect(url_for("admin.cases"))
    if request_id is not None:
        context.record("grant-case", cases=(case_id,), outcome="pending", user=user, access=access,
                       request=request_id)
        flash(f"{case_id} has an owner, who decides: request {request_id} for {user} is waiting.",
              "info")
        return redirect(url_for("admin.cases"))
    context.record("grant-case", cases=(case_id,), user=user, access=access)
    flash(f"{user} now has {access} access to {case_id}.", "info")
    return redirect(url_for("admin.cases"))


@bp.post("/cases/revoke")
@requires("manage-users")
def revoke():
    """End a user's membership of a case."""
    form = RevokeForm()
    if not form.validate_on_submit():
        context.record("revoke-case", outcome="denied", reason="invalid form", errors=sorted(form.errors))
        _refuse(form)
        return redirect(url_for("admin.cases"))
    user, case_id = form.user.data.strip(), form.case_id.data.strip()
    try:
        ended = accounts.revoke_case(context.settings(), user, case_id)
    except accounts.AccountError:  # no such user: not a member either
        ended = False
    if not ended:
        context.record("revoke-case", cases=(case_id,), outcome="failure", user=user,
                       reason="no such membership")
        flash(f"{user} is not a member of {case_id}.", "error")
        return redirect(url_for("admin.cases"))
    context.record("revoke-case", cases=(case_id,), user=user)
    flash(f"{user} is no longer a member of {case_id}.", "info")
    return redirect(url_for("admin.cases"))


@bp.post("/cases/request")
@requires("manage-cases")
def request_access():
    """Ask the owners of a case for access to it, for oneself: nothing changes until one approves."""
    form = RequestForm()
    if not form.validate_on_submit():
        context.record("request-case", outcome="denied", reason="invalid form",
                       errors=sorted(form.errors))
        _refuse(form)
        return redirect(url_for("admin.cases"))
    case_id, access, reason = form.case_id.data.strip(), form.access.data, form.reason.data.strip()
    if not case_dir.exists(context.store(), case_id):
        context.record("request-case", cases=(case_id,), outcome="failure", purpose=reason,
                       access=access, reason="no such case")
        flash(f"No case {case_id} is loaded.", "error")
        return redirect(url_for("admin.cases"))
    try:
        request_id = accounts.request_case(context.settings(), g.actor.name, case_id, access, reason)
    except accounts.AccountError as exc:
        context.record("request-case", cases=(case_id,), outcome="failure", purpose=reason,
                       access=access, reason=str(exc))
        flash(str(exc), "error")
        return redirect(url_for("admin.cases"))
    context.record("request-case", cases=(case_id,), purpose=reason, request=request_id, access=access)
    flash(f"Request {request_id} sent: an owner of {case_id} decides.", "info")
    return redirect(url_for("admin.cases"))


# -- audit ---------------------------------------------------------------------------------------


class _BadDate(ValueError):
    pass


def _when(name: str, *, day_end: bool = False) -> datetime | None:
    """A filter's date or date and time (UTC unless it says otherwise); a plain date as
    "until" means the end of that day, so From = Until = one day shows that day."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise _BadDate(f"{name} must be a date (YYYY-MM-DD) or a date and time.") from None
    if day_end and len(raw) == 10:
        value += timedelta(days=1)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: Records the audit page shows at most; it says so when more match.
AUDIT_PAGE = 200


@bp.get("/audit")
@requires("read-audit")
def audit_log():
    """Who did what, when, and how it went (no cases, no details); shown once a purpose is stated,
    which goes into the audit record of this reading."""
    filters = {k: request.args.get(k, "").strip()[:120] for k in ("actor", "action", "since", "until")}
    purpose = request.args.get("purpose", "").strip()[:500]
    records, more = None, False
    if purpose:
        try:
            since, until = _when("since"), _when("until", day_end=True)
        except _BadDate as exc:
            flash(str(exc), "error")
            return render_template("admin/audit.html", records=None, filters=filters,
                                   purpose=purpose, more=False, cap=AUDIT_PAGE)
        records = audit.admin_view(context.settings(), actor=filters["actor"], action=filters["action"],
                                   since=since, until=until, limit=AUDIT_PAGE + 1)
        more, records = len(records) > AUDIT_PAGE, records[:AUDIT_PAGE]
        context.record("read-audit", purpose=purpose, count=len(records),
                       **{k: v for k, v in filters.items() if v})
    return render_template("admin/audit.html", records=records, filters=filters, purpose=purpose,
                           more=more, cap=AUDIT_PAGE)


# -- the owners' decisions ------------------------------------------------------------------------


@owner_bp.get("/case-requests")
@requires("view-case")
def case_requests():
    """Requests for access to the cases one owns, waiting for a decision."""
    owned = owned_case_ids(g.actor)
    return render_template("admin/case_requests.html", owned=owned, form=DecideForm(),
                           requests=accounts.list_requests(context.settings(), case_ids=owned))


@owner_bp.post("/case-requests/<int:request_id>")
@requires("view-case")
def decide(request_id: int):
    """Approve (the membership is made) or reject a request, as an owner of its case."""
    form = DecideForm()
    if not form.validate_on_submit():
        abort(400)
    approve = form.decision.data == "approve"
    action = "approve-case-request" if approve else "reject-case-request"
    settings = context.settings()
    # A request for a case one does not own answers exactly like one that does not exist: the
    # answer must not tell which request ids exist, nor name their (perhaps covert) cases.
    try:
        wanted = accounts.get_request(settings, request_id)
    except accounts.AccountError:
        context.record(action, outcome="denied", request=request_id, reason="no such request")
        abort(404)
    try:
        if g.actor.cases.get(wanted["case_id"]) != "owner":
            raise accounts.NotOwner(f"not an owner of {wanted['case_id']}")
        done = accounts.decide_request(settings, request_id, g.actor.name, approve)
    except accounts.NotOwner as exc:
        context.record(action, cases=(wanted["case_id"],), outcome="denied", request=request_id,
                       reason=str(exc))
        abort(404)
    except accounts.AccountError as exc:
        context.record(action, cases=(wanted["case_id"],), outcome="failure", request=request_id,
                       reason=str(exc))
        flash(str(exc), "error")
        return redirect(url_for("owner.case_requests"))
    context.record(action, cases=(done["case_id"],), request=request_id, user=done["user"],
                   access=done["access"])
    flash(f"Request {request_id} {done['status']}.", "info")
    return redirect(url_for("owner.case_requests"))
