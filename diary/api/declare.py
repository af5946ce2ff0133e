"""How an API route is declared: flask-smorest validates, serialises and documents from the same
decorators (docs/api.md "How the API is declared").

- `Blueprint` is flask-smorest's, with our argument parser: a body must be JSON (415) that parses
  (400) into an object, and every broken rule is InvalidInput, diary/errors.py's 422 problem+json
  with a message per field.
- `Api` leaves errors to diary/errors.py (flask-smorest would answer every HTTPException of the
  app, pages included, in its own JSON) and documents them as problem+json.
- `AccessPlugin` writes each route's access rule (diary/access.py) into the document: who may
  call it, the login cookie it needs, the X-CSRFToken header of a change, and every error the
  rule and the method can answer (`statuses`).
- `<uuid_text:name>` in a URL is a UUID (else the rule does not match), kept as text.
"""

from __future__ import annotations

import functools
import http
from collections.abc import Callable
from typing import Any

import flask_smorest
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, current_app, request
from flask_login import current_user
from webargs.flaskparser import FlaskParser
from werkzeug.routing import UUIDConverter

from ..access import RULES, rule
from ..errors import InvalidInput
from ..schemas import ProblemSchema, flatten_errors
from .helpers import json_body

CHANGES = frozenset({"post", "put", "patch", "delete"})
COOKIE = "login_cookie"
# The rules under which a logged-in user of the wrong kind gets 403 (diary/access.py): the
# other role, or a patient changing a session, or another therapist's session.
FORBIDDING_RULES = frozenset({"patient", "therapist", "linked_therapist", "session_author"})


class UuidText(UUIDConverter):
    """`<uuid_text:sid>`: matches a UUID only, so `/sessions/effects` is not a session; the
    view gets the text (diary/access.py parses it)."""

    def to_python(self, value: str) -> str:
        return value


def statuses(
    rule_name: str, method: str, operation: dict, path_parameters: bool, gated: bool = False
) -> list[int]:
    """The errors the server can answer to an operation, whatever its view does besides:
    400 (a missing CSRF token, a body that does not parse), 413 and 415 for a body, 401 unless
    anyone may call it, 403 where the rule refuses a kind of user or a therapist has yet to set
    up two-step sign-in (`gated`, diary/access.py), 404 when the address names
    something (a patient, a session, a day that is not on the calendar), 422 for any input."""
    found = []
    if method in CHANGES:
        found.append(400)
    if "requestBody" in operation:
        found += [413, 415]
    if rule_name != "anyone":
        found.append(401)
    if rule_name in FORBIDDING_RULES or gated:
        found.append(403)
    if path_parameters:
        found.append(404)
    if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
        found.append(422)
    return found


