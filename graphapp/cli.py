"""The ``casegraph`` command: an operator's tool on the server (DESIGN.md section 6)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from graphapp import accounts, audit
from graphapp.settings import ConfigError, Settings
from graphapp.store import StoreError, StoreUnavailable, close_store, get_store, store_is_open
from ingest.loader import IngestRefused, LoadResult, load_directory, operator_name

DEMO_USERS = (
    ("demo-admin", "admin"),
    ("demo-investigator", "investigator"),
    ("demo-analyst", "analyst"),
    ("demo-prosecutor", "prosecutor"),
)


class CliContext:
    def __init__(self) -> None:
        self._settings: Settings | None = None
        #: What start-up recovery did in this command (None: not run yet).
        self.recovered: list[str] | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings.from_env()
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._settings

    def store(self):
        """The process's store; opened by this command if no one had opened it yet."""
        try:
            if not store_is_open(self.settings):
                self._opened = True
            store = get_store(self.settings)
            if self.recovered is None:
                from ingest import batches

                self.recovered = batches.recover(store, self.settings)
                for line in self.recovered:
                    click.echo(f"recovery: {line}", err=True)
            return store
        except StoreUnavailable as exc:
            raise click.ClickException(str(exc)) from exc

    def close(self) -> None:
        """Close the store if this command opened it (the last client stops the server)."""
        if getattr(self, "_opened", False):
            close_store(self.settings)


pass_ctx = click.make_pass_decorator(CliContext, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="casegraph")
@click.pass_context
def main(ctx: click.Context) -> None:
    """CaseGraph: a secure case-relationship graph explorer."""
    ctx.obj = CliContext()
    ctx.call_on_close(ctx.obj.close)


def _serve(app, host: str, port: int) -> None:
    """Run the app until Ctrl-C or SIGTERM; both exit cleanly, so the store is closed."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"serving on http://{host}:{port}  (Ctrl-C to stop)")
    app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)


def _audit(settings: Settings, action: str, actor: str, **kw) -> None:
    audit.record(settings, audit.AuditEvent(action=action, actor=actor, os_user=operator_name(), **kw))


def _fail_on_account_error(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        except (StoreUnavailable, StoreError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


# -- init, serve -------------------------------------------------------------------------


@main.command()
@click.option("--admin", "admin_name", default="admin", show_default=True,
              help="Name of the first administrator, created if there are no users yet.")
@pass_ctx
@_fail_on_account_error
def init(cx: CliContext, admin_name: str) -> None:
    """Create the data directory, the stores and a first administrator."""
    settings = cx.settings
    settings.ensure_data_dir()
    settings.flask_secret_key()
    settings.match_key()
    cx.store()
    click.echo(f"data directory: {settings.data_dir}")
    click.echo(f"graph store:    {settings.graph_url or 'embedded FalkorDB, ' + str(settings.graph_file)}")
    click.echo(f"accounts:       {_safe_url(settings.sqlalchemy_url)}")
    if not _has_users(settings):
        password = accounts.add_user(settings, admin_name, "admin")
        _audit(settings, "add-user", f"operator:{operator_name()}",
               detail={"user": admin_name, "role": "admin"})
        click.echo(f"created administrator {admin_name!r}; one-time password (change it at first login):")
        click.echo(password)


def _has_users(settings: Settings) -> bool:
    from sqlalchemy import func, select

    from graphapp.db import User, session_scope

    with session_scope(settings) as s:
        return bool(s.scalar(select(func.count()).select_from(User)))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_ctx
def serve(cx: CliContext, host: str, port: int) -> None:
    """Serve the web app and the JSON API (use gunicorn behind TLS in production)."""
    from graphapp import create_app

    cx.store()
    _serve(create_app(cx.settings), host, port)


# -- ingest ------------------------------------------------------------------------------


class IngestGroup(click.Group):
    """``casegraph ingest DIR`` loads a directory; the named subcommands manage batches."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((a for a in args if not a.startswith("-")), None)
        if first is not None and first not in self.commands:
            args = ["load", *args]
        return super().parse_args(ctx, args)


@main.group(cls=IngestGroup)
def ingest() -> None:
    """Load CSV files as one batch (ingest DIR), or manage loaded batches."""


@ingest.command("load")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and say what would be written; write nothing.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every problem to FILE (.csv or .json).")
@click.option("--as", "as_user", metavar="USER", help="Load with USER's rights (edit on every case).")
@pass_ctx
@_fail_on_account_error
def ingest_load(cx: CliContext, directory: Path, dry_run: bool, report_file: Path | None,
                as_user: str | None) -> None:
    """Check DIRECTORY's CSV files and load them as one batch, all or nothing."""
    settings = cx.settings
    actor = f"operator:{operator_name()}"
    authorise, visible = None, None
    if as_user:
        user = accounts.get_user(settings, as_user)
        actor = user.name
        authorise = _edit_rights_check(settings, as_user)
        from graphapp.access import Actor, visible_case_ids

        visible = visible_case_ids(Actor.from_user(settings, user))
    store = cx.store()
    try:
        with _progress_bar() as progress:
            result = load_directory(directory, store, settings, dry_run=dry_run,
                                    authorise=authorise, visible_cases=visible, actor=actor,
                                    progress=progress)
    except IngestRefused as exc:
        _audit(settings, "ingest", actor, outcome="denied", cases=tuple(exc.cases),
               detail={"directory": str(directory), "reason": str(exc)})
        raise click.ClickException(f"{exc}; nothing was written") from exc
    if report_file:
        _write_report(report_file, result)
    outcome = "dry-run" if dry_run else ("ok" if result.ok else "rejected")
    _audit(settings, "ingest", actor, outcome=outcome, cases=tuple(result.cases),
           detail={"directory": str(directory), "batch_id": result.batch_id,
                   "files": result.files, "problems": len(result.problems),
                   "records_joined": len(result.joins), **result.counts()})
    _print_result(result)
    if not result.ok:
        sys.exit(1)


