"""Write side of sharing: one-use share codes, links to therapists, revocation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..access import ACKNOWLEDGE, log_change, red_flag_subject
from ..extensions import db
from ..models import ShareCode, TherapistLink, User, utcnow
from .rows import delete_owned

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: codes are read aloud and typed from a phone screen.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8
CODE_LIFETIME_HOURS = 72  # how long a share code works, in the words patients read too
CODE_LIFETIME = timedelta(hours=CODE_LIFETIME_HOURS)


def normalise_code(code: str) -> str:
    """Upper case, without the spaces and dashes people type between groups."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """K7QXM2PD -> K7QX-M2PD, as shown to the patient."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    """A keyed hash, so a copy of the database does not reveal live codes."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def create_share_code(patient: User) -> tuple[str, datetime]:
    """A new one-use code, valid for CODE_LIFETIME_HOURS; returns it formatted, and when it expires."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = utcnow() + CODE_LIFETIME
    db.session.add(ShareCode(patient_id=patient.id, code_hash=code_hash(code), expires_at=expires_at))
    db.session.commit()
    return format_code(code), expires_at


def link_therapist(therapist: User, code: str) -> TherapistLink | None:
    """Use a code: the patient who made it now shares with this therapist.

    None for an unknown, used or expired code, all alike. The code is spent with a conditional
    UPDATE, so two therapists racing for one code cannot both win.
    """
    now = utcnow()
    spent = db.session.execute(
        update(ShareCode)
        .where(
            ShareCode.code_hash == code_hash(code), ShareCode.used_at.is_(None), ShareCode.expires_at > now
        )
        .values(used_at=now)
        .returning(ShareCode.patient_id)
    ).first()
    if spent is None:
        db.session.rollback()
        return None
    link = share_with(spent.patient_id, therapist.id)
    db.session.commit()
    return link


def share_with(patient_id: uuid.UUID, therapist_id: uuid.UUID) -> TherapistLink:
    """The link by which the patient shares with the therapist, made unless there is one already;
    added to the caller's transaction (a share code's or an invitation's), which commits it."""
    link = db.session.scalar(
        select(TherapistLink).where(
            TherapistLink.patient_id == patient_id, TherapistLink.therapist_id == therapist_id
        )
    )
    if link is None:
        link = TherapistLink(patient_id=patient_id, therapist_id=therapist_id)
        db.session.add(link)
    return link


def revoke_link(patient: User, link_id: str) -> bool:
    """End a link; the therapist loses access on their very next request."""
    return delete_owned(TherapistLink, link_id, TherapistLink.patient_id, patient.id)


def acknowledge_red_flags(therapist: User, patient: User, day: date) -> None:
    """The therapist has seen the red flags of one day: the event in the patient's access log is
    the record of it (queries.red_flag_days reads it back)."""
    log_change(therapist, patient, ACKNOWLEDGE, red_flag_subject(day))
    db.session.commit()
