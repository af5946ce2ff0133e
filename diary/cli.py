"""Command line: thin commands over operations (`flask --app wsgi users create`, `demo`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from . import demo, operations
from .errors import Conflict, InvalidInput
from .models import ROLES

users = AppGroup("users", help="Manage accounts (therapists are made here).")


@users.command("create")
@click.option("--email", required=True, help="Login email (case does not matter).")
@click.option("--name", "display_name", required=True, help="Name shown to patients.")
@click.option("--role", type=click.Choice(ROLES), default="therapist", show_default=True)
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when left out."
)
@click.option("--timezone", default="Europe/London", show_default=True)
def create_user(email: str, display_name: str, role: str, password: str, timezone: str) -> None:
    """Create an account, for example a therapist's."""
    try:
        user = operations.create_user(email, password, display_name, role=role, timezone=timezone)
    except InvalidInput as error:
        for field, messages in error.errors.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(1) from None
    except Conflict as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"Created {user.role} {user.email} ({user.id}).")


@users.command("reset-mfa")
@click.option("--email", required=True, help="The account's login email.")
def reset_mfa(email: str) -> None:
    """Remove every second factor of an account (a lost phone) and end its logins: the next login
    asks only for the password, and a therapist sets up two-step sign-in again."""
    from .operations.logins import NoSuchAccount
    from .operations.second_factor import reset_second_factor

    try:
        user, ended = reset_second_factor(email)
    except NoSuchAccount:
        click.echo(f"No account has the email {email}.", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Two-step sign-in is reset for {user.email}: {ended} logins ended; "
        "the next login needs only the password."
    )


@users.command("list")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Only this kind of account.")
def list_users(role: str | None) -> None:
    """Every account: email, role, name, when made, whether disabled, and its open logins."""
    from .queries import accounts_overview

    for account in accounts_overview(role):
        status = f"disabled {account.disabled_at:%Y-%m-%d}" if account.disabled_at else "active"
        click.echo(
            f"{account.email}\t{account.role}\t{account.display_name}\t"
            f"created {account.created_at:%Y-%m-%d}\t{status}\t{account.logins} login"
            + ("" if account.logins == 1 else "s")
        )


@users.command("disable")
@click.option("--email", required=True, help="The account's login email.")
def disable_user(email: str) -> None:
    """Stop an account from logging in, and log it out everywhere at once (its data stays)."""
    from .operations.logins import NoSuchAccount, disable_account

    try:
        user, ended = disable_account(email)
    except NoSuchAccount:
        click.echo(f"No account has the email {email}.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Disabled {user.email}: {ended} logins ended; it cannot log in until enabled.")


@users.command("enable")
@click.option("--email", required=True, help="The account's login email.")
def enable_user(email: str) -> None:
    """Let a disabled account log in again."""
    from .operations.logins import NoSuchAccount, enable_account

    try:
        user = enable_account(email)
    except NoSuchAccount:
        click.echo(f"No account has the email {email}.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Enabled {user.email}: it can log in again.")


@click.command("demo")
def load_demo() -> None:
    """Make the demo patient (six months of diary) and demo therapist; running again changes nothing."""
    created = demo.load_demo_data()
    click.echo("Demo data loaded." if created else "Demo data already there; nothing changed.")
    for role, (email, password) in demo.DEMO_LOGINS.items():
        click.echo(f"  {role:9} {email}  password: {password}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_database(path: str) -> None:
    """Back up the database to PATH (SQLite: online backup; PostgreSQL: pg_dump), while it runs."""
    from . import backup

    try:
        written = backup.backup(path)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"Backed up to {written} ({written.stat().st_size} bytes, readable by this user only).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace everything in a database that is not empty.")
def restore_database(path: str, force: bool) -> None:
    """Restore the backup at PATH into the configured database, then migrate it to the newest."""
    from . import backup

    try:
        version = backup.restore(path, force=force)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"Restored {path} (made at migration {version}); the database is now at {backup.head()}.")


reminders = AppGroup("reminders", help="Send the patients' daily reminders (docs/reminders.md).")


@reminders.command("send-due")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Keep running, sending what is due every SECONDS (make run uses 60); once when left out.",
)
def send_due_reminders(every: int | None) -> None:
    """Send every reminder due now: one per patient and local day, safe to run on two machines."""
    import time

    from .extensions import db
    from .operations.reminders import send_due

    while True:
        try:
            sent = send_due()
        except Exception as error:  # a loop that serves for hours outlives a database hiccup
            if every is None:
                raise
            click.echo(f"reminders: not sent this time ({type(error).__name__}: {error})", err=True)
        else:
            if sent.reminders or sent.failed or every is None:
                click.echo(
                    f"reminders: {sent.reminders} sent ({sent.pushes} push, {sent.emails} email), "
                    f"{sent.skipped_logged} skipped as logged, {sent.gone} subscriptions gone"
                    + (f", failed: {', '.join(sent.failed)}" if sent.failed else "")
                )
        finally:
            db.session.remove()
        if every is None:
            return
        time.sleep(every)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(load_demo)
    app.cli.add_command(backup_database)
    app.cli.add_command(restore_database)
    app.cli.add_command(reminders)