@ingest.command("withdraw")
@click.argument("batch_id")
@pass_ctx
def ingest_withdraw(cx: CliContext, batch_id: str) -> None:
    """Remove a loaded batch's facts from the graph (audited; the batch record stays)."""
    from ingest import batches

    try:
        removal = batches.withdraw(cx.store(), cx.settings, batch_id)
    except batches.BatchError as exc:
        raise click.ClickException(str(exc)) from exc
    record = batches.get_batch(cx.settings, batch_id)
    _audit(cx.settings, "withdraw-batch", f"operator:{operator_name()}", cases=tuple(record.cases),
           detail={"batch_id": batch_id, "facts_removed": removal.deleted,
                   "facts_kept": removal.kept})
    kept = (f"; {removal.kept} kept, stated by other loaded batches too" if removal.kept
            else "")
    click.echo(f"batch {batch_id} withdrawn: {removal.deleted} facts removed{kept}")


@ingest.command("batches")
@pass_ctx
def ingest_batches(cx: CliContext) -> None:
    """List the batches: when, who, status, cases and counts."""
    from ingest import batches

    for b in batches.list_batches(cx.settings):
        counts = b.counts or {}
        click.echo(f"{b.batch_id}  {b.started_at:%Y-%m-%d %H:%M}  {b.status:<11} {b.actor:<24} "
                   f"{counts.get('facts_created', b.facts_created)} facts  {', '.join(b.cases)}")


@ingest.command("recover")
@pass_ctx
def ingest_recover(cx: CliContext) -> None:
    """Roll back batches whose loader died before the commit; finish committed ones."""
    from ingest import batches

    store = cx.store()  # runs start-up recovery once, and records what it did
    lines = (cx.recovered or []) + batches.recover(store, cx.settings)
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("nothing to recover")


def _progress_bar():
    """A progress bar on a terminal; nothing when output is not a TTY."""
    from contextlib import contextmanager, nullcontext

    if not sys.stderr.isatty():
        return nullcontext(None)

    @contextmanager
    def bar():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as p:
            task = p.add_task("loading rows", total=None)
            yield lambda n: p.advance(task, n)

    return bar()


def _edit_rights_check(settings: Settings, name: str):
    """With ``--as``, every case of the batch needs that user's edit rights, checked before writing.

    New cases in ``cases.csv`` too: cases are created by an operator or by a member who
    already holds edit rights on them.
    """
    user = accounts.get_user(settings, name)
    member = accounts.memberships(settings, user.id)

    def check(case_ids: list[str]) -> None:
        missing = [c for c in case_ids if member.get(c) not in ("edit", "owner")]
        if missing:
            raise IngestRefused(f"{name} has no edit rights on: {', '.join(missing)}", missing)

    return check


def _write_report(path: Path, result: LoadResult) -> None:
    rows = [p.to_dict() for p in result.problems]
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps({"batch_id": result.batch_id, "ok": result.ok,
                                    "problems": rows}, indent=2, ensure_ascii=False))
    else:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["file", "line", "column", "reason"])
            writer.writeheader()
            writer.writerows(rows)


def _case_list(cases: list[str], most: int = 12) -> str:
    shown = ", ".join(cases[:most])
    return shown if len(cases) <= most else f"{shown} and {len(cases) - most} more"


def _print_result(result: LoadResult) -> None:
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s); nothing was written.", err=True)
        return
    if result.dry_run:
        click.echo(f"dry run: {result.rows_read} rows, {result.facts_in_files} facts for cases "
                   f"{_case_list(result.cases)}; nothing was written.")
        return
    if result.scoped:  # --as USER: nothing that would tell of cases USER cannot see
        known = (f"{result.entities_touched} entities, "
                 f"{result.suggestions} suggestions between cases you may see")
    else:
        known = (f"{result.entities_created} entities created, {result.entities_matched} matched, "
                 f"{len(result.joins)} records joined to a known person, "
                 f"{result.suggestions} suggestions")
    click.echo(
        f"batch {result.batch_id}: {result.rows_read} rows read, {result.facts_created} new facts "
        f"({result.facts_in_files - result.facts_created} already present or repeated), "
        f"{known}, {result.seconds:.1f} s; cases {_case_list(result.cases)}")


# -- persons -----------------------------------------------------------------------------


@main.group()
def persons() -> None:
    """Review merge suggestions; merge and split persons (recorded and audited)."""


def _actor(settings: Settings, name: str):
    from graphapp.access import Actor

    return Actor.from_user(settings, accounts.get_user(settings, name))


