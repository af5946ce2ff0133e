"""Reminders: the patient's settings, the server's Web Push key, browsers' subscriptions
(docs/api.md "Reminders", docs/reminders.md)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from ..access import rule
from ..operations import reminders
from ..schemas.reminders import (
    PushKeySchema,
    PushSubscriptionCreatedSchema,
    PushSubscriptionSchema,
    ReminderSettingsSchema,
)
from . import bp
from .helpers import done


@bp.get("/patients/me/reminders")
@rule("patient")
@bp.response(200, ReminderSettingsSchema)
def get_reminders():
    """My daily reminder: on or off, the time in my time zone, how, and whether to skip a logged day"""
    return reminders.reminder_settings(current_user)


@bp.put("/patients/me/reminders")
@rule("patient")
@bp.arguments(ReminderSettingsSchema)
@bp.response(200, ReminderSettingsSchema)
def put_reminders(data: dict):
    """Set my daily reminder"""
    return reminders.update_reminders(current_user, data)


@bp.get("/push/public-key")
@rule("logged_in")
@bp.response(200, PushKeySchema)
def push_public_key():
    """The server's VAPID key (RFC 8292), the applicationServerKey a browser subscribes with"""
    return {"public_key": current_app.config["VAPID_PUBLIC_KEY"]}


@bp.post("/patients/me/push-subscriptions")
@rule("patient")
@bp.arguments(PushSubscriptionSchema)
@bp.response(201, PushSubscriptionCreatedSchema)
def add_push_subscription(data: dict):
    """Send my reminders to this browser (its PushSubscription JSON)"""
    keys = data["keys"]
    return reminders.add_push_subscription(current_user, data["endpoint"], keys["p256dh"], keys["auth"])


@bp.delete("/patients/me/push-subscriptions/<uuid_text:subscription_id>")
@rule("patient")
@bp.response(204)
def remove_push_subscription(subscription_id: str):
    """Stop sending my reminders to a browser"""
    return done(reminders.remove_push_subscription(current_user, subscription_id))
