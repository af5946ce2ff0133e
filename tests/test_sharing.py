"""Share codes and links: one use, 72 hours, hashed, rate limited, revoked at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from diary.extensions import db
from diary.models import ShareCode, TherapistLink

from . import clock
from .factories import ApiClient

CODE_SHAPE = re.compile(r"^[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}$")


@pytest.fixture
def therapist_api(new_api, users):
    def login(therapist=None):
        therapist = therapist or users.therapist()
        client = new_api()
        client.login(therapist)
        client.user = therapist
        return client

    return login


def make_code(api: ApiClient) -> str:
    response = api.post("/api/v1/patients/me/share-codes")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["code"]


def test_share_code_is_grouped_without_look_alike_characters_and_lasts_72_hours(logged_in):
    response = logged_in.post("/api/v1/patients/me/share-codes")
    body = response.get_json()
    assert response.status_code == 201
    assert CODE_SHAPE.match(body["code"])
    expires = body["expires_at"]
    from datetime import datetime

    remaining = datetime.fromisoformat(expires) - clock.now()
    assert timedelta(hours=71, minutes=59) < remaining <= timedelta(hours=72)


def test_share_code_is_stored_only_as_a_hash(logged_in):
    code = make_code(logged_in)
    stored = db.session.scalars(select(ShareCode.code_hash)).all()
    plain = code.replace("-", "")
    assert len(stored) == 1 and plain not in stored[0] and code not in stored[0]


def test_therapist_links_with_a_code_and_sees_the_patient(logged_in, patient, therapist_api):
    code = make_code(logged_in)
    therapist = therapist_api()
    response = therapist.post("/api/v1/links", json={"code": code.lower().replace("-", " ")})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["patient"] == {"id": str(patient.id), "display_name": patient.display_name}
    listed = therapist.get("/api/v1/patients").get_json()["patients"]
    assert [p["id"] for p in listed] == [str(patient.id)]
    links = logged_in.get("/api/v1/patients/me/links").get_json()["links"]
    assert [(link["id"], link["therapist"]["email"]) for link in links] == [
        (body["link_id"], therapist.user.email)
    ]
    assert links[0]["since"]


def test_a_code_works_once(logged_in, therapist_api):
    code = make_code(logged_in)
    assert therapist_api().post("/api/v1/links", json={"code": code}).status_code == 201
    second = therapist_api().post("/api/v1/links", json={"code": code})
    assert second.status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(TherapistLink)) == 1


def test_expired_used_and_unknown_codes_get_the_same_404(logged_in, therapist_api):
    used, expired = make_code(logged_in), make_code(logged_in)
    therapist = therapist_api()
    assert therapist.post("/api/v1/links", json={"code": used}).status_code == 201
    db.session.execute(
        update(ShareCode)
        .where(ShareCode.used_at.is_(None))
        .values(expires_at=clock.now() - timedelta(seconds=1))
    )
    db.session.commit()
    other = therapist_api()
    answers = [other.post("/api/v1/links", json={"code": c}) for c in (used, expired, "XXXX-XXXX")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.get_data() for r in answers}) == 1


def test_a_code_just_before_expiry_still_works(logged_in, therapist_api):
    code = make_code(logged_in)
    db.session.execute(update(ShareCode).values(expires_at=clock.now() + timedelta(seconds=30)))
    db.session.commit()
    assert therapist_api().post("/api/v1/links", json={"code": code}).status_code == 201


def test_guessing_codes_is_rate_limited(make_app, users):
    app = make_app(SHARE_CODE_LIMIT_PER_USER="3 per hour")
    client = ApiClient(app.test_client())
    with app.app_context():
        client.login(users.therapist())
        statuses = [client.post("/api/v1/links", json={"code": f"AAAA-AAA{i}"}).status_code for i in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_revoking_ends_access_on_the_very_next_request(logged_in, patient, therapist_api, backend):
    code = make_code(logged_in)
    therapist = therapist_api()
    link_id = therapist.post("/api/v1/links", json={"code": code}).get_json()["link_id"]
    url = f"/api/v1/patients/{patient.id}/days"
    assert therapist.get(url).status_code == 200
    assert logged_in.delete(f"/api/v1/patients/me/links/{link_id}").status_code == 204
    assert therapist.get(url).status_code == 404
    assert therapist.get("/api/v1/patients").get_json()["patients"] == []
    assert logged_in.get("/api/v1/patients/me/links").get_json()["links"] == []


def test_a_patient_cannot_revoke_another_patients_link(logged_in, new_api, users, therapist_api):
    code = make_code(logged_in)
    link_id = therapist_api().post("/api/v1/links", json={"code": code}).get_json()["link_id"]
    other = new_api()
    other.login(users.patient())
    assert other.delete(f"/api/v1/patients/me/links/{link_id}").status_code == 404
    assert len(logged_in.get("/api/v1/patients/me/links").get_json()["links"]) == 1


@pytest.mark.parametrize("path", ["/api/v1/patients/me/share-codes"])
def test_a_therapist_cannot_make_share_codes(therapist_api, path):
    assert therapist_api().post(path).status_code == 403


def test_a_patient_cannot_use_a_code(logged_in, new_api, users):
    code = make_code(logged_in)
    other = new_api()
    other.login(users.patient())
    assert other.post("/api/v1/links", json={"code": code}).status_code == 403
