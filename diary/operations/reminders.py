"""Reminders (docs/reminders.md): the patient's settings, browsers' Web Push subscriptions, and
sending every reminder due now (`flask --app wsgi reminders send-due`).

When a reminder is due, and what it says, are pure functions in diary/reminders.py. Sending
writes a ReminderSent row (unique per patient and local date) and commits before it sends: of two
senders at once, the second meets the unique row and sends nothing.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from flask import current_app
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import DayRecord, PushSubscription, ReminderSent, ReminderSettings, User, utcnow
from ..reminders import (
    CATCH_UP_DAYS,
    CATCH_UP_FROM,
    CHANNELS,
    catch_up_window,
    days_missing,
    due_date,
    reminder_message,
)

log = logging.getLogger(__name__)

DEFAULTS = {"enabled": False, "time": time(20, 0), "channels": list(CHANNELS), "skip_if_logged": True}
GONE = frozenset({404, 410})  # the push service says the subscription no longer exists
PUSH_TIMEOUT = 10  # seconds for one push service request


# -- Settings and subscriptions ------------------------------------------------------------------


def reminder_settings(patient: User) -> dict[str, Any]:
    """The patient's reminder settings, or the defaults (off) when they have none."""
    row = db.session.get(ReminderSettings, patient.id)
    if row is None:
        return dict(DEFAULTS)
    return {name: getattr(row, name) for name in DEFAULTS}


def update_reminders(patient: User, data: dict[str, Any]) -> dict[str, Any]:
    """Store the patient's reminder settings (as ReminderSettingsSchema loads them)."""
    row = db.session.get(ReminderSettings, patient.id)
    if row is None:
        row = ReminderSettings(patient_id=patient.id, **DEFAULTS)
        db.session.add(row)
    if (data["enabled"] and not row.enabled) or data["time"] != row.time:
        row.active_from = utcnow()
    for name in DEFAULTS:
        setattr(row, name, data[name])
    db.session.commit()
    return reminder_settings(patient)


def add_push_subscription(patient: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep a browser's push subscription for the patient. A browser has one: subscribing again,
    or as another person after a new login, replaces what was kept for it."""
    for attempt in (1, 2):
        db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
        subscription = PushSubscription(patient_id=patient.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        db.session.add(subscription)
        try:
            db.session.commit()
            return subscription
        except IntegrityError:  # the same browser subscribed in another request just now
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def remove_push_subscription(patient: User, subscription_id: str) -> bool:
    """Forget one of the patient's subscriptions; False when they have none by that id."""
    removed = db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.id == uuid.UUID(subscription_id), PushSubscription.patient_id == patient.id
        )
    )
    db.session.commit()
    return removed.rowcount == 1


def has_push_subscription(patient: User) -> bool:
    return (
        db.session.scalar(
            select(PushSubscription.id).where(PushSubscription.patient_id == patient.id).limit(1)
        )
        is not None
    )


# -- Sending -------------------------------------------------------------------------------------


@dataclass
class Sent:
    """What one run of send_due did."""

    reminders: int = 0
    pushes: int = 0
    emails: int = 0
    skipped_logged: int = 0
    gone: int = 0  # subscriptions removed because the push service no longer has them
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    patient_id: Any
    email: str
    zone: ZoneInfo
    local_date: date
    joined: date
    channels: tuple[str, ...]
    skip_if_logged: bool


def _due_now(now: datetime) -> list[_Due]:
    """Patients whose reminder time has come today and who have none recorded for today."""
    rows = db.session.execute(
        select(ReminderSettings, User.email, User.timezone, User.created_at)
        .join(User, User.id == ReminderSettings.patient_id)
        .where(ReminderSettings.enabled.is_(True), User.role == "patient")
    ).all()
    due = []
    for settings, email, timezone, created_at in rows:
        zone = ZoneInfo(timezone)
        local_date = due_date(settings.time, zone, now, settings.active_from)
        if local_date is not None and settings.channels:
            due.append(
                _Due(
                    settings.patient_id,
                    email,
                    zone,
                    local_date,
                    created_at.astimezone(zone).date(),  # the day they joined
                    tuple(settings.channels),
                    settings.skip_if_logged,
                )
            )
    if not due:
        return []
    sent = set(
        db.session.execute(
            select(ReminderSent.patient_id, ReminderSent.local_date).where(
                ReminderSent.patient_id.in_([d.patient_id for d in due]),
                ReminderSent.local_date.in_({d.local_date for d in due}),
            )
        ).all()
    )
    return [d for d in due if (d.patient_id, d.local_date) not in sent]


