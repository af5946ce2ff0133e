"""Two-step sign-in (docs/second-factor.md): the authenticator app (TOTP), recovery codes,
passkeys, and the second step of a login. A therapist who must set one up first reaches these
routes (`second_factor_setup`, diary/access.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user
from marshmallow import Schema

from ..access import rule
from ..errors import problem
from ..operations import second_factor as operations
from ..ratelimits import mark_login_failed, second_step_limits
from ..schemas import PasswordSchema, UserSchema
from ..schemas.second_factor import (
    CodeSchema,
    CredentialSchema,
    PasskeyBodySchema,
    PasskeyListSchema,
    PasskeySchema,
    RecoveryCodesSchema,
    SecondStepSchema,
    TotpKeySchema,
    WebAuthnOptionsSchema,
)
from ..second_factor import PASSKEY
from . import bp
from .accounts import establish_login
from .declare import stacked
from .helpers import no_content


def setup_route(method: str, path: str) -> Callable:
    """A route of setting two-step sign-in up: any logged-in user may call it, a therapist who
    must set it up first too (`second_factor_setup`, diary/access.py)."""
    return stacked(bp.route(path, methods=[method]), rule("logged_in", second_factor_setup=True))


@setup_route("POST", "/me/mfa/totp")
@bp.response(201, TotpKeySchema)
@bp.problems(409)
def start_totp():
    """A new authenticator-app key, pending until a code from it is confirmed"""
    secret, uri = operations.start_totp(current_user)
    return {"secret": secret, "otpauth_uri": uri}


@setup_route("POST", "/me/mfa/totp/confirm")
@bp.arguments(CodeSchema)
@bp.response(200, RecoveryCodesSchema)
@bp.problems(409)
def confirm_totp(data: dict):
    """Turn two-step sign-in on with a code from the app; the ten recovery codes, shown once"""
    return {"recovery_codes": operations.confirm_totp(current_user, data["code"])}


@setup_route("DELETE", "/me/mfa/totp")
@bp.arguments(PasswordSchema)
@bp.response(204)
@bp.problems(403)
def turn_off_totp(data: dict):
    """Remove the authenticator-app key and the recovery codes (not while the clinic requires it)"""
    operations.turn_off_totp(current_user, data["password"])
    return no_content()


@setup_route("POST", "/me/mfa/passkeys/options")
@bp.response(200, WebAuthnOptionsSchema)
def passkey_registration_options():
    """Options for navigator.credentials.create(); the next POST /me/mfa/passkeys answers them"""
    return operations.passkey_registration_options(current_user)


@setup_route("POST", "/me/mfa/passkeys")
@bp.arguments(PasskeyBodySchema)
@bp.response(201, PasskeySchema)
@bp.problems(409)
def add_passkey(data: dict):
    """Add the passkey the browser made as a second factor"""
    return operations.add_passkey(current_user, data["credential"], data["name"])


@setup_route("GET", "/me/mfa/passkeys")
@bp.response(200, PasskeyListSchema)
def list_passkeys():
    """My passkeys"""
    return {"passkeys": operations.passkeys_of(current_user)}


@setup_route("DELETE", "/me/mfa/passkeys/<uuid_text:passkey_id>")
@bp.arguments(PasswordSchema)
@bp.response(204)
@bp.problems(403, 404)
def remove_passkey(data: dict, passkey_id: str):
    """Remove one of my passkeys (not a therapist's last second factor while it is required)"""
    if not operations.remove_passkey(current_user, passkey_id, data["password"]):
        return problem(404, "Not Found", "There is nothing here.")
    return no_content()


def _second_step(method: str, code):
    """Log in the waiting login's user when the code is right; else 401, counted as a failure."""
    user = operations.finish_second_step(method, code)
    if user is None:
        mark_login_failed()
        return problem(401, "Wrong code", "That code is not right, or the login took too long. Try again.")
    return establish_login(user)


def second_step_route(path: str, body: type[Schema]) -> Callable:
    """A route that finishes a login waiting for its second step, with what `body` holds:
    anyone may call it, as often as second_step_limits allows; it answers the user, or 401."""
    return stacked(
        bp.post(path),
        rule("anyone"),
        second_step_limits,
        bp.arguments(body),
        bp.response(200, UserSchema),
        bp.problems(401, 429),
    )


@second_step_route("/auth/login/second-factor", SecondStepSchema)
def login_second_factor(data: dict):
    """The second step of a login that answered 202: a code from the app, or a recovery code"""
    return _second_step(data["method"], data["code"])


@bp.post("/auth/login/passkey/options")
@rule("anyone")
@bp.response(200, WebAuthnOptionsSchema)
@bp.problems(401)
def passkey_login_options():
    """Options for navigator.credentials.get(), for a login that answered 202"""
    user, _ = operations.pending_login()
    if user is None:
        return problem(401, "Not logged in", "Log in with your email and password first.")
    return operations.passkey_login_options(user)


@second_step_route("/auth/login/passkey", CredentialSchema)
def login_passkey(data: dict):
    """The second step of a login that answered 202, with a passkey"""
    return _second_step(PASSKEY, data["credential"])