@persons.command("suggestions")
@click.option("--as", "as_user", required=True, metavar="USER", help="List what USER may see.")
@pass_ctx
@_fail_on_account_error
def persons_suggestions(cx: CliContext, as_user: str) -> None:
    """List merge suggestions whose two records USER may both see."""
    from ingest import resolve

    rows = resolve.suggestions(cx.store(), _actor(cx.settings, as_user))
    for row in rows:
        ev = row["evidence"]
        click.echo(f"{row['score']:>5}  {row['a']} {row['b']}  {' / '.join(ev.get('names', []))}  "
                   f"[{', '.join(ev.get('records', []))}; birth date {ev.get('birth_date', '?')}]")
    if not rows:
        click.echo("no suggestions you may see")


@persons.command("merge")
@click.argument("into")
@click.argument("other")
@click.option("--as", "as_user", required=True, metavar="USER", help="Act with USER's rights.")
@pass_ctx
@_fail_on_account_error
def persons_merge(cx: CliContext, into: str, other: str, as_user: str) -> None:
    """Merge person OTHER into person INTO (needs edit rights on a record of each)."""
    from ingest import resolve

    done = _resolution(cx, as_user, "merge-persons", {"into": into, "from": other},
                       lambda actor: resolve.merge(cx.store(), cx.settings, actor, into, other),
                       cases=lambda d: [r.split(":", 1)[0] for r in d["records"]])
    click.echo(f"merged {other} into {into}: {done['facts_moved']} facts moved "
               f"({', '.join(done['records'])})")


def _resolution(cx: CliContext, as_user: str, action: str, request: dict, call, cases):
    """Run a merge or split as ``as_user``; audit it, refusals included."""
    from ingest import resolve

    actor = _actor(cx.settings, as_user)
    try:
        done = call(actor)
    except resolve.ResolveError as exc:
        _audit(cx.settings, action, actor.name, outcome="denied",
               detail={**request, "reason": str(exc)})
        raise click.ClickException(str(exc)) from exc
    _audit(cx.settings, action, actor.name, cases=tuple(cases(done)), detail=done)
    return done


@persons.command("split")
@click.argument("person_id")
@click.option("--record", required=True, metavar="CASE_ID:PERSON_REF",
              help="The case record to move to a person of its own.")
@click.option("--as", "as_user", required=True, metavar="USER", help="Act with USER's rights.")
@pass_ctx
@_fail_on_account_error
def persons_split(cx: CliContext, person_id: str, record: str, as_user: str) -> None:
    """Move one case record of PERSON_ID, and the facts it stated, to a new person."""
    from ingest import resolve

    done = _resolution(cx, as_user, "split-person", {"person_id": person_id, "record": record},
                       lambda actor: resolve.split(cx.store(), cx.settings, actor, person_id, record),
                       cases=lambda d: [record.split(":", 1)[0]])
    click.echo(f"split {record} off {person_id} onto new person {done['person_id']} "
               f"({done['facts_moved']} facts moved)")


# -- users, cases ------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Manage user accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@click.option("--password-file", type=click.File("r"),
              help="Read the password from this file ('-' for standard input).")
@pass_ctx
@_fail_on_account_error
def users_add(cx: CliContext, name: str, role: str, password_file) -> None:
    """Create a user; without --password-file a one-time password is printed."""
    password = password_file.read().rstrip("\r\n") if password_file else None
    one_time = accounts.add_user(cx.settings, name, role, password)
    _audit(cx.settings, "add-user", f"operator:{operator_name()}", detail={"user": name, "role": role})
    click.echo(f"created {role} {name!r}")
    if one_time:
        click.echo("one-time password (change it at first login):")
        click.echo(one_time)


@users.command("token")
@click.argument("name")
@click.option("--days", default=accounts.TOKEN_DAYS, show_default=True, type=click.IntRange(1, 3650))
@pass_ctx
@_fail_on_account_error
def users_token(cx: CliContext, name: str, days: int) -> None:
    """Create an API token for NAME; it is shown once, alone on the last line."""
    token = accounts.issue_token(cx.settings, name, days)
    _audit(cx.settings, "issue-token", f"operator:{operator_name()}", detail={"user": name, "days": days})
    click.echo(f"API token for {name!r}, valid {days} days; it is not stored and is shown once:")
    click.echo(token)


def _operator() -> str:
    return f"operator:{operator_name()}"


@users.command("list")
@pass_ctx
def users_list(cx: CliContext) -> None:
    """List users: name, role, whether enabled, memberships and extra actions (+action)."""
    members: dict[str, list[str]] = {}
    for case_id, name, access in accounts.case_members(cx.settings):
        members.setdefault(name, []).append(f"{case_id}:{access}")
    extra = accounts.all_extra_actions(cx.settings)
    for user in accounts.list_users(cx.settings):
        state = "disabled" if user.disabled else "enabled"
        more = members.get(user.name, []) + [f"+{a}" for a in extra.get(user.name, [])]
        click.echo(f"{user.name:<24} {user.role:<13} {state:<9} {' '.join(more)}")


@users.command("grant-action")
@click.argument("name")
@click.argument("action")
@pass_ctx
@_fail_on_account_error
def users_grant_action(cx: CliContext, name: str, action: str) -> None:
    """Let NAME do ACTION on top of their role's actions (not an administrator's action)."""
    added = accounts.grant_action(cx.settings, name, action, granted_by=_operator())
    _audit(cx.settings, "grant-action", _operator(), detail={"user": name, "action": action,
                                                              "new": added})
    click.echo(f"{name} may now {action}" if added else f"{name} already had {action}")


