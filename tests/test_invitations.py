"""Invitations (docs/invitations.md): a therapist's one-use link, valid for 7 days, answered once
by a patient; its QR code; its email; and REGISTRATION=invite_only."""

from __future__ import annotations

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import segno
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import Invitation, TherapistLink, User
from diary.web.invitations import QR_BORDER, QR_ERROR

from . import clock
from .mailbox import html_of, text_of
from .test_web_accounts import GOOD_PASSWORD, csrf_token, log_in, post_form, registration

SVG = "{http://www.w3.org/2000/svg}"


def invite(client, **body) -> dict:
    response = client.post("/api/v1/invitations", json=body)
    assert response.status_code == 201, response.get_json()
    response.close()  # as a server does: the email goes once the response has gone
    return response.get_json()


def token_of(url: str) -> str:
    return url.rsplit("/invite/", 1)[1]


def modules_of(url: str) -> str:
    """The path segno draws for the QR code of `url` (scale 1; the served file scales it)."""
    inline = segno.make(url, error=QR_ERROR, micro=False).svg_inline(scale=1, border=QR_BORDER)
    return re.search(r' d="([^"]+)"', inline).group(1)


def users_named(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


# -- The API: make, read, answer -----------------------------------------------------------------


def test_an_accepted_invitation_puts_the_patient_in_the_triage_list(therapist, patient, as_user, api):
    doctor, phone = as_user(therapist), as_user(patient)
    made = invite(doctor)
    assert set(made) == {"id", "url", "expires_at"}
    token = token_of(made["url"])

    preview = api.get(f"/api/v1/invitations/{token}")  # anyone holding the link
    assert preview.status_code == 200
    assert preview.get_json() == {
        "therapist": {"display_name": therapist.display_name},
        "expires_at": made["expires_at"],
    }
    assert doctor.get("/api/v1/patients").get_json()["patients"] == []

    accepted = phone.post(f"/api/v1/invitations/{token}/accept")
    assert accepted.status_code == 201
    body = accepted.get_json()
    assert body["therapist"]["display_name"] == therapist.display_name
    link = db.session.get(TherapistLink, uuid.UUID(body["link_id"]))
    assert (link.patient_id, link.therapist_id) == (patient.id, therapist.id)
    assert [p["id"] for p in doctor.get("/api/v1/patients").get_json()["patients"]] == [str(patient.id)]
    # One use: the link no longer shows or works, and is off the therapist's list.
    assert api.get(f"/api/v1/invitations/{token}").status_code == 404
    assert phone.post(f"/api/v1/invitations/{token}/accept").status_code == 404
    assert doctor.get("/api/v1/invitations").get_json() == {"invitations": []}


def test_only_the_hash_of_the_token_is_stored(therapist, as_user):
    made = invite(as_user(therapist), patient_email="sam@example.test")
    token = token_of(made["url"])
    row = db.session.get(Invitation, uuid.UUID(made["id"]))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 40  # 32 random bytes
    stored = " ".join(str(v) for v in db.session.execute(select(Invitation.__table__)).one())
    assert token not in stored


def test_an_invitation_works_for_7_days_and_not_a_second_longer(therapist, patient, as_user, api):
    start = clock.now()
    with clock.stopped_at(start.date(), start.time().replace(microsecond=0), "UTC"):
        doctor = as_user(therapist)
        made = invite(doctor)
        phone = as_user(patient)
    token = token_of(made["url"])
    expires = start.replace(microsecond=0) + timedelta(days=7)
    assert made["expires_at"] == expires.isoformat()
    with clock.stopped_at(expires.date(), (expires - timedelta(seconds=1)).time(), "UTC"):
        assert api.get(f"/api/v1/invitations/{token}").status_code == 200
        assert [i["id"] for i in doctor.get("/api/v1/invitations").get_json()["invitations"]] == [made["id"]]
    with clock.stopped_at(expires.date(), expires.time(), "UTC"):
        assert api.get(f"/api/v1/invitations/{token}").status_code == 404
        assert phone.post(f"/api/v1/invitations/{token}/accept").status_code == 404
        assert doctor.get("/api/v1/invitations").get_json() == {"invitations": []}
    assert db.session.scalar(select(func.count()).select_from(TherapistLink)) == 0


def test_a_withdrawn_invitation_stops_working(therapist, patient, as_user, api):
    doctor = as_user(therapist)
    made, kept = invite(doctor), invite(doctor)
    assert doctor.delete(f"/api/v1/invitations/{made['id']}").status_code == 204
    assert doctor.delete(f"/api/v1/invitations/{made['id']}").status_code == 404
    assert api.get(f"/api/v1/invitations/{token_of(made['url'])}").status_code == 404
    assert as_user(patient).post(f"/api/v1/invitations/{token_of(made['url'])}/accept").status_code == 404
    assert [i["id"] for i in doctor.get("/api/v1/invitations").get_json()["invitations"]] == [kept["id"]]


def test_another_therapist_can_neither_list_nor_withdraw_an_invitation(therapist, users, as_user, api):
    made = invite(as_user(therapist), patient_email="sam@example.test")
    other = as_user(users.therapist())
    assert other.get("/api/v1/invitations").get_json() == {"invitations": []}
    assert other.delete(f"/api/v1/invitations/{made['id']}").status_code == 404
    assert api.get(f"/api/v1/invitations/{token_of(made['url'])}").status_code == 200


def test_refusals_change_nothing(therapist, users, patient, as_user, api):
    """A therapist cannot answer, a patient cannot invite, a bad address makes no invitation."""
    made = invite(as_user(therapist))
    token = token_of(made["url"])
    other = as_user(users.therapist())
    for verb in ("accept", "decline"):
        refused = other.post(f"/api/v1/invitations/{token}/{verb}")
        assert refused.status_code == 403
        assert refused.mimetype == "application/problem+json"
    assert api.get(f"/api/v1/invitations/{token}").status_code == 200  # still open
    assert as_user(patient).post("/api/v1/invitations", json={}).status_code == 403
    refused = as_user(therapist).post("/api/v1/invitations", json={"patient_email": "not an address"})
    assert refused.status_code == 422
    assert "patient_email" in refused.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1  # the first only


def test_a_declined_invitation_shares_nothing(therapist, patient, as_user, api):
    doctor, phone = as_user(therapist), as_user(patient)
    token = token_of(invite(doctor)["url"])
    assert phone.post(f"/api/v1/invitations/{token}/decline").status_code == 204
    assert phone.post(f"/api/v1/invitations/{token}/accept").status_code == 404
    assert phone.post(f"/api/v1/invitations/{token}/decline").status_code == 404
    assert doctor.get("/api/v1/patients").get_json()["patients"] == []
    assert db.session.scalar(select(Invitation.accepted)) is False


# -- Email: the therapist's name and the link, nothing else ---------------------------------------


def test_an_invitation_with_an_address_is_emailed_without_health_data(app, mailbox, therapist, as_user):
    invite(as_user(therapist))  # without an address: no email
    made = invite(as_user(therapist), patient_email=" Sam@Example.test ")
    [message] = mailbox.wait_for(1)
    assert message["To"] == "sam@example.test"
    assert therapist.display_name in message["Subject"]
    for body in (text_of(message), html_of(message)):
        assert made["url"] in body
        assert therapist.display_name in body
        assert not re.search(r"headache days|painkiller|medication|soreness|pain", body, re.I)
    assert made["url"].startswith("https://diary.clinic.test/invite/")  # PUBLIC_URL


# -- The QR code ---------------------------------------------------------------------------------


def test_the_qr_code_is_an_svg_file_of_the_invitation_url(therapist, users, as_user):
    doctor = as_user(therapist)
    made = invite(doctor)
    address = f"/therapist/invitation-qr/{token_of(made['url'])}.svg"
    served = doctor.get(address)
    assert served.status_code == 200
    assert served.mimetype == "image/svg+xml"
    svg = ET.fromstring(served.data)  # well-formed XML, an <svg> document
    assert svg.tag == f"{SVG}svg"
    paths = [p.get("d") for p in svg.iter(f"{SVG}path") if p.get("d")]
    # The same modules segno draws for the url the therapist copies (segno cannot decode).
    expected = segno.make(made["url"], error=QR_ERROR, micro=False).svg_inline(scale=1, border=QR_BORDER)
    assert paths and paths[-1] == re.search(r' d="([^"]+)"', expected).group(1)
    other_url = segno.make(made["url"] + "x", error=QR_ERROR, micro=False).svg_inline(
        scale=1, border=QR_BORDER
    )
    assert paths[-1] != re.search(r' d="([^"]+)"', other_url).group(1)
    # Only its therapist, and only while it is open.
    assert as_user(users.therapist()).get(address).status_code == 404
    assert doctor.delete(f"/api/v1/invitations/{made['id']}").status_code == 204
    assert doctor.get(address).status_code == 404


# -- The pages -----------------------------------------------------------------------------------


def test_the_therapist_makes_an_invitation_on_a_page_and_withdraws_it(app, therapist):
    page = app.test_client()
    assert log_in(page, therapist.email, therapist.plain_password).status_code == 302
    assert "/therapist/invitations" in page.get("/therapist").text  # the action on the home page
    made = post_form(page, "/therapist/invitations", patient_email="sam@example.test")
    assert made.status_code == 201
    url = re.search(r'id="invitation-url"[^>]*value="([^"]+)"', made.text).group(1)
    assert f'src="/therapist/invitation-qr/{token_of(url)}.svg"' in made.text
    assert "sam@example.test" in made.text  # in the open invitations
    bad = post_form(page, "/therapist/invitations", patient_email="nope")
    assert bad.status_code == 422
    assert 'id="patient_email-error"' in bad.text
    (invitation_id,) = db.session.scalars(select(Invitation.id))
    gone = post_form(page, f"/therapist/invitations/{invitation_id}/withdraw")
    assert gone.status_code == 302
    assert page.get(gone.headers["Location"]).text.count("Withdraw") == 0
    assert page.get(f"/invite/{token_of(url)}").status_code == 404


def test_the_patient_sees_who_asks_and_what_they_will_see_then_accepts(app, therapist, patient, as_user):
    token = token_of(invite(as_user(therapist))["url"])
    phone = app.test_client()
    stranger_view = phone.get(f"/invite/{token}")
    assert stranger_view.status_code == 200
    assert therapist.display_name in stranger_view.text
    assert "Every day of your diary" in stranger_view.text  # the sharing page's words
    assert f"/register?invitation={token}" in stranger_view.text
    assert "/login?next=/invite/" in stranger_view.text

    logged_in = log_in(phone, patient.email, patient.plain_password, next=f"/invite/{token}")
    assert logged_in.headers["Location"] == f"/invite/{token}"  # back to the invitation
    page = phone.get(f"/invite/{token}")
    assert "Yes, share my diary" in page.text
    answered = phone.post(f"/invite/{token}/accept", data={"csrf_token": csrf_token(page.text)})
    assert answered.status_code == 302
    sharing = phone.get(answered.headers["Location"])
    assert f"{therapist.display_name} can now see your diary." in sharing.text
    used = phone.get(f"/invite/{token}")
    assert used.status_code == 404
    assert "This invitation no longer works" in used.text


def test_a_patient_can_say_no_on_the_page(app, therapist, patient, as_user):
    token = token_of(invite(as_user(therapist))["url"])
    phone = app.test_client()
    log_in(phone, patient.email, patient.plain_password)
    page = phone.get(f"/invite/{token}")
    answered = phone.post(f"/invite/{token}/decline", data={"csrf_token": csrf_token(page.text)})
    assert answered.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TherapistLink)) == 0


