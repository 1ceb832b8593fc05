"""Log in, log out, and choose a new password after a one-time one.

Minimal accounts for now (the accounts issue adds TOTP, throttling, lock-out and server-side
sessions): argon2id passwords, Flask-Login's signed session, a fresh session at login.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from graphapp import accounts, audit
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

    def get_id(self) -> str:
        return str(self.id)


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    with session_scope(context.settings()) as s:
        user = s.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or user.disabled:
        return None
    return LoginUser(user)


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[
        DataRequired(), Length(min=accounts.MIN_PASSWORD_LENGTH, max=1024)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new", message="the two new passwords differ")])


def _record(action: str, actor: str, outcome: str = "ok") -> None:
    audit.record(context.settings(), audit.AuditEvent(
        action=action, actor=actor, outcome=outcome, client=context.client_address()))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form and log the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(context.settings(), form.username.data, form.password.data)
        if user is None:
            _record("login", form.username.data, "failure")
            flash("Unknown user name or wrong password.", "error")
            return render_template("login.html", form=form), 401
        session.clear()
        login_user(LoginUser(user))
        _record("login", user.name)
        if user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return redirect(url_for("ui.search"))
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    _record("logout", current_user.name)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Choose a new password (required after a one-time password)."""
    form = PasswordForm()
    if form.validate_on_submit():
        settings = context.settings()
        if accounts.authenticate(settings, current_user.name, form.current.data) is None:
            flash("The current password is wrong.", "error")
            return render_template("password.html", form=form), 400
        accounts.set_password(settings, current_user.name, form.new.data)
        _record("change-password", current_user.name)
        flash("Password changed.", "info")
        return redirect(url_for("ui.search"))
    return render_template("password.html", form=form)


def require_password_change():
    """Before any page: a user on a one-time password must first choose their own."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ("auth.change_password", "auth.logout", "static",
                                         "ui.vendor")):
        if request.blueprint == "api":
            return None
        return redirect(url_for("auth.change_password"))
    g.setdefault("actor", None)
    return None