def _logged_days(due: list[_Due]) -> dict[Any, set[date]]:
    """Each due patient's logged days (the headache question answered) from the earliest
    catch-up window to today: one query for them all."""
    if not due:
        return {}
    first = min(d.local_date for d in due) - timedelta(days=CATCH_UP_DAYS)
    rows = db.session.execute(
        select(DayRecord.patient_id, DayRecord.date).where(
            DayRecord.patient_id.in_([d.patient_id for d in due]),
            DayRecord.date >= first,
            DayRecord.had_headache.is_not(None),
        )
    ).all()
    logged: dict[Any, set[date]] = defaultdict(set)
    for patient_id, day in rows:
        logged[patient_id].add(day)
    return logged


def _first_diary_days(due: list[_Due]) -> dict[Any, date]:
    """Each due patient's first day in the diary (a diary may start before the account, filled
    in afterwards or imported): one query for them all."""
    if not due:
        return {}
    return dict(
        db.session.execute(
            select(DayRecord.patient_id, func.min(DayRecord.date))
            .where(DayRecord.patient_id.in_([d.patient_id for d in due]))
            .group_by(DayRecord.patient_id)
        ).all()
    )


def _claim(due: _Due, now: datetime) -> bool:
    """Record the reminder as sent; False when another sender recorded it first."""
    db.session.add(ReminderSent(patient_id=due.patient_id, local_date=due.local_date, sent_at=now))
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def _push_one(subscription, payload: str) -> int | None:
    """Send one encrypted push (RFC 8291, aes128gcm) with VAPID; the HTTP status on failure."""
    config = current_app.config
    try:
        webpush(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=payload,
            vapid_private_key=config["VAPID_PRIVATE_KEY"],
            vapid_claims={"sub": config["VAPID_SUBJECT"]},  # a new dict: webpush adds aud and exp
            content_encoding="aes128gcm",
            ttl=config["REMINDER_PUSH_TTL"],
            timeout=PUSH_TIMEOUT,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else 0
        log.warning("Push to %s failed: %s", _service(subscription.endpoint), status or error)
        return status
    except requests.RequestException as error:
        log.warning("Push to %s failed: %s", _service(subscription.endpoint), type(error).__name__)
        return 0
    return None


def _service(endpoint: str) -> str:
    """The push service's host, for a log line (the rest of the URL identifies a browser)."""
    return endpoint.split("/")[2] if endpoint.count("/") >= 2 else "?"


def send_due(now: datetime | None = None) -> Sent:
    """Send every reminder due at `now`: at most one per patient and local date, none when the
    patient asked to skip a day already logged. Safe to run on two machines at once."""
    from .. import mail
    from ..metrics import REMINDERS_SENT

    now = now or utcnow()
    result = Sent()
    due = _due_now(now)
    logged = _logged_days(due)
    first_days = _first_diary_days(due)
    # Plain rows, not objects: each claim commits, and committed objects would be read again.
    subscriptions: dict[Any, list] = defaultdict(list)
    if any("push" in d.channels for d in due):
        for subscription in db.session.execute(
            select(
                PushSubscription.id,
                PushSubscription.patient_id,
                PushSubscription.endpoint,
                PushSubscription.p256dh,
                PushSubscription.auth,
            ).where(PushSubscription.patient_id.in_([d.patient_id for d in due]))
        ):
            subscriptions[subscription.patient_id].append(subscription)
    gone: list[Any] = []
    for d in due:
        days = logged.get(d.patient_id, set())
        if d.skip_if_logged and d.local_date in days:
            result.skipped_logged += 1
            continue
        if not _claim(d, now):
            continue
        result.reminders += 1
        REMINDERS_SENT.inc()
        first, last = catch_up_window(d.local_date, min(d.joined, first_days.get(d.patient_id, d.joined)))
        message = reminder_message(len(days_missing(first, last, days)) >= CATCH_UP_FROM)
        path = current_app.url_map.bind("", script_name="/").build(message["endpoint"])
        if "push" in d.channels:
            payload = json.dumps({"title": message["title"], "body": message["body"], "url": path})
            for subscription in subscriptions.get(d.patient_id, []):
                status = _push_one(subscription, payload)
                if status is None:
                    result.pushes += 1
                elif status in GONE:
                    gone.append(subscription.id)
                else:
                    result.failed.append(f"push {status}")
        if "email" in d.channels:
            try:
                mail.send_email(
                    d.email,
                    message["title"],
                    "reminder",
                    words=message["body"],
                    link=mail.absolute_url(message["endpoint"]),
                )
                result.emails += 1
            except mail.MailNotSent as error:
                result.failed.append(f"email {error}")
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
        db.session.commit()
        result.gone = len(gone)
    return result