# -- Registration ---------------------------------------------------------------------------------


def test_open_registration_through_an_invitation_comes_back_to_it(app, therapist, as_user):
    made = invite(as_user(therapist), patient_email="new@example.test")
    token = token_of(made["url"])
    phone = app.test_client()
    form = phone.get(f"/register?invitation={token}")
    assert 'value="new@example.test"' in form.text  # the address the therapist gave
    registered = phone.post(
        "/register",
        data={
            "csrf_token": csrf_token(form.text),
            "invitation": token,
            **registration(email="new@example.test"),
        },
    )
    assert registered.status_code == 302
    assert registered.headers["Location"] == f"/invite/{token}"
    assert db.session.scalar(select(Invitation.patient_id)) is not None  # claimed by the account


@pytest.fixture
def closed(make_app):
    """An app with REGISTRATION=invite_only."""
    app = make_app(REGISTRATION="invite_only")
    with app.app_context():
        yield app


def test_invite_only_refuses_a_registration_without_an_invitation(closed):
    from .factories import ApiClient

    api = ApiClient(closed.test_client())
    body = {"email": "walkin@example.test", "password": GOOD_PASSWORD, "display_name": "Walk In"}
    refused = api.post("/api/v1/auth/register", json=body)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert api.post("/api/v1/auth/register", json={**body, "invitation": "made-up"}).status_code == 403
    page = closed.test_client()
    assert page.get("/register").status_code == 403
    posted = post_form(page, "/register", **registration(email="walkin@example.test"))
    assert posted.status_code == 403
    assert "invitation" in posted.text
    assert users_named("walkin@example.test") == 0
    for address in ("/login", "/"):
        assert "/register" not in page.get(address).text  # no "Start a diary" offered


