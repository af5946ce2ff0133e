"""The basic path end to end: register, log a day, read it back."""

from .factories import day_body


def test_register_log_and_read_a_day(api, backend):
    response = api.post(
        "/api/v1/auth/register",
        json={"email": "Jo@Example.test", "password": "amber-violin-orchard-47", "display_name": "Jo"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["email"] == "jo@example.test"
    api._csrf = None
    response = api.put("/api/v1/patients/me/days/2026-11-20", json=day_body())
    assert response.status_code in (201, 422), response.get_json()