@users.command("revoke-action")
@click.argument("name")
@click.argument("action")
@pass_ctx
@_fail_on_account_error
def users_revoke_action(cx: CliContext, name: str, action: str) -> None:
    """Take back an extra action from NAME (their role's actions stay)."""
    if not accounts.revoke_action(cx.settings, name, action):
        raise click.ClickException(f"{name} has no extra grant of {action}")
    _audit(cx.settings, "revoke-action", _operator(), detail={"user": name, "action": action})
    click.echo(f"{name} may no longer {action} (unless their role may)")


@users.command("disable")
@click.argument("name")
@pass_ctx
@_fail_on_account_error
def users_disable(cx: CliContext, name: str) -> None:
    """Disable NAME: their sessions and API tokens stop working at once."""
    accounts.disable_user(cx.settings, name)
    _audit(cx.settings, "disable-user", _operator(), detail={"user": name})
    click.echo(f"{name} disabled; sessions and tokens ended")


@users.command("enable")
@click.argument("name")
@pass_ctx
@_fail_on_account_error
def users_enable(cx: CliContext, name: str) -> None:
    """Enable NAME again (old sessions and tokens stay ended)."""
    accounts.enable_user(cx.settings, name)
    _audit(cx.settings, "enable-user", _operator(), detail={"user": name})
    click.echo(f"{name} enabled")


@users.command("reset-password")
@click.argument("name")
@pass_ctx
@_fail_on_account_error
def users_reset_password(cx: CliContext, name: str) -> None:
    """Give NAME a new one-time password (printed once) and end their sessions."""
    user = accounts.get_user(cx.settings, name)
    password = accounts.reset_one_time_password(cx.settings, name, user.role)
    accounts.revoke_sessions(cx.settings, name)
    _audit(cx.settings, "reset-password", _operator(), detail={"user": name})
    click.echo(f"one-time password for {name!r} (change it at first login):")
    click.echo(password)


@users.command("totp")
@click.argument("name")
@click.option("--reset", is_flag=True, required=True,
              help="Remove NAME's second factor; they enrol again at their next log-in.")
@pass_ctx
@_fail_on_account_error
def users_totp(cx: CliContext, name: str, reset: bool) -> None:
    """Reset NAME's second factor (a lost phone): enrolment is asked for at the next log-in."""
    accounts.totp_reset(cx.settings, name)
    accounts.revoke_sessions(cx.settings, name)
    _audit(cx.settings, "reset-totp", _operator(), detail={"user": name})
    click.echo(f"second factor of {name} removed; sessions ended")


@users.command("revoke")
@click.argument("token_or_prefix", required=False)
@click.option("--all", "all_of", metavar="NAME", help="Revoke every token of user NAME.")
@pass_ctx
@_fail_on_account_error
def users_revoke(cx: CliContext, token_or_prefix: str | None, all_of: str | None) -> None:
    """Revoke an API token (by the token or its 10-character prefix), or all of a user's."""
    if all_of:
        n = accounts.revoke_user_tokens(cx.settings, all_of)
        _audit(cx.settings, "revoke-token", _operator(), detail={"user": all_of, "tokens": n})
        click.echo(f"{n} token(s) of {all_of} revoked")
        return
    if not token_or_prefix:
        raise click.UsageError("give a token, its prefix, or --all NAME")
    prefix = accounts.revoke_token(cx.settings, token_or_prefix)
    _audit(cx.settings, "revoke-token", _operator(), detail={"prefix": prefix})
    click.echo(f"token {prefix}… revoked")


@main.group()
def cases() -> None:
    """Manage cases and who may see them."""


@cases.command("grant")
@click.argument("user")
@click.argument("case_id")
@click.option("--access", required=True, type=click.Choice(("read", "edit", "owner")))
@click.option("--as", "as_user", metavar="ADMIN",
              help="Grant as this administrator, as the web page does: never to an administrator, "
                   "and a request for an owner to decide if the case has one.")
@pass_ctx
@_fail_on_account_error
def cases_grant(cx: CliContext, user: str, case_id: str, access: str, as_user: str | None) -> None:
    """Make USER a member of CASE_ID with the given access. Without --as it is the operator's
    grant (audited as operator:<os user>), made at once; an administrator is never granted a case
    this way: they request it (`cases request`), and an owner decides in the web app."""
    from graphapp import cases as case_dir

    if not case_dir.exists(cx.store(), case_id):
        raise click.ClickException(f"no case {case_id!r} is loaded")
    granter = _checked_actor(cx.settings, as_user, "manage-users").name if as_user else _operator()
    try:
        if as_user:
            request_id = accounts.grant_case_by(cx.settings, granter, user, case_id, access)
        else:
            accounts.grant_case_by_operator(cx.settings, granter, user, case_id, access)
            request_id = None
    except accounts.AccountError as exc:
        _audit(cx.settings, "grant-case", granter, outcome="denied", cases=(case_id,),
               detail={"user": user, "access": access, "reason": str(exc)})
        raise
    if request_id is not None:
        _audit(cx.settings, "grant-case", granter, outcome="pending", cases=(case_id,),
               detail={"user": user, "access": access, "request": request_id})
        click.echo(f"{case_id} has an owner, who decides: request {request_id} for {user} is "
                   "waiting on the owners' page (/case-requests)")
        return
    _audit(cx.settings, "grant-case", granter, cases=(case_id,), detail={"user": user, "access": access})
    click.echo(f"{user} now has {access} access to {case_id}")


