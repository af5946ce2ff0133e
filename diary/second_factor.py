"""The second factor's facts, read by the access rule and the operations alike
(docs/second-factor.md): which ways of a second step an account has, and what a TOTP code is."""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import exists, select

from .extensions import db
from .models import Passkey, RecoveryCode, TotpKey

TOTP_STEP = 30  # seconds a code lasts (RFC 6238's default, what every authenticator app uses)
TOTP_DIGITS = 6
# A code of the step before or after the server's is accepted too: a phone's clock a little
# off, or a code typed as it changed. Two steps away is refused.
TOTP_DRIFT = 1
# The answer's names, in the order a login offers them.
TOTP, RECOVERY_CODE, PASSKEY = "totp", "recovery_code", "passkey"
PENDING_KEY = "second_factor"  # the session's login waiting for its second step


def methods(user_id: uuid.UUID) -> list[str]:
    """The ways this account can take the second step of a login; empty when it has none.
    One statement."""
    totp, codes, passkeys = db.session.execute(
        select(
            exists().where(TotpKey.user_id == user_id, TotpKey.confirmed_at.is_not(None)),
            exists().where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)),
            exists().where(Passkey.user_id == user_id),
        )
    ).one()
    return [name for name, has in ((TOTP, totp), (RECOVERY_CODE, codes), (PASSKEY, passkeys)) if has]


def has_second_factor(user_id: uuid.UUID) -> bool:
    """Whether the account has a confirmed second factor: an authenticator app or a passkey."""
    return bool({TOTP, PASSKEY} & set(methods(user_id)))


def required_for(user) -> bool:
    """Whether this user must have a second factor before reaching anything else: a therapist,
    while THERAPIST_MFA is `required`."""
    return user.is_therapist and current_app.config["THERAPIST_MFA"] == "required"


def step_at(instant: datetime) -> int:
    """The TOTP time step (RFC 6238's T) an instant falls in."""
    return int(instant.timestamp()) // TOTP_STEP


def matching_step(secret: str, code: str, instant: datetime, after: int | None) -> int | None:
    """The time step within TOTP_DRIFT of `instant` whose code is `code`, later than `after` (the
    last step used), or None. Every candidate is compared, in constant time."""
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP)
    now = step_at(instant)
    found = None
    for step in range(now - TOTP_DRIFT, now + TOTP_DRIFT + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code) and (after is None or step > after):
            found = step
    return found
