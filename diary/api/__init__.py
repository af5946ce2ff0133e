"""The JSON API under /api/v1 (docs/api.md): one module per resource, declared with flask-smorest
(declare.py), so what a route validates, answers and documents comes from the same decorators."""

from flask import Flask

from .declare import Blueprint, init_api

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import accounts, charts, days, figures, health, openapi, redflags, sharing, treatment  # noqa: E402,F401  (routes register on import)

from . import reminders  # noqa: E402,F401  # isort: skip

from . import data  # noqa: E402,F401  # isort: skip  (export and import)
from . import logins  # noqa: E402,F401  # isort: skip  (password reset, devices)
from . import invitations  # noqa: E402,F401  # isort: skip  (a therapist invites a patient)
from . import second_factor  # noqa: E402,F401  # isort: skip  (two-step sign-in)


def register_api(app: Flask) -> None:
    """The API's routes and their OpenAPI description, on the app."""
    init_api(app, bp)
