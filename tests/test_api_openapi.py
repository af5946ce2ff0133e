"""GET /api/v1/openapi.json describes every /api/v1 route the app really serves, with its bodies."""

from __future__ import annotations

import re

import pytest

SPEC = "/api/v1/openapi.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

# The JSON bodies API.md names, by (method, OpenAPI path) -> component schema.
BODIES = {
    ("post", "/api/v1/auth/register"): "Register",
    ("post", "/api/v1/auth/login"): "Login",
    ("patch", "/api/v1/me"): "Profile",
    ("put", "/api/v1/patients/me/days/{day}"): "Day",
}


@pytest.fixture
def spec(api) -> dict:
    response = api.get(SPEC)  # anyone may read it
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def api_routes(app) -> list[tuple[str, str]]:
    """(method, OpenAPI path) of every /api/v1 rule in the URL map."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = CONVERTER.sub(r"{\1}", rule.rule)
            routes.extend((method.lower(), path) for method in rule.methods - IGNORED_METHODS)
    return sorted(routes)


def resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


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


def test_it_is_an_openapi_3_document(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"]


def test_every_api_route_and_method_is_described(app, spec):
    routes = api_routes(app)
    assert ("put", "/api/v1/patients/me/days/{day}") in routes  # the walk found the routes
    missing = [(m, p) for m, p in routes if m not in spec["paths"].get(p, {})]
    assert not missing, f"routes missing from openapi.json: {missing}"


def test_nothing_is_described_that_the_app_does_not_serve(app, spec):
    served = set(api_routes(app))
    described = {(method, path) for path, item in spec["paths"].items()
                 for method in item if method in {"get", "put", "post", "patch", "delete"}}
    assert described <= served, described - served


def test_every_path_parameter_is_declared(spec):
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in item.get("parameters") or [] if p["in"] == "path"}
        for method, operation in item.items():
            if isinstance(operation, dict):
                declared |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert names == declared, path


def test_every_operation_has_a_summary_and_responses(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), (method, path)
            assert operation.get("responses"), (method, path)


def test_every_reference_resolves(spec):
    refs = set(all_refs(spec))
    assert refs
    for ref in refs:
        resolve(spec, ref)


@pytest.mark.parametrize(("method", "path", "schema"),
                         [(m, p, s) for (m, p), s in BODIES.items()])
def test_request_bodies_reference_their_schemas(spec, method, path, schema):
    body = spec["paths"][path][method]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{schema}"
    assert resolve(spec, ref)["properties"]


def test_every_put_and_patch_takes_a_described_json_body(spec):
    for path, item in spec["paths"].items():
        for method in ("put", "patch"):
            if method in item:
                schema = item[method]["requestBody"]["content"]["application/json"]["schema"]
                assert "$ref" in schema, (method, path)


def test_changing_operations_document_the_csrf_header(spec):
    for path, item in spec["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method in item:
                headers = {p["name"] for p in item[method].get("parameters", [])
                           if p["in"] == "header"}
                assert "X-CSRFToken" in headers, (method, path)


def test_the_day_schema_carries_the_rules_of_api_md(spec):
    schemas = spec["components"]["schemas"]
    day, headache, medication = schemas["Day"], schemas["Headache"], schemas["Medication"]
    assert day["properties"]["headaches"]["maxItems"] == 12
    assert day["properties"]["medications"]["maxItems"] == 20
    assert day["properties"]["triggers"]["maxItems"] == 20
    assert day["properties"]["notes"]["maxLength"] == 2000
    assert (day["properties"]["soreness"]["minimum"], day["properties"]["soreness"]["maximum"]) \
        == (0, 10)
    assert day["properties"]["version"].get("readOnly") is True
    assert (headache["properties"]["intensity"]["minimum"],
            headache["properties"]["intensity"]["maximum"]) == (1, 10)
    assert "intensity" in headache["required"]
    assert set(headache["properties"]["type"]["enum"]) == {
        "tension", "migraine", "cluster", "sinus", "other", "unsure"}
    assert set(medication["properties"]["drug_class"]["enum"]) == {
        "non_opioid_analgesic", "triptan", "ergot", "opioid", "combination_analgesic", "other_acute", "other"}
    assert (medication["properties"]["doses"]["minimum"],
            medication["properties"]["doses"]["maximum"]) == (1, 20)
    for schema in (day, headache, medication):
        assert schema.get("additionalProperties") is False


def test_registration_has_no_role_to_choose(spec):
    register = spec["components"]["schemas"]["Register"]
    assert "role" not in register["properties"]
    assert register.get("additionalProperties") is False
    assert register["properties"]["password"].get("writeOnly") is True


def test_the_day_list_documents_its_range_parameters(spec):
    parameters = spec["paths"]["/api/v1/patients/{pid}/days"]["get"]["parameters"]
    assert {p["name"] for p in parameters if p["in"] == "query"} == {"from", "to"}


def test_error_answers_are_described_as_problem_json(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if int(status) >= 400 and "content" in response:
                    assert list(response["content"]) == ["application/problem+json"], \
                        (method, path, status)
