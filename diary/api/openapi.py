"""GET /api/v1/openapi.json: the OpenAPI 3 description flask-smorest builds from the routes'
own decorators (declare.py), with each route's access rule."""

from __future__ import annotations

from ..access import rule
from . import bp
from .declare import current_spec


@bp.get("/openapi.json")
@rule("anyone")
@bp.response(200, description="This OpenAPI description")
def openapi_json():
    """This OpenAPI description"""
    return current_spec()
