"""Typed SQLAlchemy 2 models. They hold per-row rules only; figures live in diary/clinical."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .extensions import db

ROLES = ("patient", "therapist")
DEFAULT_TIMEZONE = "Europe/London"


# The drug classes of a day's medications as one number, a bit a class (clinical.ALL_CLASSES),
# stored on the day record so that the class days of many days are counted from the day records
# alone (the triage list, the months: diary/queries.py). A stored encoding: giving a class
# another bit, or adding one, needs a migration that computes the column again (as 0012 did).
DRUG_CLASS_BITS: dict[str, int] = {
    "non_opioid_analgesic": 1,
    "triptan": 2,
    "ergot": 4,
    "opioid": 8,
    "combination_analgesic": 16,
    "other_acute": 32,
    "other": 64,
}


def drug_class_bits(classes) -> int:
    """The bits of these drug classes (any number of each, in any order)."""
    bits = 0
    for drug_class in classes:
        bits |= DRUG_CLASS_BITS[drug_class]
    return bits


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today_in(zone: str, now: datetime | None = None) -> date:
    """The calendar date now in this IANA time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(zone)).date()


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC and always read back timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetimes are not stored; give a timezone")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class User(UserMixin, db.Model):
    """A patient or a therapist. Email is stored normalised (trimmed, lower case) and unique."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('patient', 'therapist')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16), default="patient")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the clinic (`flask users disable`): the account cannot log in, its logins are ended.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"

    @property
    def is_therapist(self) -> bool:
        return self.role == "therapist"

    def today(self, now: datetime | None = None) -> date:
        """The user's own calendar date now, in their IANA time zone."""
        return today_in(self.timezone, now)