def _checked_actor(settings: Settings, name: str, action: str):
    """The enabled user ``name`` as an actor allowed ``action``; a refusal is audited."""
    from graphapp.access import allowed

    actor = _actor(settings, name)
    if accounts.get_user(settings, name).disabled or not allowed(actor, action):
        _audit(settings, action, name, outcome="denied", detail={"reason": f"may not {action}"})
        raise click.ClickException(f"{name} may not {action}")
    return actor


@cases.command("revoke")
@click.argument("user")
@click.argument("case_id")
@pass_ctx
@_fail_on_account_error
def cases_revoke(cx: CliContext, user: str, case_id: str) -> None:
    """End USER's membership of CASE_ID."""
    if not accounts.revoke_case(cx.settings, user, case_id):
        raise click.ClickException(f"{user} is not a member of {case_id}")
    _audit(cx.settings, "revoke-case", _operator(), cases=(case_id,), detail={"user": user})
    click.echo(f"{user} is no longer a member of {case_id}")


@cases.command("list")
@pass_ctx
def cases_list(cx: CliContext) -> None:
    """List cases (id, classification, unit) and their members; no case content."""
    from graphapp import cases as case_dir

    members: dict[str, list[str]] = {}
    for case_id, name, access in accounts.case_members(cx.settings):
        members.setdefault(case_id, []).append(f"{name}:{access}")
    listed = set()
    for case in case_dir.directory(cx.store()):
        listed.add(case["case_id"])
        who = " ".join(members.get(case["case_id"], [])) or "(no members)"
        click.echo(f"{case['case_id']:<16} {case['classification']:<10} {case['unit'][:32]:<32} {who}")
    for case_id in sorted(set(members) - listed):  # memberships of a case not (or no longer) loaded
        click.echo(f"{case_id:<16} {'-':<10} {'(not loaded)':<32} {' '.join(members[case_id])}")


@cases.command("add")
@click.argument("case_id")
@click.option("--title", required=True)
@click.option("--unit", required=True)
@click.option("--classification", default="normal", show_default=True,
              type=click.Choice(("normal", "restricted", "covert")))
@click.option("--opened", default="", metavar="YYYY-MM-DD")
@click.option("--contact", default="")
@click.option("--crime", default="")
@click.option("--jit", default="", help="Joint investigation team, if any.")
@pass_ctx
@_fail_on_account_error
def cases_add(cx: CliContext, case_id: str, title: str, unit: str, classification: str, opened: str,
              contact: str, crime: str, jit: str) -> None:
    """Create a case with no facts yet, so that its owner can be granted it before the first
    batch is loaded (cases also arrive in cases.csv)."""
    from graphapp import cases as case_dir

    try:
        case_dir.add_case(cx.store(), case_id, title=title, unit=unit, classification=classification,
                          opened=opened, contact=contact, crime=crime, jit=jit)
    except case_dir.CaseError as exc:
        _audit(cx.settings, "add-case", _operator(), outcome="failure", cases=(case_id,),
               detail={"reason": str(exc)})
        raise click.ClickException(str(exc)) from exc
    _audit(cx.settings, "add-case", _operator(), cases=(case_id,),
           detail={"classification": classification})
    click.echo(f"case {case_id} added ({classification}); grant its owner with "
               f"`casegraph cases grant USER {case_id} --access owner`")


@cases.command("request")
@click.argument("case_id")
@click.option("--access", required=True, type=click.Choice(("read", "edit", "owner")))
@click.option("--as", "as_user", required=True, metavar="USER", help="Who asks (for themselves).")
@click.option("--reason", default="", help="Why, for the owners who decide.")
@pass_ctx
@_fail_on_account_error
def cases_request(cx: CliContext, case_id: str, access: str, as_user: str, reason: str) -> None:
    """Ask for access to CASE_ID for USER; an owner of the case approves or rejects it (the only
    way an administrator becomes a member)."""
    from graphapp import cases as case_dir

    if not case_dir.exists(cx.store(), case_id):
        raise click.ClickException(f"no case {case_id!r} is loaded")
    request_id = accounts.request_case(cx.settings, as_user, case_id, access, reason)
    _audit(cx.settings, "request-case", as_user, cases=(case_id,),
           detail={"request": request_id, "access": access})
    click.echo(f"request {request_id}: {as_user} asks for {access} access to {case_id}; "
               "an owner of the case decides in the web app, under their own log-in (/case-requests)")


@cases.command("requests")
@click.option("--as", "as_user", metavar="OWNER", help="Only the requests OWNER may decide.")
@click.option("--all", "show_all", is_flag=True, help="Decided requests too.")
@pass_ctx
@_fail_on_account_error
def cases_requests(cx: CliContext, as_user: str | None, show_all: bool) -> None:
    """List access requests waiting for an owner (or all of them)."""
    owned = None
    if as_user:
        user = accounts.get_user(cx.settings, as_user)
        owned = [c for c, a in accounts.memberships(cx.settings, user.id).items() if a == "owner"]
    rows = accounts.list_requests(cx.settings, status=None if show_all else "pending", case_ids=owned)
    for r in rows:
        decided = f" by {r['decided_by']}" if r["decided_by"] else ""
        click.echo(f"{r['id']:>5}  {r['requested_at']:%Y-%m-%d %H:%M}  {r['user']:<20} {r['case_id']:<16} "
                   f"{r['access']:<6} {r['status']}{decided}  {r['reason']}")
    if not rows:
        click.echo("no requests")


