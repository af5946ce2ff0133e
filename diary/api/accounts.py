"""Accounts: register, login, logout, CSRF token, and the logged-in user (docs/api.md "Accounts")."""

from __future__ import annotations

from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from .. import operations
from ..errors import Conflict, problem
from ..ratelimits import login_limits, mark_login_failed, registration_limit
from ..access import rule
from ..schemas import (
    CsrfSchema,
    LoginSchema,
    PasswordChangeSchema,
    PasswordSchema,
    ProfileSchema,
    RegisterSchema,
    UserSchema,
    user_schema,
)
from . import bp
from .helpers import doc, json_body, load


@bp.post("/auth/register")
@rule("anyone")
@registration_limit
@doc("Create a patient account and log in", body=RegisterSchema,
     responses={201: UserSchema, 409: None, 422: None, 429: None}, who="anyone")
def register():
    data = load(RegisterSchema(), json_body())
    try:
        user = operations.create_user(data["email"], data["password"], data["display_name"],
                                      timezone=data["timezone"])
    except Conflict as error:
        return problem(409, "Email already registered", str(error))
    operations.start_login_session(user)
    login_user(user)
    return user_schema.dump(user), 201


@bp.post("/auth/login")
@rule("anyone")
@login_limits
@doc("Log in", body=LoginSchema, responses={200: UserSchema, 401: None, 429: None}, who="anyone")
def login():
    data = load(LoginSchema(), json_body())
    user = operations.authenticate(data["email"], data["password"])
    if user is None:
        mark_login_failed()
        return problem(401, "Wrong email or password", "The email or the password is not right.")
    operations.start_login_session(user)
    login_user(user)
    return user_schema.dump(user)


@bp.post("/auth/logout")
@rule("logged_in")
@doc("Log out; the session cookie stops working", responses={204: None})
def logout():
    operations.end_login_session()
    logout_user()
    return "", 204


@bp.get("/auth/csrf")
@rule("anyone")
@doc("The CSRF token to send as X-CSRFToken", responses={200: CsrfSchema}, who="anyone")
def csrf_token():
    return {"csrf_token": generate_csrf()}


@bp.get("/me")
@rule("logged_in")
@doc("The logged-in user", responses={200: UserSchema})
def me():
    return user_schema.dump(current_user)


@bp.patch("/me")
@rule("logged_in")
@doc("Change display name or time zone", body=ProfileSchema, responses={200: UserSchema, 422: None})
def update_me():
    changes = load(ProfileSchema(), json_body())
    return user_schema.dump(operations.update_profile(current_user, changes))


@bp.put("/me/password")
@rule("logged_in")
@doc("Change my password; every other login of mine ends", body=PasswordChangeSchema,
     responses={204: None, 422: None})
def change_password():
    data = load(PasswordChangeSchema(), json_body())
    operations.change_password(current_user, data["current_password"], data["new_password"])
    return "", 204


@bp.delete("/me")
@rule("patient")
@doc("Erase my account and all my diary data", body=PasswordSchema,
     responses={204: None, 403: None, 422: None}, who="patient")
def erase_me():
    data = load(PasswordSchema(), json_body())
    operations.erase_account(current_user, data["password"])
    logout_user()
    return "", 204
