"""Write side of two-step sign-in (docs/second-factor.md): the authenticator-app key (TOTP), the
ten recovery codes, passkeys (WebAuthn), and the login that waits for its second step."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pyotp
from flask import request, session
from sqlalchemy import delete, or_, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from werkzeug.exceptions import Forbidden

from .. import passwords
from .. import second_factor as factors
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Passkey, RecoveryCode, TotpKey, User, utcnow
from .accounts import end_login_session
from .logins import _account as account_with_email  # the users commands' lookup
from .logins import end_all_logins
from .rows import add_new

ISSUER = "Headache diary"  # the name an authenticator app shows beside the code
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # 32 letters: 5 bits each
_RECOVERY_LENGTH = 16  # 80 bits: too many to try, so a plain sha256 keeps them safe
PENDING_LIFETIME = timedelta(minutes=5)
_REGISTRATION_CHALLENGE = "passkey_registration"
_LOGIN_CHALLENGE = "passkey_login"
_CSRF_KEY = "csrf_token"  # Flask-WTF's, in the session


def _invalid_code(field: str = "code") -> InvalidInput:
    return InvalidInput(
        {field: ["That code is not right. Type the 6 digits your authenticator app shows now."]},
        "The code is not right.",
    )


# -- The authenticator app (TOTP) ----------------------------------------------------------------


def start_totp(user: User) -> tuple[str, str]:
    """A new key for an authenticator app, pending until confirmed: (secret, otpauth URI). A
    pending key made before is replaced; a confirmed one must be turned off first (409)."""
    key = db.session.get(TotpKey, user.id)
    if key is not None and key.confirmed_at is not None:
        raise Conflict("Two-step sign-in is already on. Turn it off first to use another app.")
    if key is None:
        key = TotpKey(user_id=user.id)
        db.session.add(key)
    key.secret = pyotp.random_base32()
    key.created_at = utcnow()
    db.session.commit()
    return key.secret, totp_uri(user, key.secret)


def pending_totp(user: User) -> tuple[str, str]:
    """The pending key, made when there is none (the set-up page shows it again on reload)."""
    key = db.session.get(TotpKey, user.id)
    if key is None or key.confirmed_at is not None:
        return start_totp(user)
    return key.secret, totp_uri(user, key.secret)


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _use_totp(key: TotpKey, code: str) -> bool:
    """Accept a code of the key once: the step it belongs to becomes the last used, in one
    UPDATE that only a later step can pass (two requests with one code: one wins)."""
    step = factors.matching_step(key.secret, code, utcnow(), key.last_used_step)
    if step is None:
        return False
    used = db.session.execute(
        update(TotpKey)
        .where(
            TotpKey.user_id == key.user_id,
            or_(TotpKey.last_used_step.is_(None), TotpKey.last_used_step < step),
        )
        .values(last_used_step=step)
    )
    return used.rowcount == 1


def confirm_totp(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on with a code from the pending key; the ten recovery codes (shown
    once: only their hashes are kept). A wrong code changes nothing (422)."""
    key = db.session.get(TotpKey, user.id)
    if key is None or key.confirmed_at is not None:
        raise Conflict("There is no authenticator app waiting to be confirmed. Start again.")
    if not _use_totp(key, code):
        db.session.rollback()
        raise _invalid_code()
    key.confirmed_at = utcnow()
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    return ["-".join(code[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)) for code in codes]


def _recovery_hash(code: str) -> str:
    """Typed with or without its dashes and spaces, in either case."""
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return used.rowcount == 1


def _check_may_turn_off(user: User, password: str) -> None:
    if not passwords.verify_password(user.password_hash, password):
        raise InvalidInput(
            {"password": ["This is not your password."]}, "The password is not right; nothing changed."
        )
    if factors.required_for(user):
        raise Forbidden("The clinic asks every therapist to keep two-step sign-in on.")


def turn_off_totp(user: User, password: str) -> None:
    """Remove the authenticator-app key and the recovery codes (passkeys stay)."""
    _check_may_turn_off(user, password)
    _delete(user, TotpKey, RecoveryCode)


def turn_off_second_factor(user: User, password: str) -> None:
    """Two-step sign-in off: the authenticator-app key, the recovery codes and every passkey."""
    _check_may_turn_off(user, password)
    _delete(user, TotpKey, RecoveryCode, Passkey)


def reset_second_factor(email: str) -> tuple[User, int]:
    """The clinic's reset (`flask users reset-mfa`) for someone who lost their phone: every way of
    the second step of the account with this email is removed (NoSuchAccount when there is none),
    and every login of it ends, the lost phone's too; the next login asks only for the password.
    The user and how many logins ended."""
    user = account_with_email(email)
    ended = end_all_logins(user)
    _delete(user, TotpKey, RecoveryCode, Passkey)
    return user, ended


def _delete(user: User, *models) -> None:
    for model in models:
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.commit()


# -- Passkeys (WebAuthn) -------------------------------------------------------------------------


def _relying_party() -> tuple[str, str]:
    """This site as WebAuthn names it: (RP ID, origin), from the address the browser used
    (behind a proxy, TRUST_PROXY_HOPS makes it the public one)."""
    origin = request.host_url.rstrip("/")
    return urlsplit(origin).hostname or "", origin