def test_invite_only_lets_in_one_account_per_invitation(closed, users):
    from .factories import ApiClient

    therapist = users.therapist()
    doctor = ApiClient(closed.test_client())
    doctor.login(therapist)
    token = token_of(invite(doctor)["url"])
    body = {"password": GOOD_PASSWORD, "display_name": "Invited", "invitation": token}
    first = ApiClient(closed.test_client())
    assert first.post("/api/v1/auth/register", json={**body, "email": "one@example.test"}).status_code == 201
    first._csrf = None  # a new login, a new token
    second = ApiClient(closed.test_client())
    assert second.post("/api/v1/auth/register", json={**body, "email": "two@example.test"}).status_code == 403
    assert users_named("two@example.test") == 0
    # The account it let in answers it; a patient who logs in elsewhere cannot.
    stranger = ApiClient(closed.test_client())
    stranger.login(users.patient())
    assert stranger.post(f"/api/v1/invitations/{token}/accept").status_code == 404
    assert first.post(f"/api/v1/invitations/{token}/accept").status_code == 201
    assert len(doctor.get("/api/v1/patients").get_json()["patients"]) == 1


def test_invite_only_register_page_through_an_invitation(closed, users):
    from .factories import ApiClient

    doctor = ApiClient(closed.test_client())
    doctor.login(users.therapist())
    token = token_of(invite(doctor)["url"])
    phone = closed.test_client()
    form = phone.get(f"/register?invitation={token}")
    assert form.status_code == 200
    assert f'name="invitation" value="{token}"' in form.text
    registered = phone.post(
        "/register", data={"csrf_token": csrf_token(form.text), "invitation": token, **registration()}
    )
    assert registered.headers["Location"] == f"/invite/{token}"
    assert users_named("jo@example.test") == 1
