"""GET /api/v1/openapi.json: the document flask-smorest builds from the routes' own decorators
(diary/api/declare.py) describes every /api/v1 route the app serves, no more; who may call each;
and the bodies and queries the views really validate (it cannot drift from them)."""

from __future__ import annotations

import re

import pytest

from diary.access import RULES
from diary.extensions import db
from diary.models import TreatmentSession

from . import clock
from .clinical.facts import DRUG_CLASSES
from .factories import link

SPEC = "/api/v1/openapi.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
CHANGES = {"post", "put", "patch", "delete"}
CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

# The JSON bodies docs/api.md names, by (method, OpenAPI path) -> component schema.
BODIES = {
    ("post", "/api/v1/auth/register"): "Register",
    ("post", "/api/v1/auth/login"): "Login",
    ("patch", "/api/v1/me"): "Profile",
    ("put", "/api/v1/patients/me/days/{day}"): "Day",
    ("patch", "/api/v1/patients/{pid}/sessions/{sid}"): "SessionBodyPatch",
}


@pytest.fixture
def spec(api) -> dict:
    response = api.get(SPEC)  # anyone may read it
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]


def api_routes(app) -> list[tuple[str, str]]:
    """(method, OpenAPI path) of every /api/v1 rule in the URL map."""
    routes = []
    for rule in api_rules(app):
        path = CONVERTER.sub(r"{\1}", rule.rule)
        routes.extend((method.lower(), path) for method in rule.methods - IGNORED_METHODS)
    return sorted(routes)


