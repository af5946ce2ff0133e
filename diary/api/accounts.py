"""Accounts: register, login, logout, CSRF token, and the logged-in user (docs/api.md "Accounts")."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from .. import operations
from ..access import rule
from ..errors import Conflict, problem
from ..operations import second_factor
from ..ratelimits import login_limits, mark_login_failed, registration_limit
from ..schemas import accounts as schemas
from ..schemas.second_factor import SecondStepNeededSchema
from . import bp
from .helpers import no_content


@bp.post("/auth/register")
@rule("anyone")
@registration_limit
@bp.arguments(schemas.RegisterSchema)
@bp.response(201, schemas.UserSchema)
@bp.problems(403, 409, 429)
def register(data: dict):
    """Create a patient account and log in (with REGISTRATION=invite_only, through an invitation)"""
    try:
        user = operations.register_patient(**data)
    except Conflict as error:
        return problem(409, "Email already registered", str(error))
    return establish_login(user)


@bp.post("/auth/login")
@rule("anyone")
@login_limits
@bp.arguments(schemas.LoginSchema)
@bp.response(200, schemas.UserSchema)
@bp.alt_response(202, schema=SecondStepNeededSchema, description="Right password; a second step is due")
@bp.problems(401, 429)
def login(data: dict):
    """Log in; an account with two-step sign-in answers 202 and waits for the second step"""
    user = operations.authenticate(data["email"], data["password"])
    if user is None:
        mark_login_failed()
        return problem(401, "Wrong email or password", "The email or the password is not right.")
    if ways := second_factor.begin_second_step(user):
        return jsonify(SecondStepNeededSchema().dump({"second_factor": ways})), 202
    return establish_login(user)


def establish_login(user):
    """Log `user` in on this browser: after the password, or after its second step."""
    operations.start_login_session(user)
    login_user(user)
    return user


@bp.post("/auth/logout")
@rule("logged_in", second_factor_setup=True)
@bp.response(204)
def logout():
    """Log out; the session cookie stops working"""
    operations.end_login_session()
    logout_user()
    return no_content()


@bp.get("/auth/csrf")
@rule("anyone")
@bp.response(200, schemas.CsrfSchema)
def csrf_token():
    """The CSRF token to send as X-CSRFToken"""
    return {"csrf_token": generate_csrf()}


@bp.get("/me")
@rule("logged_in", second_factor_setup=True)
@bp.response(200, schemas.UserSchema)
def me():
    """The logged-in user"""
    return current_user


@bp.patch("/me")
@rule("logged_in", second_factor_setup=True)
@bp.arguments(schemas.ProfileSchema)
@bp.response(200, schemas.UserSchema)
def update_me(changes: dict):
    """Change display name or time zone"""
    return operations.update_profile(current_user, changes)


@bp.put("/me/password")
@rule("logged_in", second_factor_setup=True)
@bp.arguments(schemas.PasswordChangeSchema)
@bp.response(204)
def change_password(data: dict):
    """Change my password; every other login of mine ends"""
    operations.change_password(current_user, data["current_password"], data["new_password"])
    return no_content()


@bp.delete("/me")
@rule("patient")
@bp.arguments(schemas.PasswordSchema)
@bp.response(204)
@bp.problems(403)
def erase_me(data: dict):
    """Erase my account and all my diary data"""
    operations.erase_account(current_user, data["password"])
    logout_user()
    return no_content()
