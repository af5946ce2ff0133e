"""GET /api/v1/openapi.json: the OpenAPI 3 description, built from the routes and their schemas."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from ..schemas import ProblemSchema
from . import bp
from ..access import rule
from .helpers import doc

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
_STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 401: "Not logged in",
                403: "Not allowed", 404: "Not found or not visible", 409: "Conflict",
                412: "Stale If-Match; body has the current record", 413: "Body too large",
                422: "Invalid field values", 429: "Too many attempts"}


def _operation(view, method: str) -> dict:
    note = getattr(view, "openapi", None) or {"summary": view.__name__, "responses": {}}
    responses: dict = {}
    for status, schema in sorted(note["responses"].items()):
        entry: dict = {"description": _STATUS_TEXT.get(status, "")}
        if status >= 400:
            entry["content"] = {"application/problem+json": {"schema": ProblemSchema}}
        elif schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        responses[str(status)] = entry
    if note.get("who") != "anyone":
        responses.setdefault("401", {"description": _STATUS_TEXT[401], "content": {
            "application/problem+json": {"schema": ProblemSchema}}})
    operation: dict = {"summary": note["summary"], "description": f"Who: {note.get('who')}.",
                       "responses": responses}
    if note.get("body"):
        operation["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": note["body"]}}}
    if note.get("query"):
        operation["parameters"] = [{"in": "query", "schema": note["query"]}]
    if method in ("post", "put", "patch", "delete"):
        operation.setdefault("parameters", []).append(
            {"in": "header", "name": "X-CSRFToken", "required": True, "schema": {"type": "string"}})
    return operation


def build_spec(app) -> dict:
    """The description of every /api/v1 route in the app's URL map."""
    spec = APISpec(title="Headache diary API", version="1", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "See docs/api.md. Errors are application/problem+json."})
    paths: dict[str, dict] = {}
    for url_rule in app.url_map.iter_rules():
        if not url_rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[url_rule.endpoint]
        path = _CONVERTER.sub(r"{\1}", url_rule.rule)
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method.lower())
    for path, operations in sorted(paths.items()):
        parameters = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                      for name in re.findall(r"{([a-z_]+)}", path)]
        spec.path(path=path, operations=operations, parameters=parameters or None)
    return spec.to_dict()


@bp.get("/openapi.json")
@rule("anyone")
@doc("This OpenAPI description", responses={200: None}, who="anyone")
def openapi_json():
    return build_spec(current_app)