def _expected(challenge: str) -> dict[str, Any]:
    """What the browser's answer must match, for py_webauthn's verify_*_response: the challenge
    this session was given (base64url) and this site."""
    rp_id, origin = _relying_party()
    return {
        "expected_challenge": base64url_to_bytes(challenge),
        "expected_rp_id": rp_id,
        "expected_origin": origin,
    }


def _options(options) -> dict[str, Any]:
    return json.loads(options_to_json(options))


def passkey_registration_options(user: User) -> dict[str, Any]:
    """The options for `navigator.credentials.create()`; their challenge waits in the session."""
    rp_id, _ = _relying_party()
    registered = db.session.scalars(select(Passkey.credential_id).where(Passkey.user_id == user.id))
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=ISSUER,
        user_id=user.id.bytes,
        user_name=user.email,
        user_display_name=user.display_name,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in registered],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    session[_REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return _options(options)


def add_passkey(user: User, credential: dict, name: str) -> Passkey:
    """Keep a passkey the browser made with the options above (their challenge is used once)."""
    challenge = session.pop(_REGISTRATION_CHALLENGE, None)
    if challenge is None:
        raise InvalidInput({"credential": ["Ask for new options first."]}, "The passkey was not added.")
    try:
        verified = verify_registration_response(credential=credential, **_expected(challenge))
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError):
        raise InvalidInput(
            {"credential": ["This passkey could not be checked."]}, "The passkey was not added."
        ) from None
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name,
    )
    return add_new(passkey, "This passkey is already added.")


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at))
    )


def remove_passkey(user: User, passkey_id: str, password: str) -> bool:
    """Remove one of the user's passkeys; False when they have none of that id. A therapist who
    must keep a second factor cannot remove the last one."""
    try:
        key = db.session.get(Passkey, uuid.UUID(passkey_id))
    except ValueError:
        key = None
    if key is None or key.user_id != user.id:
        return False
    if not passwords.verify_password(user.password_hash, password):
        raise InvalidInput(
            {"password": ["This is not your password."]}, "The password is not right; nothing changed."
        )
    db.session.delete(key)
    db.session.flush()
    if factors.required_for(user) and not factors.has_second_factor(user.id):
        db.session.rollback()
        raise Forbidden("The clinic asks every therapist to keep two-step sign-in on.")
    db.session.commit()
    return True


def passkey_login_options(user: User) -> dict[str, Any]:
    """The options for `navigator.credentials.get()` during a login waiting for its second step."""
    rp_id, _ = _relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=key.credential_id) for key in passkeys_of(user)],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    session[_LOGIN_CHALLENGE] = bytes_to_base64url(options.challenge)
    return _options(options)


def _use_passkey(user: User, credential: Any) -> bool:
    challenge = session.pop(_LOGIN_CHALLENGE, None)
    if challenge is None or not isinstance(credential, dict):
        return False
    try:
        credential_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
    except ValueError:
        return False
    key = db.session.scalar(
        select(Passkey).where(Passkey.user_id == user.id, Passkey.credential_id == credential_id)
    )
    if key is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=credential,
            **_expected(challenge),
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        return False
    key.sign_count = verified.new_sign_count
    key.last_used_at = utcnow()
    return True


# -- The login that waits for its second step ----------------------------------------------------


def begin_second_step(user: User, next_url: str | None = None) -> list[str]:
    """After the right password: the ways of the account's second step, or [] when it has none
    (the login goes on). With a second step, any login of this browser ends, and the session
    remembers for PENDING_LIFETIME whose login waits and where it was going."""
    ways = factors.methods(user.id)
    if not ways:
        return []
    csrf_token = session.get(_CSRF_KEY)  # the login page's token serves its second step too
    end_login_session()
    if csrf_token is not None:
        session[_CSRF_KEY] = csrf_token
    session[factors.PENDING_KEY] = {"user": str(user.id), "at": utcnow().timestamp(), "next": next_url}
    return ways


def pending_login() -> tuple[User | None, str | None]:
    """The user whose login waits for its second step (None when none, or too late), and where
    the login was going."""
    pending = session.get(factors.PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    if utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_LIFETIME.total_seconds():
        session.pop(factors.PENDING_KEY, None)
        return None, None
    try:
        user = db.session.get(User, uuid.UUID(str(pending.get("user"))))
    except ValueError:
        user = None
    return user, pending.get("next")


def finish_second_step(method: str, code: Any) -> User | None:
    """The waiting login's user when `code` is right for `method` (a code is used up), else None.
    The caller then logs them in."""
    user, _ = pending_login()
    if user is None:
        return None
    ok = False
    if method == factors.TOTP and isinstance(code, str):
        key = db.session.get(TotpKey, user.id)
        ok = key is not None and key.confirmed_at is not None and _use_totp(key, code)
    elif method == factors.RECOVERY_CODE and isinstance(code, str):
        ok = _use_recovery_code(user, code)
    elif method == factors.PASSKEY:
        ok = _use_passkey(user, code)
    if not ok:
        db.session.rollback()
        return None
    db.session.commit()
    session.pop(factors.PENDING_KEY, None)
    return user