class LoginSession(db.Model):
    """A server-side login: the session cookie names it, logout and erasure delete it."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The id the account page and the API name it by (the token never leaves the cookie).
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The device, in the words of diary/devices.py ("Firefox on Android"), the client's address,
    # and when the login was last used (updated at most once a minute: diary/auth.py).
    device: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(45))
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class DayRecord(db.Model):
    """One patient's diary for one of their calendar dates. `version` changes on every write."""

    __tablename__ = "day_records"
    __table_args__ = (
        UniqueConstraint("patient_id", "date", name="uq_day_records_patient_date"),
        CheckConstraint("soreness IS NULL OR soreness BETWEEN 0 AND 10", name="soreness_range"),
        # What the windowed figures and the triage list count, read from the index alone
        # (migration 0011, docs/performance.md "At clinic-network scale").
        Index(
            "ix_day_records_patient_date_figures",
            "patient_id",
            "date",
            "had_headache",
            "soreness",
            "drug_classes",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    # docs/clinical-rules.md section 1: true (it holds headaches), false (confirmed headache-free) or
    # None (the headache question not answered). The fields of a day: diary/dayshape.py.
    had_headache: Mapped[bool | None] = mapped_column(Boolean)
    soreness: Mapped[int | None] = mapped_column(SmallInteger)
    exercises_done: Mapped[bool | None] = mapped_column(Boolean)
    triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    # Codes of diary/redflags.py the patient reported for this day.
    red_flags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # drug_class_bits of the day's medications, written with them (operations.days; for records
    # built as objects, the flush listener below); migration 0012 filled it for the rows before.
    drug_classes: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # sha256 of the content (operations.days.content_digest): a repeated write is recognised
    # without reading the headaches and medications back. Every writer sets it; migration 0006
    # filled it for the rows stored before. A migration that changes the content computes it anew.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    headaches: Mapped[list[Headache]] = relationship(
        order_by="Headache.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )
    medications: Mapped[list[MedicationIntake]] = relationship(
        order_by="MedicationIntake.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    # Written only by operations.days, whose UPDATE names the version it read (optimistic
    # concurrency: two writers cannot both win) and sets the next one.


class Headache(db.Model):
    """One headache of a day, as the patient described it."""

    __tablename__ = "headaches"
    __table_args__ = (CheckConstraint("intensity BETWEEN 1 AND 10", name="intensity_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("day_records.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    start: Mapped[time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    intensity: Mapped[int] = mapped_column(SmallInteger)
    type: Mapped[str] = mapped_column(String(16), default="unsure")
    side: Mapped[str | None] = mapped_column(String(8))
    locations: Mapped[list[str]] = mapped_column(JSON, default=list)
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    neck_provoked: Mapped[bool | None] = mapped_column(Boolean)


class MedicationIntake(db.Model):
    """One medication taken on a day, with its ICHD-3 class."""

    __tablename__ = "medication_intakes"
    # A day's classes from the index alone (migration 0011).
    __table_args__ = (Index("ix_medication_intakes_day_class", "day_id", "drug_class"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("day_records.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(80))
    drug_class: Mapped[str] = mapped_column(String(32))
    doses: Mapped[int] = mapped_column(SmallInteger, default=1)
    time: Mapped[time | None] = mapped_column(Time)
    relief: Mapped[str | None] = mapped_column(String(16))


@event.listens_for(Session, "before_flush")
def _day_drug_classes(session, flush_context, instances) -> None:
    """A day record built or changed as an object (the demo, the tests' factories) is given the
    bits of its medications, as the write path gives them (operations.days writes rows)."""
    for record in (*session.new, *session.dirty):
        if isinstance(record, DayRecord):
            record.drug_classes = drug_class_bits(m.drug_class for m in record.medications)


class OneUse:
    """A one-use secret's row (a share code, a password-reset link): its number, and when it
    was made, when it lapses and when it was spent (None: not yet)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShareCode(OneUse, db.Model):
    """A one-use code a patient gives a therapist; only its keyed hash is stored."""

    __tablename__ = "share_codes"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)


class TherapistLink(db.Model):
    """A patient shares their diary with a therapist until the patient revokes it."""

    __tablename__ = "therapist_links"
    __table_args__ = (UniqueConstraint("patient_id", "therapist_id", name="uq_therapist_links_pair"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id])


class TreatmentSession(db.Model):
    """A treatment session a therapist recorded for a patient (docs/clinical-rules.md section 6)."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (Index("ix_treatment_sessions_patient_date", "patient_id", "date"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    date: Mapped[date] = mapped_column(Date)
    techniques: Mapped[list[str]] = mapped_column(JSON, default=list)
    muscles: Mapped[list[dict]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    therapist: Mapped[User | None] = relationship(foreign_keys=[therapist_id], lazy="joined")


class AccessEvent(db.Model):
    """Who read or changed which part of a patient's diary, when, and whether it was allowed.

    Holds no health values. Written, never updated; deleted only with the patient's account.
    """

    __tablename__ = "access_events"
    # A patient's events by time; a therapist's (the daily list-read check): migration 0011.
    __table_args__ = (
        Index("ix_access_events_patient_at", "patient_id", "at"),
        Index("ix_access_events_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(16))
    what: Mapped[str] = mapped_column(String(120))
    allowed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- Password reset (issue 12, docs/accounts.md) ---------------------------------------------------


class PasswordResetToken(OneUse, db.Model):
    """A one-use link to set a new password; only the token's sha256 is stored."""

    __tablename__ = "password_reset_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


# -- Invitations (issue 12, docs/invitations.md) ------------------------------------------------


class Invitation(db.Model):
    """A therapist's one-use link asking a patient to share their diary, valid for 7 days.

    Only the sha256 of the link's token is stored. Withdrawing deletes the row; accepting or
    declining spends it (`answered_at`). An account registered through the link claims it
    (`patient_id`): only that account may then answer it, and no other account registers with it.
    """

    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    patient_email: Mapped[str | None] = mapped_column(String(254))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None] = mapped_column(Boolean)

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="joined")


# -- Reminders (issue 13, docs/reminders.md) -----------------------------------------------------


class ReminderSettings(db.Model):
    """A patient's daily reminder: when (their own wall-clock time), how, and whether to skip a
    day already logged. No row: reminders are off."""

    __tablename__ = "reminder_settings"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    time: Mapped[time] = mapped_column(Time)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    skip_if_logged: Mapped[bool] = mapped_column(Boolean, default=True)
    # When reminders were turned on or their time changed: a time already past today waits for
    # tomorrow, instead of reminding the moment the setting is saved.
    active_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushSubscription(db.Model):
    """A browser's Web Push subscription (its push service URL and the keys to encrypt to)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # One browser, one subscription: subscribing again (or as someone else) replaces the row.
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSent(db.Model):
    """A reminder sent for one of the patient's local dates. Written before sending: the unique
    pair means two senders at once send it once."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("patient_id", "local_date", name="uq_reminders_sent_patient_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- Second factors (docs/second-factor.md) -----------------------------------------------------


class TotpKey(db.Model):
    """A user's authenticator-app key (RFC 6238): pending until a code from it is confirmed.

    `last_used_step` is the 30-second step of the last code accepted, so no code works twice."""

    __tablename__ = "totp_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(db.Model):
    """One of the ten one-use codes given when two-step sign-in is turned on; only its sha256."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(db.Model):
    """A WebAuthn credential registered as a second factor: its id, public key and sign count."""

    __tablename__ = "passkeys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