@cases.command("reclassify")
@click.argument("case_id")
@click.argument("classification", type=click.Choice(("normal", "restricted", "covert")))
@pass_ctx
@_fail_on_account_error
def cases_reclassify(cx: CliContext, case_id: str, classification: str) -> None:
    """Change CASE_ID's classification: the one, audited, way it changes (deconfliction rules)."""
    rows = cx.store().write("admin/reclassify", {"case_id": case_id, "classification": classification})
    if not rows:
        _audit(cx.settings, "reclassify-case", _operator(), outcome="failure", cases=(case_id,),
               detail={"to": classification, "reason": "no such case"})
        raise click.ClickException(f"no case {case_id!r} is loaded")
    before = rows[0]["before"]
    _audit(cx.settings, "reclassify-case", _operator(), cases=(case_id,),
           detail={"from": before, "to": classification})
    click.echo(f"{case_id}: {before} -> {classification}")


# -- export ------------------------------------------------------------------------------


class ExportGroup(click.Group):
    """``casegraph export ENTITY_ID...`` makes a package; the named subcommands check, list and
    share packages."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@main.group("export", cls=ExportGroup)
def export_group() -> None:
    """Make signed evidence packages (export ENTITY_ID...), check, list and share them."""


@export_group.command("create")
@click.argument("entity_ids", nargs=-1, metavar="ENTITY_ID...")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(1, 3))
@click.option("--limit", default=150, show_default=True, type=click.IntRange(1, 500),
              help="At most this many entities in each entity's network.")
@click.option("--format", "formats", default="html,pdf,graphml,gexf,csv,png", show_default=True,
              help="Comma-separated: html, pdf, graphml, gexf, csv, png.")
@click.option("--view", "view_json", metavar="JSON",
              help='Another view instead of ENTITY_IDs, e.g. \'{"kind": "cross-case", "params": '
                   '{"min_cases": 2}}\' (kinds: entity-network, path, saved-query, cross-case).')
@click.option("--as", "as_user", required=True, metavar="USER", help="Export what USER may see.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also copy the package into this directory (new or empty).")
@pass_ctx
@_fail_on_account_error
def export_create(cx: CliContext, entity_ids: tuple[str, ...], hops: int, limit: int, formats: str,
                  view_json: str | None, as_user: str, out_dir: Path | None) -> None:
    """Make a signed package of the networks of ENTITY_IDs (or of --view) as USER sees them
    (audited)."""
    from graphapp.export import BadSpec, entity_network_spec
    from graphapp.services import exports
    from graphapp.services.graph import NotFound

    if bool(entity_ids) == bool(view_json):
        raise click.UsageError("give ENTITY_IDs or --view, not both and not neither")
    try:
        spec = json.loads(view_json) if view_json else entity_network_spec(list(entity_ids), hops, limit)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--view") from exc
    if out_dir is not None and out_dir.exists() and any(out_dir.iterdir()):
        raise click.ClickException(f"{out_dir} is not empty")
    actor = _checked_actor(cx.settings, as_user, "export")
    ctx = exports.Context(os_user=operator_name())
    try:
        package = exports.create(cx.store(), cx.settings, actor, spec, formats, ctx)
    except BadSpec as exc:
        raise click.BadParameter(str(exc)) from exc
    except NotFound as exc:
        raise click.ClickException(f"no entity {exc} that {as_user} may see") from exc
    click.echo(f"package {package['id']}: {package['title']}")
    click.echo(f"cases {', '.join(package['cases'])}; manifest SHA-256 {package['manifest_sha256']}")
    for f in package["files"]:
        click.echo(f"  {f['sha256']}  {f['bytes']:>9}  {f['name']}")
    if out_dir is not None:
        exports.copy_to(cx.settings, actor, package["id"], out_dir, ctx)
        click.echo(f"copied to {out_dir}; check it with `casegraph export verify {out_dir}`")


@export_group.command("verify")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--public-key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The installation's public key (PEM); default: this installation's own.")
@pass_ctx
def export_verify(cx: CliContext, directory: Path, key_file: Path | None) -> None:
    """Check a package's signature and every file's digest; exit 1 naming what changed."""
    from graphapp.export import manifest

    try:
        if key_file is not None:
            public = manifest.load_public_key(key_file.read_bytes())
        elif cx.settings.key_file("export_signing_key").exists():
            public = manifest.private_key(cx.settings).public_key()
        else:
            raise click.ClickException("this installation has no signing key: give --public-key FILE")
    except manifest.VerifyError as exc:
        raise click.ClickException(str(exc)) from exc
    verdict = manifest.verify(directory, public)
    if not verdict.ok:
        for problem in verdict.problems:
            click.echo(f"FAILED: {problem}", err=True)
        click.echo(f"package NOT intact: {len(verdict.problems)} problem(s) in {directory}", err=True)
        sys.exit(1)
    m = verdict.manifest
    click.echo(f"package intact: {verdict.checked} files match the manifest, signed by key "
               f"{manifest.key_id(public)}; package {m.get('package_id')}, exported "
               f"{m.get('created_at')} by {(m.get('exporter') or {}).get('name')}, cases "
               f"{', '.join(m.get('cases') or [])}")


@export_group.command("public-key")
@pass_ctx
def export_public_key(cx: CliContext) -> None:
    """Print the installation's public key (PEM), to hand to prosecutors for `export verify`."""
    from graphapp.export import manifest

    key = manifest.private_key(cx.settings)
    click.echo(manifest.public_key_pem(key).decode("ascii"), nl=False)
    click.echo(f"# key id {manifest.key_id(key)}", err=True)


