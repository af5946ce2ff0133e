"""Write side of accounts: create, authenticate, log in and out, profile, password, erasure."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import delete, select
from werkzeug.exceptions import Forbidden

from .. import passwords
from ..auth import (
    SESSION_TOKEN_KEY,
    current_token_hash,
    forget_device,
    known_device,
    normalise_email,
    remember_device,
    token_hash,
)
from ..devices import describe_device
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import ROLES, LoginSession, User, utcnow
from .rows import add_new

log = logging.getLogger(__name__)
EMAIL_TAKEN = "An account with this email already exists. Log in instead."


class AccountDisabled(Forbidden):
    """The password is right but the clinic has disabled the account (said only then)."""

    name = "Account disabled"
    description = "This account is disabled; contact your clinic."


def _check_password(password: str, email: str, display_name: str) -> None:
    problems = passwords.password_problems(
        password,
        current_app.config["PASSWORD_MIN_SCORE"],
        user_inputs=[email, display_name, *email.split("@")[0].split("."), "headache", "diary"],
    )
    if problems:
        raise InvalidInput({"password": problems}, "Choose a stronger password.")


def create_user(
    email: str, password: str, display_name: str, *, role: str = "patient", timezone: str = "Europe/London"
) -> User:
    """A new account; the email must be free (case does not matter) and the password strong."""
    if role not in ROLES:
        raise InvalidInput({"role": [f"Role is one of {', '.join(ROLES)}."]})
    email = normalise_email(email)
    _check_password(password, email, display_name)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(EMAIL_TAKEN)
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        display_name=display_name,
        role=role,
        timezone=timezone,
    )
    add_new(user, EMAIL_TAKEN)
    g.new_account_id = user.id  # its first login, on this device, is no news to email about
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; a wrong email costs as much as a wrong
    password. Rehashes the password when the hashing parameters have changed."""
    email = normalise_email(email)
    # No stored address holds a NUL, and PostgreSQL refuses one in a query.
    user = db.session.scalar(select(User).where(User.email == email)) if "\x00" not in email else None
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if user.disabled_at is not None:
        raise AccountDisabled()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def start_login_session(user: User) -> None:
    """Record a server-side login with its device and address, name it in the (signed) session
    cookie, and remember this device for the account (diary/auth.py); a device new to the
    account is told to its owner by email (docs/accounts.md)."""
    previous = session.get(SESSION_TOKEN_KEY)
    if previous:  # logging in over another login in this browser ends that one
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(previous)))
    token = secrets.token_urlsafe(32)
    device = describe_device(request.user_agent.string)
    now = utcnow()
    db.session.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            device=device,
            address=(request.remote_addr or "")[:45] or None,
            last_seen_at=now,
        )
    )
    db.session.commit()
    new_device = (
        current_app.config["NEW_SIGN_IN_EMAIL"]
        and g.get("new_account_id") != user.id
        and known_device(user.email) is None
    )
    session.clear()
    session[SESSION_TOKEN_KEY] = token
    session.permanent = True
    remember_device(user.email)
    if new_device:
        from .logins import announce_new_device

        announce_new_device(user, device, now)


def end_login_session() -> None:
    """Forget this login on the server, so a replayed cookie no longer works."""
    token = session.pop(SESSION_TOKEN_KEY, None)
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
        db.session.commit()
    session.clear()


def update_profile(user: User, changes: dict[str, Any]) -> User:
    """Change the display name and/or time zone."""
    for field in ("display_name", "timezone"):
        if field in changes:
            setattr(user, field, changes[field])
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every other login of this user (this one stays)."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise InvalidInput(
            {"current_password": ["This is not your current password."]}, "The current password is not right."
        )
    _check_password(new_password, user.email, user.display_name)
    user.password_hash = passwords.hash_password(new_password)
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.token_hash != (current_token_hash() or "")
        )
    )
    db.session.commit()


def erase_account(patient: User, password: str) -> None:
    """Erase a patient and everything of theirs, in one transaction, and end all their logins.

    Every table that refers to a user is named here (tests/test_erasure.py checks none is
    missed); the database's ON DELETE CASCADE is a second line, not the first. Another request
    of the patient, or of their therapist, caught half-way by it answers 401 or 404 (the
    ROW_VANISHED handler in diary/errors.py; tests/test_erasure_races.py).
    """
    from ..models import (
        AccessEvent,
        DayRecord,
        Headache,
        Invitation,
        MedicationIntake,
        Passkey,
        PasswordResetToken,
        PushSubscription,
        RecoveryCode,
        ReminderSent,
        ReminderSettings,
        ShareCode,
        TherapistLink,
        TotpKey,
        TreatmentSession,
    )

    if not passwords.verify_password(patient.password_hash, password):
        raise InvalidInput(
            {"password": ["This is not your password."]}, "The password is not right; nothing was erased."
        )
    days = select(DayRecord.id).where(DayRecord.patient_id == patient.id).scalar_subquery()
    for statement in (
        delete(Headache).where(Headache.day_id.in_(days)),
        delete(MedicationIntake).where(MedicationIntake.day_id.in_(days)),
        delete(DayRecord).where(DayRecord.patient_id == patient.id),
        delete(TreatmentSession).where(TreatmentSession.patient_id == patient.id),
        delete(TherapistLink).where(TherapistLink.patient_id == patient.id),
        delete(ShareCode).where(ShareCode.patient_id == patient.id),
        delete(Invitation).where(Invitation.patient_id == patient.id),
        delete(AccessEvent).where(AccessEvent.patient_id == patient.id),
        *(
            delete(model).where(model.patient_id == patient.id)
            for model in (ReminderSettings, PushSubscription, ReminderSent)
        ),
        *(delete(model).where(model.user_id == patient.id) for model in (TotpKey, RecoveryCode, Passkey)),
        delete(LoginSession).where(LoginSession.user_id == patient.id),
        delete(PasswordResetToken).where(PasswordResetToken.user_id == patient.id),
        delete(User).where(User.id == patient.id),
    ):
        db.session.execute(statement)
    db.session.commit()
    _checkpoint_sqlite()
    forget_device(patient.email)
    session.clear()


def _checkpoint_sqlite() -> None:
    """Copy SQLite's write-ahead log into the database file and empty it, so no earlier copy of
    erased rows outlives the erasure (secure_delete has zeroed them in the file). PostgreSQL
    keeps no such copy we could reach."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
    if busy:  # a long read elsewhere held it up: the next checkpoint will finish the job
        log.warning("the checkpoint after an erasure could not complete")
