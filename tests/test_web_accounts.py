"""Account pages in the browser: register, log in, log out, settings; every form needs its CSRF token."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

import pytest
from sqlalchemy import func, select

from diary import timezones
from diary.extensions import db
from diary.models import User

from .factories import PASSWORD

GOOD_PASSWORD = "copper-meadow-lantern-82"
SAME_MESSAGE = "The email or the password is not right."


def csrf_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)


def post_form(client, path: str, **data):
    """POST a form with the token of the page it is on, as the browser does."""
    token = csrf_token(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **data})


def log_in(client, email: str, password: str, **extra):
    return post_form(client, "/login", email=email, password=password, **extra)


def field_error(html: str, name: str) -> str | None:
    m = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).replace("Error: ", "").strip() if m else None


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def registration(**overrides) -> dict:
    return {
        "display_name": "Jo Bloggs",
        "email": "jo@example.test",
        "password": GOOD_PASSWORD,
        "timezone": "Europe/London",
        **overrides,
    }


# -- Register ----------------------------------------------------------------------------------


def test_register_refuses_a_weak_password_with_a_message_next_to_it(client):
    response = post_form(client, "/register", **registration(password="password1"))
    assert response.status_code == 422
    message = field_error(response.text, "password")
    assert message and "password" in message.lower()
    assert 'aria-describedby="password-hint password-error" aria-invalid="true"' in response.text
    assert 'value="jo@example.test"' in response.text and 'value="Jo Bloggs"' in response.text
    assert 'value="password1"' not in response.text  # a password is never sent back
    assert user_count() == 0


def test_register_with_a_good_password_logs_in_to_today(client):
    response = post_form(client, "/register", **registration())
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    today = client.get("/today")
    assert today.status_code == 200
    assert "Welcome! Your diary is ready." in today.text


def test_register_with_an_email_in_use_says_so_next_to_the_email(client, patient):
    response = post_form(client, "/register", **registration(email=patient.email.upper()))
    assert response.status_code == 422
    assert field_error(response.text, "email") == "An account with this email already exists. Log in instead."
    assert user_count() == 1


def test_register_without_csrf_token_is_refused_and_creates_nothing(client):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert "nothing was saved" in response.text
    assert user_count() == 0


# -- Log in and out ----------------------------------------------------------------------------


def test_login_goes_to_today_for_a_patient(client, patient):
    response = log_in(client, patient.email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    assert client.get("/today").status_code == 200


def test_login_goes_to_the_patient_list_for_a_therapist(client, users):
    therapist = users.therapist()
    response = log_in(client, therapist.email, PASSWORD)
    assert response.headers["Location"] == "/therapist"


@pytest.mark.parametrize("who", ["wrong password", "unknown email"])
def test_login_failure_gives_the_same_message_for_any_wrong_pair(client, patient, who):
    email, password = (
        (patient.email, "not-the-password-at-all")
        if who == "wrong password"
        else ("nobody@example.test", PASSWORD)
    )
    response = log_in(client, email, password)
    assert response.status_code == 401
    assert f'<p id="_form-error">{SAME_MESSAGE}</p>' in response.text
    assert f'value="{email}"' in response.text
    assert client.get("/today").status_code == 302


def test_login_returns_to_the_page_asked_for_but_only_on_this_site(client, patient):
    assert client.get("/calendar").headers["Location"] == "/login?next=/calendar"
    page = client.get("/login?next=/calendar").text
    assert '<input type="hidden" name="next" value="/calendar">' in page
    assert log_in(client, patient.email, PASSWORD, next="/calendar").headers["Location"] == "/calendar"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/today").text)})
    for elsewhere in ("https://evil.example/", "//evil.example/today"):
        assert log_in(client, patient.email, PASSWORD, next=elsewhere).headers["Location"] == "/today"


def test_strangers_who_lock_an_account_do_not_lock_out_its_owner(make_app, users):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    patient = users.patient()
    owner, stranger = app.test_client(), app.test_client()
    assert log_in(owner, patient.email, PASSWORD).status_code == 302
    owner.post("/logout", data={"csrf_token": csrf_token(owner.get("/today").text)})
    for _ in range(2):
        assert log_in(stranger, patient.email, "not-the-password-at-all").status_code == 401
    refused = log_in(stranger, patient.email, PASSWORD)
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert log_in(owner, patient.email, PASSWORD).headers["Location"] == "/today"


def test_login_without_csrf_token_is_refused(client, patient):
    response = client.post("/login", data={"email": patient.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/today").status_code == 302


def test_logout_ends_the_session_even_for_a_replayed_cookie(client, patient):
    log_in(client, patient.email, PASSWORD)
    old_cookie = client.get_cookie("diary_session").value
    assert client.get("/today").status_code == 200

    response = client.post("/logout", data={"csrf_token": csrf_token(client.get("/today").text)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You are logged out." in client.get("/login").text

    client.set_cookie("diary_session", old_cookie)
    replayed = client.get("/today")
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(client, patient):
    log_in(client, patient.email, PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.get("/today").status_code == 200


# -- Account settings ----------------------------------------------------------------------------


def test_account_settings_change_the_name_and_time_zone(client, patient):
    log_in(client, patient.email, PASSWORD)
    response = post_form(client, "/account", display_name="Sam", timezone="Europe/Dublin")
    assert response.status_code == 302
    page = client.get("/account").text
    assert 'value="Sam"' in page and '<option value="Europe/Dublin" selected>Dublin, Ireland</option>' in page


def test_account_settings_refuse_an_unknown_time_zone_next_to_the_field(client, patient):
    log_in(client, patient.email, PASSWORD)
    response = post_form(client, "/account", display_name="Sam", timezone="Mars/Olympus")
    assert response.status_code == 422
    message = "Choose a time zone from the list, such as Europe/London."
    assert field_error(response.text, "timezone") == message
    assert 'value="Sam"' in response.text
    assert "Mars/Olympus</option>" not in response.text  # not offered back


def time_zone_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="timezone".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)


@pytest.mark.parametrize("path", ["/register", "/account"])
def test_the_time_zone_is_a_short_list_of_places_by_name(client, patient, path):
    if path == "/account":
        log_in(client, patient.email, PASSWORD)
    options = time_zone_options(client.get(path).text)
    places = [place for _, place in options]
    assert 100 <= len(options) <= 200 and places == sorted(places, key=str.casefold)
    assert ("Europe/London", "London, United Kingdom") in options
    assert ("America/Chicago", "Chicago, United States (Central)") in options
    assert not {"Etc/GMT+1", "W-SU", "Factory"} & {zone for zone, _ in options}
    assert all("/" not in place for place in places)


def test_every_place_follows_a_real_zone_and_each_is_listed_once():
    zones = [zone for zone, _ in timezones.PLACES]
    places = [place for _, place in timezones.PLACES]
    assert set(zones) <= available_timezones()
    assert len(set(zones)) == len(zones) and len(set(places)) == len(places)


def test_the_register_page_asks_the_browser_for_its_zone(client):
    assert "data-detect" in client.get("/register").text


def test_a_zone_not_in_the_list_is_still_offered_to_its_patient(client, patient):
    log_in(client, patient.email, PASSWORD)
    assert post_form(client, "/account", display_name="Sam", timezone="America/Boise").status_code == 302
    page = client.get("/account").text
    assert '<option value="America/Boise" selected>America/Boise</option>' in page
    assert "data-detect" not in page  # the account page offers the device's zone, never sets it


def test_register_keeps_the_zone_chosen_when_it_sends_the_form_back(client):
    response = post_form(client, "/register", **registration(password="password1", timezone="Asia/Tokyo"))
    assert response.status_code == 422
    assert '<option value="Asia/Tokyo" selected>Tokyo, Japan</option>' in response.text
    assert "data-detect" not in response.text  # what the patient chose stays chosen


def test_registering_with_a_place_stores_its_zone(client):
    assert post_form(client, "/register", **registration(timezone="America/Chicago")).status_code == 302
    stored = db.session.scalar(select(User.timezone).where(User.email == "jo@example.test"))
    assert stored == "America/Chicago"


def test_the_home_page_sends_each_user_to_their_start(client, patient):
    assert "Start my diary" in client.get("/").text
    log_in(client, patient.email, PASSWORD)
    assert client.get("/").headers["Location"] == "/today"