@export_group.command("list")
@click.option("--as", "as_user", required=True, metavar="USER", help="The packages USER may read.")
@pass_ctx
@_fail_on_account_error
def export_list(cx: CliContext, as_user: str) -> None:
    """List the packages USER made or that are shared with USER."""
    from graphapp.services import exports

    actor = _checked_actor(cx.settings, as_user, "read-export")
    items = exports.list_for(cx.settings, actor, exports.Context(os_user=operator_name()))
    for p in items:
        shared = f"  shared with {', '.join(p['shared_with'])}" if p.get("shared_with") else ""
        click.echo(f"{p['id']}  {p['created_at']}  {p['exporter']:<16} {', '.join(p['cases'])}  "
                   f"{p['title']}{shared}")
    if not items:
        click.echo("no packages")
    for p in exports.shares_beyond_reach(cx.settings, actor, exports.Context(os_user=operator_name())):
        click.echo(f"{p['id']}  {p['created_at']}  no longer yours to open, still shared with "
                   f"{', '.join(p['shared_with'])} (export unshare ID PROSECUTOR --as {as_user})")


def _share(cx: CliContext, package_id: str, prosecutor: str, as_user: str, undo: bool) -> None:
    from graphapp.services import exports

    actor = _checked_actor(cx.settings, as_user, "export")
    ctx = exports.Context(os_user=operator_name())
    try:
        (exports.unshare if undo else exports.share)(cx.settings, actor, package_id, prosecutor, ctx)
    except exports.PackageNotFound as exc:
        raise click.ClickException(f"no package {package_id} of {as_user}'s") from exc
    except exports.ShareRefused as exc:
        raise click.ClickException(str(exc)) from exc


@export_group.command("share")
@click.argument("package_id")
@click.argument("prosecutor")
@click.option("--as", "as_user", required=True, metavar="USER", help="The package's exporter.")
@pass_ctx
@_fail_on_account_error
def export_share(cx: CliContext, package_id: str, prosecutor: str, as_user: str) -> None:
    """Let PROSECUTOR read package PACKAGE_ID (its exporter decides; audited)."""
    _share(cx, package_id, prosecutor, as_user, undo=False)
    click.echo(f"package {package_id} shared with {prosecutor}")


@export_group.command("unshare")
@click.argument("package_id")
@click.argument("prosecutor")
@click.option("--as", "as_user", required=True, metavar="USER", help="The package's exporter.")
@pass_ctx
@_fail_on_account_error
def export_unshare(cx: CliContext, package_id: str, prosecutor: str, as_user: str) -> None:
    """End PROSECUTOR's access to package PACKAGE_ID (audited)."""
    _share(cx, package_id, prosecutor, as_user, undo=True)
    click.echo(f"{prosecutor} may no longer read package {package_id}")


# -- audit -------------------------------------------------------------------------------


@main.group()
def query() -> None:
    """The saved query library: list the queries, run one as a user (read-only, audited)."""


def _library(cx: CliContext):
    from graphapp.services import saved_queries as saved

    try:
        return saved.check_library(cx.settings.cypher_dir)
    except saved.SavedQueryError as exc:
        raise click.ClickException(str(exc)) from exc


@query.command("list")
@click.option("--as", "as_user", metavar="USER", help="Only the queries USER may run.")
@pass_ctx
@_fail_on_account_error
def query_list(cx: CliContext, as_user: str | None) -> None:
    """List the saved queries with their parameters (checking every file's header)."""
    from graphapp.access import allowed

    queries = _library(cx)
    if as_user:
        actor = _actor(cx.settings, as_user)
        queries = [q for q in queries if allowed(actor, q.action)]
    for q in queries:
        click.echo(f"{q.name:<26} {q.title}  [{q.result}; {', '.join(q.tags)}]")
        for p in q.parameters:
            default = "required" if p.required else f"default {p.default!r}"
            bounds = "".join([f", min {p.minimum}" if p.minimum is not None else "",
                              f", max {p.maximum}" if p.maximum is not None else "",
                              f", one of {list(p.choices)}" if p.choices else "",
                              f", {p.format}" if p.format else ""])
            click.echo(f"    --param {p.name}=…  {p.type}, {default}{bounds}: {p.label}")


@query.command("run")
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="K=V",
              help="A parameter; repeat for several (a list: K=a,b or K=a K=b).")
@click.option("--as", "as_user", required=True, metavar="USER", help="Run with USER's rights.")
@click.option("--format", "fmt", type=click.Choice(("table", "json", "csv")), default="table",
              show_default=True)
