"""Log in, log out, and choose a new password after a one-time one.

Flask-Login tracks who is logged in, inside the server-side session (graphapp.sessions):
the cookie holds only a random id, log-out revokes the session row, and the id changes at
log-in. Log-ins go through the lock-out (accounts.attempt_login); every failure and every
lock-out is audited, but the person logging in is told the same thing whatever went wrong.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from graphapp import accounts, audit, sessions
from graphapp.db import User, session_scope
from graphapp.views import context

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in."
login_manager.session_protection = "strong"


class LoginUser:
    """The session's user, as Flask-Login wants it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User):
        self.id = user.id
        self.name = user.name
        self.role = user.role
        self.must_change_password = user.must_change_password
        self.needs_totp = accounts.totp_required(user) and not user.totp_enabled

    def get_id(self) -> str:
        return str(self.id)


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    """The user the session row belongs to, if still enabled; None ends the log-in."""
    owner = sessions.session_owner()
    if owner is None or str(owner) != user_id:
        return None
    with session_scope(context.settings()) as s:
        user = s.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or user.disabled:
        return None
    return LoginUser(user)


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    code = StringField("Code from your authenticator app (if you use one)",
                       validators=[Length(max=12)])


class TotpForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[DataRequired(), Length(max=12)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[
        DataRequired(), Length(min=accounts.MIN_PASSWORD_LENGTH, max=1024)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new", message="the two new passwords differ")])


def _record(action: str, actor: str, outcome: str = "ok", **detail) -> None:
    audit.record(context.settings(), audit.AuditEvent(
        action=action, actor=actor, outcome=outcome, client=context.client_address(),
        detail=detail))


#: One answer for every refused log-in, whichever part was wrong (no oracle for the password):
#: it names the code, which an account with a second factor must give with the password.
LOGIN_REFUSED = ("Unknown user name, wrong password, or a missing or wrong code from the "
                 "authenticator app (for accounts that use one).")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form and log the user in, under a new session id."""
    form = LoginForm()
    if form.validate_on_submit():
        settings = context.settings()
        name = form.username.data
        result = accounts.attempt_login(settings, name, form.password.data, context.client_address())
        if result.user is None:
            _record("login", name, "failure", reason=result.reason)
            for scope in result.locked:
                _record("lockout", name, "locked", scope=scope,
                        minutes=int(accounts.LOCKOUT.total_seconds() // 60))
            flash(LOGIN_REFUSED, "error")
            return render_template("login.html", form=form), 401
        user = result.user
        if user.totp_enabled and not accounts.totp_check(settings, user.name, form.code.data):
            _record("login", name, "failure", reason="bad-second-factor")
            for scope in accounts.count_login_failure(settings, name, context.client_address()):
                _record("lockout", name, "locked", scope=scope,
                        minutes=int(accounts.LOCKOUT.total_seconds() // 60))
            flash(LOGIN_REFUSED, "error")
            return render_template("login.html", form=form), 401
        session.clear()
        sessions.rotate()
        login_user(LoginUser(user))
        _record("login", user.name)
        if user.must_change_password:
            return redirect(url_for("auth.change_password"))
        if accounts.totp_required(user) and not user.totp_enabled:
            return redirect(url_for("auth.totp"))
        return redirect(url_for("ui.home"))
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session: its row is revoked, so a copy of the cookie is worth nothing."""
    _record("logout", current_user.name)
    logout_user()
    session.clear()  # an empty session's row is revoked and its cookie deleted
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Choose a new password (required after a one-time password)."""
    form = PasswordForm()
    if form.validate_on_submit():
        settings = context.settings()
        checked = accounts.attempt_login(settings, current_user.name, form.current.data,
                                         context.client_address())
        if checked.user is None:  # counted like a failed log-in: no guessing from a session
            _record("change-password", current_user.name, "failure", reason=checked.reason)
            for scope in checked.locked:
                _record("lockout", current_user.name, "locked", scope=scope,
                        minutes=int(accounts.LOCKOUT.total_seconds() // 60))
            flash("The current password is wrong.", "error")
            return render_template("password.html", form=form), 400
        try:
            accounts.set_password(settings, current_user.name, form.new.data)
        except accounts.AccountError as exc:
            flash(f"Choose another password: {exc}.", "error")
            return render_template("password.html", form=form), 400
        sessions.rotate()  # set_password ended every session of the user; this one goes on
        _record("change-password", current_user.name)
        flash("Password changed.", "info")
        return redirect(url_for("ui.home"))
    return render_template("password.html", form=form)


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp():
    """Enrol a second factor: scan the code into an authenticator app, confirm one code."""
    import segno

    settings = context.settings()
    form = TotpForm()
    if form.validate_on_submit():
        if accounts.totp_check(settings, current_user.name, form.code.data, confirm=True):
            _record("enrol-totp", current_user.name)
            flash("Second factor in force: log-ins now ask for a code.", "info")
            return redirect(url_for("ui.home"))
        _record("enrol-totp", current_user.name, "failure")
        flash("That code is not right; try the next one.", "error")
    try:
        uri = accounts.totp_pending_uri(settings, current_user.name) or \
            accounts.totp_begin(settings, current_user.name)
    except accounts.AccountError:
        flash("Your second factor is already in force.", "info")
        return redirect(url_for("ui.home"))
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    return render_template("totp.html", form=form, qr=segno.make(uri).svg_data_uri(scale=5),
                           secret=secret)


#: Where a user who still has to set up their account may go.
_SETUP_ENDPOINTS = ("auth.change_password", "auth.totp", "auth.logout", "static", "ui.vendor")


def require_password_change():
    """Before any page: a user on a one-time password must first choose their own, and a role
    that needs a second factor must enrol one (DESIGN.md section 5)."""
    if current_user.is_authenticated and request.endpoint not in _SETUP_ENDPOINTS:
        target = ("auth.change_password" if current_user.must_change_password
                  else "auth.totp" if current_user.needs_totp else None)
        if target and request.blueprint != "api":
            return redirect(url_for(target))
    g.setdefault("actor", None)
    return None
