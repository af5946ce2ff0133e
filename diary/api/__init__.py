"""The JSON API under /api/v1 (docs/api.md): one module per resource."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import accounts, charts, days, figures, health, openapi, redflags, sharing, treatment  # noqa: E402,F401  (routes register on import)