@pass_ctx
@_fail_on_account_error
def query_run(cx: CliContext, name: str, params: tuple[str, ...], as_user: str, fmt: str) -> None:
    """Run saved query NAME as USER over USER's visible cases: read-only, time-out, row cap,
    audited with the parameters and the row count (and this operating-system account)."""
    from graphapp.access import Forbidden
    from graphapp.services import saved_queries as saved

    _library(cx)
    raw: dict[str, object] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not K=V", param_hint="--param")
        if key in raw:
            previous = raw[key]
            raw[key] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            raw[key] = value
    actor = _actor(cx.settings, as_user)
    try:
        result = saved.run_audited(cx.store(), cx.settings, actor, name, raw,
                                   os_user=operator_name(), via="cli")
    except saved.UnknownQuery as exc:
        raise click.ClickException(f"no saved query named {name!r}") from exc
    except saved.BadParameters as exc:
        raise click.BadParameter(str(exc), param_hint="--param") from exc
    except Forbidden as exc:
        raise click.ClickException(f"{as_user}: {exc}") from exc
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(saved.to_csv(result), nl=False)
    else:
        click.echo(saved.to_text_table(result))
        click.echo(f"{len(result['rows'])} row(s)" + (" (row cap reached)" if result["truncated"] else ""),
                   err=True)


@main.group("audit")
def audit_group() -> None:
    """Check and export the tamper-evident audit log."""


@audit_group.command("verify")
@pass_ctx
def audit_verify(cx: CliContext) -> None:
    """Walk the HMAC chain; name the first altered, inserted or missing record (exit 1)."""
    verdict = audit.verify(cx.settings)
    if not verdict.ok:
        click.echo(f"audit log NOT intact: {verdict.problem} "
                   f"({verdict.records} records read)", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {verdict.records} records, chain and anchor agree")


@audit_group.command("export")
@click.option("--out", type=click.File("w"), default="-", help="File to write (default stdout).")
@pass_ctx
def audit_export(cx: CliContext, out) -> None:
    """Write every audit record as JSON lines, with its chain HMACs, for archiving."""
    from sqlalchemy import select

    from graphapp.db import AuditRecord, session_scope

    with session_scope(cx.settings) as s:
        for row in s.scalars(select(AuditRecord).order_by(AuditRecord.id)).yield_per(1000):
            out.write(json.dumps({
                "id": row.id, "at": audit._stamp(row.at), "actor": row.actor,
                "os_user": row.os_user, "action": row.action, "outcome": row.outcome,
                "cases": row.cases, "client": row.client, "purpose": row.purpose,
                "detail": row.detail, "prev_hmac": row.prev_hmac, "hmac": row.hmac,
            }, ensure_ascii=False) + "\n")


# -- db --------------------------------------------------------------------------------


@main.group("db")
def db_group() -> None:
    """The accounts and audit database's schema (Alembic migrations in graphapp/migrations)."""


@db_group.command("current")
@pass_ctx
def db_current(cx: CliContext) -> None:
    """Say which schema revision the database is at, and the newest one."""
    from sqlalchemy import create_engine

    from graphapp import migrations

    engine = create_engine(cx.settings.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            at = migrations.current(conn)
    finally:
        engine.dispose()
    newest = migrations.head()
    state = "up to date" if at == newest else "behind: run `casegraph db upgrade`" if at else "not stamped"
    click.echo(f"{_safe_url(cx.settings.sqlalchemy_url)}: revision {at or '-'}, newest {newest} ({state})")


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(cx: CliContext) -> None:
    """Bring the database to the newest revision (app servers also do this at start-up)."""
    from graphapp import migrations
    from graphapp.db import get_engine

    with get_engine(cx.settings).connect() as conn:
        at = migrations.current(conn)
    click.echo(f"database at revision {at}")


# -- demo --------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up and load, but do not serve.")
@click.option("--rows", default=20000, show_default=True, type=click.IntRange(min=0),
              help="Rows of generated background around the core scenario (0: the core only).")
@click.option("--seed", default=1, show_default=True, type=int, help="Seed of the generated background.")
@pass_ctx
@_fail_on_account_error
def demo(cx: CliContext, host: str, port: int, no_serve: bool, rows: int, seed: int) -> None:
    """Set up the embedded store, load the demo scenario, create one user per role, serve."""
    from ingest import demo as demo_scenario

    settings = cx.settings
    settings.ensure_data_dir()
    store = cx.store()
    directory = demo_scenario.write_scenario(settings.data_dir / "demo-scenario", rows=rows, seed=seed)
    result = load_directory(directory, store, settings)
    _print_result(result)
    if not result.ok:
        sys.exit(1)
    _audit(settings, "ingest", f"operator:{operator_name()}", cases=tuple(result.cases),
           detail={"directory": str(directory), "batch_id": result.batch_id, "demo": True})
    click.echo("\ndemo users (one-time passwords, printed once):")
    for name, role in DEMO_USERS:
        password = accounts.reset_one_time_password(settings, name, role)
        for case_id, access in demo_scenario.memberships(rows, seed).get(role, {}).items():
            accounts.grant_case(settings, name, case_id, access, granted_by="demo")
        click.echo(f"  {name:<20} {role:<13} {password}")
    if no_serve:
        return
    from graphapp import create_app

    click.echo("")
    _serve(create_app(settings), host, port)
