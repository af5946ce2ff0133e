"""What API views share: the JSON body, ETags and preconditions, the empty answer, the 404."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from flask import Response, current_app, request
from werkzeug.exceptions import BadRequest, NotFound, UnsupportedMediaType

from ..operations import NEW_DAY
from ..versions import parse_version

T = TypeVar("T")


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


def no_content() -> Response:
    """204, with no body."""
    return current_app.response_class(status=204)


def json_answer(value: Any) -> Response:
    """200 with `value` (already in its JSON shape: plain dicts, lists, strings, numbers)
    serialised by orjson: for the long answers (a chart, a day list) that skip the schema's dump."""
    return current_app.response_class(orjson.dumps(value), mimetype="application/json")


def found(value: T | None, detail: str | None = None) -> T:
    """`value`, or 404 (`detail` says why) when there is none."""
    if value is None:
        raise NotFound(detail)
    return value


def done(changed: bool, detail: str | None = None) -> Response:
    """204 when the change was made, or 404 (`detail` says why) when there was nothing to change."""
    if not changed:
        raise NotFound(detail)
    return no_content()