def operations(spec: dict):
    """(method, path, operation) of every operation in the document."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method, path, operation


def resolve(spec: dict, node: dict) -> dict:
    """`node`, or what its $ref points to."""
    if "$ref" not in node:
        return node
    ref = node["$ref"]
    assert ref.startswith("#/"), ref
    for part in ref[2:].split("/"):
        assert part in spec, f"{ref} does not resolve"
        spec = spec[part]
    return spec


def all_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from all_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_refs(item)


def body_schema(spec: dict, operation: dict) -> dict | None:
    body = operation.get("requestBody")
    if not body:
        return None
    schema = body["content"]["application/json"]["schema"]
    # A file (the import's JSON export or CSV ZIP) is read as a file, not loaded by a schema.
    return resolve(spec, schema) if "$ref" in schema else None


def query_names(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


# -- The document ---------------------------------------------------------------------------


def test_it_is_an_openapi_3_document(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"]


def test_every_operation_has_a_summary_and_responses(spec):
    for method, path, operation in operations(spec):
        assert operation.get("summary"), (method, path)
        assert operation.get("responses"), (method, path)


def test_every_reference_resolves(spec):
    refs = set(all_refs(spec))
    assert refs
    for ref in refs:
        resolve(spec, {"$ref": ref})


def test_every_path_parameter_is_declared(spec):
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in item.get("parameters") or [] if p["in"] == "path"}
        for operation in item.values():
            if isinstance(operation, dict):
                declared |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert names == declared, path


def test_a_day_in_the_address_is_a_date(spec):
    item = spec["paths"]["/api/v1/patients/me/days/{day}"]
    (day,) = [p for p in item["parameters"] if p["name"] == "day"]
    assert day["schema"] == {"type": "string", "format": "date"}


def test_error_answers_are_described_as_problem_json(spec):
    problem = "#/components/schemas/Problem"
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                content = resolve(spec, response)["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
                schema = content["application/problem+json"]["schema"]
                # An error may carry members of its own besides Problem's (the import's 422: its
                # counts and the file's rows), never fewer.
                assert schema == {"$ref": problem} or set(resolve(spec, schema)["properties"]) >= set(
                    resolve(spec, {"$ref": problem})["properties"]
                ), (method, path, status)
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }


def test_changing_operations_document_the_csrf_header(spec):
    for method, path, operation in operations(spec):
        if method in CHANGES:
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert "X-CSRFToken" in headers, (method, path)


# -- Cannot drift: the routes -----------------------------------------------------------------


def test_every_api_route_and_method_is_described(app, spec):
    routes = api_routes(app)
    assert ("put", "/api/v1/patients/me/days/{day}") in routes  # the walk found the routes
    missing = [(m, p) for m, p in routes if m not in spec["paths"].get(p, {})]
    assert not missing, f"routes missing from openapi.json: {missing}"


def served_at_my_address(routes) -> set[tuple[str, str]]:
    """What a `{pid}` route serves at the patient's own address when that address is a path of
    its own (`/patients/me/days/{day}`): the document lists it there too."""
    paths = {path for _, path in routes}
    return {
        (method, path.replace("{pid}", "me"))
        for method, path in routes
        if "{pid}" in path and path.replace("{pid}", "me") in paths
    }


def test_nothing_is_described_that_the_app_does_not_serve(app, spec):
    served = set(api_routes(app))
    served |= served_at_my_address(served)
    described = {(method, path) for method, path, _ in operations(spec)}
    assert described == served, described ^ served


def test_the_patients_own_day_lists_every_method_its_address_answers(as_user, patient, spec):
    """/patients/me/days/{day} and /patients/{pid}/days/{day} both match .../me/days/...; each
    path lists every method that address answers (its Allow header)."""
    client = as_user(patient)
    allow = client.request("OPTIONS", "/api/v1/patients/me/days/2026-03-01").headers["Allow"]
    documented = set(spec["paths"]["/api/v1/patients/me/days/{day}"]) - {"parameters"}
    assert {m.lower() for m in allow.split(", ")} - {"head", "options"} == documented
    assert client.get("/api/v1/patients/me/days/2026-03-01").status_code == 404  # served (no record)


def test_who_may_call_each_route_is_its_access_rule(app, spec):
    cookie = spec["components"]["securitySchemes"]["login_cookie"]
    assert cookie == {
        "type": "apiKey",
        "in": "cookie",
        "name": app.config["SESSION_COOKIE_NAME"],
        "description": cookie["description"],
    }
    for rule in api_rules(app):
        name = app.view_functions[rule.endpoint].access_rule
        for method in rule.methods - IGNORED_METHODS:
            operation = spec["paths"][CONVERTER.sub(r"{\1}", rule.rule)][method.lower()]
            assert operation["description"] == f"Who: {RULES[name]}.", rule.rule
            if name == "anyone":  # its 401, if any, is its own (a wrong password)
                assert operation["security"] == [], rule.rule
            else:
                assert operation["security"] == [{"login_cookie": []}], rule.rule
                assert "401" in operation["responses"], rule.rule


def test_a_route_that_validates_documents_its_422(spec):
    for method, path, operation in operations(spec):
        if "requestBody" in operation or query_names(operation):
            assert "422" in operation["responses"], (method, path)


# -- Cannot drift: bodies and queries, tried against the views ---------------------------------


@pytest.fixture
def callers(as_user, patient, therapist):
    """Who calls each route (the patient for their own, a linked therapist for the therapist's),
    and the values of the address."""
    link(patient, therapist)
    session = TreatmentSession(
        patient_id=patient.id,
        therapist_id=therapist.id,
        date=clock.today(patient),
        techniques=["dry_needling"],
    )
    db.session.add(session)
    db.session.commit()
    values = {"day": clock.today(patient).isoformat(), "sid": str(session.id), "link_id": "x", "token": "x"}
    values["passkey_id"] = "00000000-0000-4000-8000-000000000000"  # none: the body is checked first
    as_patient, as_therapist = as_user(patient), as_user(therapist)

    def call(rule: str, method: str, path: str, **kwargs):
        therapists = rule in ("therapist", "linked_therapist", "session_author")
        address = {**values, "pid": str(patient.id) if therapists else "me"}
        client = as_therapist if therapists else as_patient
        return client.request(method.upper(), path.format(**address), **kwargs)

    return call


def _rule_of(app, method: str, path: str) -> str:
    (rule,) = [
        r for r in api_rules(app) if CONVERTER.sub(r"{\1}", r.rule) == path and method.upper() in r.methods
    ]
    return app.view_functions[rule.endpoint].access_rule


def test_every_documented_body_is_the_one_the_view_validates(app, spec, callers):
    """Each documented property is a field the view reads (never "Unknown field"), a property
    not in the document is refused, and each documented required one is required."""
    checked = []
    for method, path, operation in operations(spec):
        schema = body_schema(spec, operation)
        if schema is None:
            continue
        writable = {name for name, prop in schema["properties"].items() if not prop.get("readOnly")}
        body = {name: {"not": ["a value"]} for name in writable} | {"undocumented": 1}
        response = callers(_rule_of(app, method, path), method, path, json=body)
        assert response.status_code == 422, (method, path, response.get_json())
        errors = response.get_json()["errors"]
        assert errors.get("undocumented") == ["Unknown field."], (method, path, errors)
        unknown = [name for name in writable if errors.get(name) == ["Unknown field."]]
        assert not unknown, (method, path, unknown)
        for name in schema.get("required", []):
            missing = callers(_rule_of(app, method, path), method, path, json={})
            assert name in missing.get_json()["errors"], (method, path, name)
        checked.append((method, path))
    assert set(BODIES) <= set(checked)


def test_every_documented_query_parameter_is_the_one_the_view_validates(app, spec, callers):
    """A value that is no date (month, number) in each documented query parameter is a 422 on
    that parameter: the view validates with the schema the document shows."""
    checked = []
    for method, path, operation in operations(spec):
        for name in query_names(operation):
            response = callers(_rule_of(app, method, path), method, path, query_string={name: "not-a-value"})
            assert response.status_code == 422, (method, path, name, response.get_data(as_text=True))
            assert name in response.get_json()["errors"], (method, path, name)
            checked.append((path, name))
    assert ("/api/v1/patients/{pid}/days", "from") in checked
    assert ("/api/v1/patients/{pid}/months", "to") in checked
    assert ("/api/v1/patients/{pid}/charts/soreness", "window") in checked


# -- What docs/api.md says, in the document --------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "schema"), [(m, p, s) for (m, p), s in BODIES.items()])
def test_request_bodies_reference_their_schemas(spec, method, path, schema):
    body = spec["paths"][path][method]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{schema}"
    assert resolve(spec, {"$ref": ref})["properties"]


def test_every_put_and_patch_takes_a_described_json_body(spec):
    for method, path, operation in operations(spec):
        if method in ("put", "patch"):
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (method, path)


def test_the_day_schema_carries_the_rules_of_api_md(spec):
    schemas = spec["components"]["schemas"]
    day, headache, medication = schemas["Day"], schemas["Headache"], schemas["Medication"]
    assert day["properties"]["headaches"]["maxItems"] == 12
    assert day["properties"]["medications"]["maxItems"] == 20
    assert day["properties"]["triggers"]["maxItems"] == 20
    assert day["properties"]["notes"]["maxLength"] == 2000
    assert (day["properties"]["soreness"]["minimum"], day["properties"]["soreness"]["maximum"]) == (0, 10)
    assert day["properties"]["version"].get("readOnly") is True
    assert (
        headache["properties"]["intensity"]["minimum"],
        headache["properties"]["intensity"]["maximum"],
    ) == (1, 10)
    assert "intensity" in headache["required"]
    assert set(headache["properties"]["type"]["enum"]) == {
        "tension",
        "migraine",
        "cluster",
        "sinus",
        "other",
        "unsure",
    }
    assert set(medication["properties"]["drug_class"]["enum"]) == set(DRUG_CLASSES)
    assert (medication["properties"]["doses"]["minimum"], medication["properties"]["doses"]["maximum"]) == (
        1,
        20,
    )
    for schema in (day, headache, medication):
        assert schema.get("additionalProperties") is False


def test_a_session_patch_requires_nothing_and_a_post_its_date(spec):
    schemas = spec["components"]["schemas"]
    assert "required" not in schemas["SessionBodyPatch"]
    assert {"date", "techniques"} <= set(schemas["SessionBody"]["required"])


def test_registration_has_no_role_to_choose(spec):
    register = spec["components"]["schemas"]["Register"]
    assert "role" not in register["properties"]
    assert register.get("additionalProperties") is False
    assert register["properties"]["password"].get("writeOnly") is True


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/patients/{pid}/days", {"from", "to"}),
        ("/api/v1/patients/{pid}/months", {"from", "to"}),
        ("/api/v1/patients/{pid}/sessions/effects", {"window"}),
        ("/api/v1/patients/{pid}/charts/soreness", {"from", "to", "window"}),
    ],
)
def test_ranges_document_their_parameters(spec, path, names):
    assert query_names(spec["paths"][path]["get"]) == names


# -- Every answer the server can give is documented (issue 10, finding 9) ----------------------


def test_every_operation_documents_the_errors_its_rule_and_method_can_answer(app, spec):
    forbidding = {"patient", "therapist", "linked_therapist", "session_author"}
    for rule in api_rules(app):
        name = app.view_functions[rule.endpoint].access_rule
        for method in rule.methods - IGNORED_METHODS:
            path = CONVERTER.sub(r"{\1}", rule.rule)
            operation = spec["paths"][path][method.lower()]
            documented = set(operation["responses"])
            expected = set()
            if method.lower() in CHANGES:
                expected.add("400")  # the CSRF token
            if "requestBody" in operation:
                expected |= {"413", "415", "422"}
            if query_names(operation):
                expected.add("422")
            if name != "anyone":
                expected.add("401")
            if name in forbidding:
                expected.add("403")
            if rule.arguments:
                expected.add("404")
            assert expected <= documented, (method, path, expected - documented)


def test_a_patient_gets_the_documented_403_on_a_therapists_route(as_user, patient, spec):
    assert "403" in spec["paths"]["/api/v1/patients"]["get"]["responses"]
    response = as_user(patient).get("/api/v1/patients")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_a_day_that_is_not_on_the_calendar_is_a_documented_404(as_user, patient, spec):
    assert "404" in spec["paths"]["/api/v1/patients/{pid}/days/{day}"]["get"]["responses"]
    response = as_user(patient).get("/api/v1/patients/me/days/2026-02-30")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_session_address_is_a_uuid_so_the_effects_are_not_a_session(as_user, patient, spec):
    sid = spec["paths"]["/api/v1/patients/{pid}/sessions/{sid}"]["parameters"]
    assert [p["schema"] for p in sid if p["name"] == "sid"] == [{"type": "string", "format": "uuid"}]
    client = as_user(patient)
    options = client.request("OPTIONS", "/api/v1/patients/me/sessions/effects")
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert client.get("/api/v1/patients/me/sessions/effects").status_code == 200


@pytest.mark.parametrize(
    ("path", "first", "last"),
    [
        ("/api/v1/patients/{pid}/days", "2026-03-02", "2026-03-01"),
        ("/api/v1/patients/{pid}/months", "2026-03", "2026-02"),
    ],
)
def test_a_range_documents_that_from_comes_first_and_a_reversed_one_is_a_422(
    as_user, patient, spec, path, first, last
):
    parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
    assert "on or before `to`" in parameters["from"]["description"]
    assert "on or after `from`" in parameters["to"]["description"]
    response = as_user(patient).get(path.format(pid="me"), query_string={"from": first, "to": last})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"from": ["`from` is after `to`."]}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/v1/me", {"display_name": "Sam"}),
        ("PUT", "/api/v1/patients/me/days/2026-03-01", {}),
        ("POST", "/api/v1/auth/logout", None),
    ],
)
def test_a_change_without_a_login_is_a_401_whatever_its_csrf_token(api, method, path, body):
    """Log in first: a 401, not the 400 of a CSRF token that belongs to no login."""
    for headers in ({}, {"X-CSRFToken": "not-a-token"}):
        response = api.request(method, path, json=body, headers=headers, csrf=False)
        assert response.status_code == 401, (headers, response.get_json())
        assert response.mimetype == "application/problem+json"


def test_login_and_registration_still_check_the_csrf_token(api):
    response = api.request(
        "POST", "/api/v1/auth/login", json={"email": "a@b.test", "password": "x"}, csrf=False
    )
    assert response.status_code == 400
    assert response.get_json()["title"] == "Missing or invalid CSRF token"
