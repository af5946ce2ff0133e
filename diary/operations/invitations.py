"""Write side of invitations: a therapist's one-use link, its answer, and registration through it
(docs/invitations.md)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from werkzeug.exceptions import Forbidden

from ..auth import normalise_email, token_hash
from ..extensions import db
from ..mail import absolute_url, send_email_after_response
from ..models import Invitation, TherapistLink, User, utcnow
from ..queries import open_invitation_where
from .accounts import create_user
from .sharing import share_with

INVITATION_LIFETIME_DAYS = 7  # how long an invitation works, in the words both readers see
INVITATION_LIFETIME = timedelta(days=INVITATION_LIFETIME_DAYS)
INVITE_ONLY = (
    "New diaries are started by invitation only. Ask your physiotherapist for an invitation link, "
    "or log in if you already have a diary."
)


def invitation_url(token: str) -> str:
    """The link the patient opens (and the QR code holds): the raw token is in it, nowhere else."""
    return absolute_url("web.invitation", token=token)


def create_invitation(therapist: User, patient_email: str | None = None) -> tuple[Invitation, str]:
    """A new invitation and the url that carries its token; emailed to `patient_email` if given
    (after the response: the therapist's page does not wait for the mail server)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        therapist_id=therapist.id,
        token_hash=token_hash(token),
        patient_email=normalise_email(patient_email) if patient_email else None,
        expires_at=utcnow() + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.commit()
    url = invitation_url(token)
    if invitation.patient_email:
        # The therapist's name and the link only: an email carries no health data.
        send_email_after_response(
            invitation.patient_email,
            f"{therapist.display_name} invites you to share your headache diary",
            "invitation",
            therapist_name=therapist.display_name,
            url=url,
            lifetime_days=INVITATION_LIFETIME_DAYS,
        )
    return invitation, url


def withdraw_invitation(therapist: User, invitation_id: str) -> bool:
    """Delete one of the therapist's open invitations; its link stops working at once."""
    try:
        key = uuid.UUID(invitation_id)
    except ValueError:
        return False
    result = db.session.execute(
        delete(Invitation).where(
            Invitation.id == key, Invitation.therapist_id == therapist.id, Invitation.answered_at.is_(None)
        )
    )
    db.session.commit()
    return result.rowcount == 1


def _spend(patient: User, token: str, *, accept: bool) -> uuid.UUID | None:
    """Answer the invitation of `token` with a conditional UPDATE, so it is answered once whoever
    races for it; its therapist's id, or None (nothing changed) for an unknown, used, withdrawn or
    expired invitation, or one claimed by another account."""
    spent = db.session.execute(
        update(Invitation)
        .where(*open_invitation_where(token, patient))
        .values(answered_at=utcnow(), accepted=accept, patient_id=patient.id)
        .returning(Invitation.therapist_id)
    ).first()
    if spent is None:
        db.session.rollback()
        return None
    return spent.therapist_id


def accept_invitation(patient: User, token: str) -> TherapistLink | None:
    """The patient accepts: they now share with the therapist, by the link a share code makes."""
    therapist_id = _spend(patient, token, accept=True)
    if therapist_id is None:
        return None
    link = share_with(patient.id, therapist_id)
    db.session.commit()
    return link


def decline_invitation(patient: User, token: str) -> bool:
    """The patient says no: the invitation is spent and nothing is shared."""
    if _spend(patient, token, accept=False) is None:
        return False
    db.session.commit()
    return True


def registration_open() -> bool:
    """Whether anyone may start a diary (REGISTRATION=open), or only through an invitation."""
    return current_app.config["REGISTRATION"] == "open"


def register_patient(
    email: str, password: str, display_name: str, *, timezone: str, invitation: str | None = None
) -> User:
    """A new patient account, through the invitation of token `invitation` when it is open and
    unclaimed (the account claims it). With REGISTRATION=invite_only there must be one: otherwise
    Forbidden, and nothing is stored."""
    unclaimed = invitation is not None and (
        db.session.scalar(
            select(Invitation.id).where(*open_invitation_where(invitation), Invitation.patient_id.is_(None))
        )
        is not None
    )
    if not unclaimed and not registration_open():
        raise Forbidden(INVITE_ONLY)
    user = create_user(email, password, display_name, timezone=timezone)
    if not unclaimed:
        return user
    claimed = db.session.execute(
        update(Invitation)
        .where(*open_invitation_where(invitation), Invitation.patient_id.is_(None))
        .values(patient_id=user.id)
    ).rowcount
    if claimed != 1 and not registration_open():
        # Another registration took this invitation between the check and now: this account
        # came in through no invitation, so it is removed again.
        db.session.execute(delete(User).where(User.id == user.id))
        db.session.commit()
        raise Forbidden(INVITE_ONLY)
    db.session.commit()
    return user