class Parser(FlaskParser):
    """webargs' parser, answering in the API's words."""

    def load_json(self, req, schema) -> Any:
        data = json_body()
        if not isinstance(data, dict):
            raise InvalidInput({"_schema": ["Send a JSON object."]})
        return data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        (messages,) = error.messages.values()  # webargs files them under the location
        raise InvalidInput(flatten_errors(messages)) from None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def problems(self, *statuses: int):
        """Document the problem+json answers only the view gives (409, 412, 429...): those of
        the access rule, the address and `arguments` (401, 403, 404, 422) come from `statuses`."""
        return self.doc(responses={status: http.HTTPStatus(status).name for status in statuses})

    def over_a_range(self, path: str, what: str, query, answer) -> Callable:
        """A read of one patient's records from `from` to `to` (a schemas.range_query schema),
        for the patient or a linked therapist (the read logged as `what`), in one declaration:
        the view is called with the patient and the first and last of the range, resolved
        against the patient's today."""

        def decorate(view: Callable) -> Callable:
            @functools.wraps(view)
            def resolved(params: dict, patient):
                return view(patient, *query.resolve(params, patient.today()))

            return stacked(
                self.get(path),
                rule("patient_or_linked_therapist", what),
                self.arguments(query, location="query"),
                self.response(200, answer),
            )(resolved)

        return decorate


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each route names its errors

    def _register_error_handlers(self) -> None:
        """None: diary/errors.py answers every error, API and pages alike."""

    def _register_pagination_header(self) -> None:
        """None: no route pages its answer (it would add an unused PaginationMetadata schema)."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            if status >= 400:
                self.spec.components.response(
                    status.name,
                    {
                        "description": status.phrase,
                        "content": {"application/problem+json": {"schema": self.ERROR_SCHEMA}},
                    },
                    lazy=True,
                )


class AccessPlugin(BasePlugin):
    """Each operation's access rule, from the view's `@rule`."""

    def __init__(self, app: Flask):
        super().__init__()
        self.app = app

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        spec.components.security_scheme(
            COOKIE,
            {
                "type": "apiKey",
                "in": "cookie",
                "name": self.app.config["SESSION_COOKIE_NAME"],
                "description": "The login session: POST /auth/login sets it.",
            },
        )

    def operation_helper(self, path=None, operations=None, *, rule=None, **kwargs) -> None:
        view = self.app.view_functions[rule.endpoint]
        name = view.access_rule
        for method, operation in operations.items():
            operation["description"] = f"Who: {RULES[name]}."
            operation["security"] = [] if name == "anyone" else [{COOKIE: []}]
            responses = operation.setdefault("responses", {})
            gated = view.second_factor_gated
            for status in statuses(name, method, operation, bool(rule.arguments), gated):
                responses.setdefault(str(status), http.HTTPStatus(status).name)
            if method in CHANGES:
                operation.setdefault("parameters", []).append(
                    {
                        "in": "header",
                        "name": "X-CSRFToken",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "The token of GET /auth/csrf (docs/api.md).",
                    }
                )


def stacked(*decorators: Callable) -> Callable:
    """One decorator made of several, as if written one above the other over the view (the first
    outermost): for a stack that several routes share."""

    def decorate(view: Callable) -> Callable:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


def schema_name(schema) -> str:
    """A schema's name in the document: DaySchema is Day, a PATCH's partial one DayPatch."""
    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")
    return name + "Patch" if getattr(schema, "partial", False) else name


def _login_before_csrf():
    """401 for a change to the API by someone not logged in, when its route needs a login: the
    caller must log in first, whatever its CSRF token (which would otherwise answer 400)."""
    if request.blueprint != "api" or request.method.lower() not in CHANGES or request.endpoint is None:
        return None
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "access_rule", "anyone") != "anyone" and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


def _check_login_before_csrf(app: Flask) -> None:
    hooks = app.before_request_funcs.setdefault(None, [])
    (csrf,) = [i for i, hook in enumerate(hooks) if hook.__name__ == "csrf_protect"]  # flask-wtf's
    hooks.insert(csrf, _login_before_csrf)


def init_api(app: Flask, blueprint: Blueprint) -> Api:
    """Register the blueprint's routes and their OpenAPI description."""
    api = Api(
        app,
        spec_kwargs={
            "title": "Headache diary API",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": "See docs/api.md. Errors are application/problem+json."},
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "extra_plugins": [AccessPlugin(app)],
        },
    )
    app.url_map.converters["uuid_text"] = UuidText
    api.register_converter(
        app.url_map.converters["day"], lambda converter: {"type": "string", "format": "date"}
    )
    api.register_converter(UuidText, lambda converter: {"type": "string", "format": "uuid"})
    api.register_blueprint(blueprint)
    _check_login_before_csrf(app)
    return api


def current_spec() -> dict:
    """The OpenAPI document of the running app, where an address of the patient's own
    (`/patients/me/days/{day}`) also lists what its `{pid}` form serves there (GET): both
    paths match the same address, so each lists every method that address answers."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    paths = spec["paths"]
    for path, item in list(paths.items()):
        mine = paths.get(path.replace("{pid}", "me"))
        if "{pid}" not in path or mine is None:
            continue
        for method, operation in item.items():
            if method != "parameters" and method not in mine:
                mine[method] = {
                    **operation,
                    "parameters": [p for p in operation.get("parameters", []) if p["name"] != "pid"],
                }
    return spec
