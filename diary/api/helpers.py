"""What every API view needs: JSON bodies, ETags, role checks and OpenAPI notes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import InvalidInput
from ..operations import NEW_DAY
from ..schemas import flatten_errors
from ..versions import parse_version


def json_body() -> Any:
    """The request's JSON; 415 when it is not JSON, 400 when it does not parse."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        # Not silent=True: it answers None for both a broken body and a JSON `null`, and `null`
        # parses fine (it is a 422 "send an object", not a 400).
        return request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nested deeper than Python parses
        raise BadRequest("The body is not valid JSON.") from None


def load(schema: Schema, data: Any, **kwargs) -> Any:
    """Validate with a schema; every broken rule becomes a 422 with a message per field."""
    if not isinstance(data, dict):
        raise InvalidInput({"_schema": ["Send a JSON object."]})
    try:
        return schema.load(data, **kwargs)
    except ValidationError as error:
        raise InvalidInput(flatten_errors(error.messages)) from None


def etag(version: int) -> str:
    return f'"{version}"'


def if_match() -> int | None:
    """The version a write is based on: If-Match's version (-1 when it names none), NEW_DAY for
    `If-None-Match: *` (based on no record), None when the client states nothing."""
    if request.headers.get("If-None-Match", "").strip() == "*":
        return NEW_DAY
    value = request.headers.get("If-Match")
    if value is None or value.strip() == "*":
        return None
    value = value.strip().removeprefix("W/").strip('"')
    return -1 if (version := parse_version(value)) is None else version


def doc(summary: str, *, body: type[Schema] | None = None, query: type[Schema] | None = None,
        responses: dict[int, type[Schema] | None] | None = None, who: str = "logged in") -> Callable:
    """Note what a route takes and gives, for the generated OpenAPI description."""
    def decorator(view):
        view.openapi = {"summary": summary, "body": body, "query": query,
                        "responses": responses or {}, "who": who}
        return view
    return decorator
