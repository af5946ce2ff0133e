"""The patient's diary pages, used as a browser without JavaScript would: Today, any day, the calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from . import clock
from .factories import PASSWORD, day_body, make_day

# -- Helpers: read a page's forms as a browser would send them ---------------------------------


class FormFields(HTMLParser):
    """The name/value pairs a browser without JavaScript sends for the form with `form_id`."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._option: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside or ("form" in a and a["form"] != self.form_id):
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = {"name": a.get("name"), "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def _end_option(self):
        value, text, selected = self._option
        value = text.strip() if value is None else value
        if self._select["first"] is None:
            self._select["first"] = value
        if selected:
            self._select["chosen"] = value
        self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            self._end_option()
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self._end_option()
            s = self._select
            self.fields.append((s["name"], s["chosen"] if s["chosen"] is not None else s["first"]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def form_fields(html: str, form_id: str = "day-form") -> MultiDict:
    parser = FormFields(form_id)
    parser.feed(html)
    assert parser.fields, f"no form #{form_id} on the page"
    return MultiDict(parser.fields)


def fill(fields: MultiDict, **changes) -> MultiDict:
    """The form after the patient's changes; keys use `__` for `.` (headaches__0__intensity)."""
    filled = fields.copy()
    for key, value in changes.items():
        filled.setlist(key.replace("__", "."), value if isinstance(value, list) else [value])
    return filled


def csrf_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)


def log_in(client, user) -> None:
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": getattr(user, "plain_password", PASSWORD),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.text


def medication_row(fields: MultiDict, name: str) -> int:
    """The form row number of a listed medicine."""
    for key, value in fields.items(multi=True):
        if (m := re.fullmatch(r"medications\.(\d+)\.name", key)) and value == name:
            return int(m.group(1))
    raise AssertionError(f"{name} is not listed on the page")


def stored(client, day: date) -> dict | None:
    """The day as the API gives it, without the server-set fields; None when not logged."""
    response = client.get(f"/api/v1/patients/me/days/{day.isoformat()}")
    if response.status_code == 404:
        return None
    return {k: v for k, v in response.get_json().items() if k not in ("date", "version", "updated_at")}


def field_error(html: str, name: str) -> str | None:
    """The message shown next to field `name`, or None."""
    m = re.search(
        rf'<p class="field-error" id="{re.escape(name.replace(".", "-"))}-error">(.*?)</p>', html, re.S
    )
    return re.sub(r"<[^>]+>", "", m.group(1)).replace("Error: ", "").strip() if m else None


@pytest.fixture
def patient_client(client, patient):
    log_in(client, patient)
    return client


@pytest.fixture
def today(patient) -> date:
    return clock.today(patient)


# -- Saving the whole day from the form --------------------------------------------------------

TYPICAL_DAY_FORM = dict(
    headache_today="yes",
    headaches__0__start="08:30",
    headaches__0__duration_minutes="120",
    headaches__0__intensity="6",
    headaches__0__type="tension",
    headaches__0__side="both",
    headaches__0__locations=["back_of_head", "neck"],
    headaches__0__symptoms=["light_sensitivity"],
    headaches__0__neck_provoked="yes",
    soreness="3",
    exercises_done="yes",
    triggers=["stress", "poor_sleep"],
    notes="Sore after yesterday's session",
)


def test_saving_a_full_day_from_the_form_stores_what_the_api_stores(patient_client, today):
    by_form, by_api = today - timedelta(days=1), today - timedelta(days=2)
    page = patient_client.get(f"/days/{by_form}")
    fields = form_fields(page.text)
    row = medication_row(fields, "Ibuprofen 400 mg")  # offered to a new patient at 0 doses
    sent = fill(
        fields,
        **TYPICAL_DAY_FORM,
        **{
            f"medications__{row}__doses": "2",
            f"medications__{row}__time": "09:00",
            f"medications__{row}__relief": "partial",
        },
    )

    response = patient_client.post(f"/days/{by_form}", data=sent)
    assert response.status_code == 302, field_errors_of(response.text)
    put = patient_client.put(
        f"/api/v1/patients/me/days/{by_api}", json=day_body(), headers={"X-CSRFToken": csrf_token(page.text)}
    )
    assert put.status_code == 201

    assert stored(patient_client, by_form) == stored(patient_client, by_api)


def field_errors_of(html: str) -> list[str]:
    return re.findall(r'class="field-error" id="([^"]+)"', html)


def test_saving_today_returns_to_today_with_a_confirmation(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    response = patient_client.post(f"/days/{today}", data=fill(fields, headache_today="no"))
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    page = patient_client.get("/today")
    assert "Saved today." in page.text
    assert "Logged: no headache" in page.text


def test_saving_a_past_day_returns_to_its_month_in_the_calendar(patient_client, today):
    day = today - timedelta(days=40)
    fields = form_fields(patient_client.get(f"/days/{day}").text)
    response = patient_client.post(f"/days/{day}", data=fill(fields, headache_today="no"))
    assert response.headers["Location"] == f"/calendar?month={day:%Y-%m}"


def test_an_untouched_page_with_no_headache_stores_no_medicine(patient_client, today):
    # The blank "add a medicine" row and the medicines offered at 0 doses are not intakes.
    fields = form_fields(patient_client.get("/today").text)
    assert patient_client.post(f"/days/{today}", data=fill(fields, headache_today="no")).status_code == 302
    assert stored(patient_client, today) == {
        "had_headache": False,
        "headaches": [],
        "medications": [],
        "soreness": None,
        "exercises_done": None,
        "triggers": [],
        "notes": None,
        "red_flags": [],
    }


def test_a_medicine_typed_from_the_list_gets_its_kind(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    new = max(int(k.split(".")[1]) for k in fields if k.startswith("medications."))
    sent = fill(
        fields,
        headache_today="yes",
        headaches__0__intensity="7",
        **{f"medications__{new}__name": "Sumatriptan 50 mg", f"medications__{new}__doses": "1"},
    )
    assert patient_client.post(f"/days/{today}", data=sent).status_code == 302
    assert stored(patient_client, today)["medications"] == [
        {"name": "Sumatriptan 50 mg", "drug_class": "triptan", "doses": 1, "time": None, "relief": None}
    ]


def test_a_remembered_medicine_is_offered_again_with_zero_doses(patient_client, patient, today):
    make_day(
        patient,
        today - timedelta(days=3),
        headaches=[{"intensity": 5}],
        medications=[{"name": "Naproxen 250 mg", "drug_class": "non_opioid_analgesic"}],
    )
    fields = form_fields(patient_client.get("/today").text)
    row = medication_row(fields, "Naproxen 250 mg")
    assert fields[f"medications.{row}.doses"] == "0"


def offered_medicines(html: str) -> list[str]:
    """The names of the medicines listed with a dose counter, in page order."""
    return [
        value
        for key, value in form_fields(html).items(multi=True)
        if re.fullmatch(r"medications\.\d+\.name", key) and value
    ]


def test_the_patients_own_medicines_come_first_and_the_common_ones_stay(patient_client, patient, today):
    assert offered_medicines(patient_client.get("/today").text) == [
        "Paracetamol 500 mg",
        "Ibuprofen 400 mg",
        "Co-codamol 8/500",
    ]
    make_day(
        patient,
        today - timedelta(days=2),
        headaches=[{"intensity": 5}],
        medications=[{"name": "Naproxen 250 mg", "drug_class": "non_opioid_analgesic"}],
    )
    make_day(
        patient,
        today - timedelta(days=1),
        headaches=[{"intensity": 5}],
        medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}],
    )
    assert offered_medicines(patient_client.get("/today").text) == [
        "Ibuprofen 400 mg",
        "Naproxen 250 mg",
        "Paracetamol 500 mg",
        "Co-codamol 8/500",
    ]


def test_correcting_a_logged_day_replaces_it(patient_client, patient, today):
    day = today - timedelta(days=5)
    make_day(patient, day, headaches=[{"intensity": 8}], soreness=2)
    fields = form_fields(patient_client.get(f"/days/{day}").text)
    assert fields["headaches.0.intensity"] == "8" and fields["soreness"] == "2"
    response = patient_client.post(f"/days/{day}", data=fill(fields, headaches__0__intensity="4"))
    assert response.status_code == 302
    day_now = stored(patient_client, day)
    assert [h["intensity"] for h in day_now["headaches"]] == [4] and day_now["soreness"] == 2


# -- One-tap controls --------------------------------------------------------------------------


def quick(client, day: date, **data):
    token = csrf_token(client.get(f"/days/{day}").text)
    return client.post(f"/days/{day}/quick", data={"csrf_token": token, **data})


def test_today_offers_a_one_tap_no_headache_button(patient_client):
    page = patient_client.get("/today").text
    form = re.search(
        r'<form method="post" action="(/days/[\d-]+/quick)" data-quick="no_headache">(.*?)</form>', page, re.S
    )
    assert form, "the quick button is missing"
    assert re.search(r'<button[^>]*name="action" value="no_headache"[^>]*type="submit"', form.group(2))


def test_a_headache_free_day_is_saved_by_the_quick_button(patient_client, today):
    response = quick(patient_client, today, action="no_headache")
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    assert stored(patient_client, today)["headaches"] == []
    assert "Logged: no headache" in patient_client.get("/today").text


def test_the_quick_button_is_not_offered_once_a_headache_is_logged(patient_client, patient, today):
    make_day(patient, today, headaches=[{"intensity": 6}])
    assert 'value="no_headache"' not in patient_client.get("/today").text


@pytest.mark.parametrize(
    ("data", "changed"),
    [
        ({"action": "soreness", "soreness": "4"}, {"soreness": 4}),
        ({"action": "exercises", "exercises_done": "yes"}, {"exercises_done": True}),
        ({"action": "exercises", "exercises_done": "no"}, {"exercises_done": False}),
    ],
)
def test_quick_soreness_and_exercises_keep_the_rest_of_the_day(patient_client, patient, today, data, changed):
    day = today - timedelta(days=1)
    make_day(
        patient,
        day,
        headaches=[{"intensity": 6, "locations": ["neck"]}],
        medications=[{"name": "Paracetamol 500 mg", "drug_class": "non_opioid_analgesic", "doses": 2}],
        soreness=1,
        exercises_done=None,
    )
    before = stored(patient_client, day)
    assert quick(patient_client, day, **data).status_code == 302
    assert stored(patient_client, day) == {**before, **changed}


def test_quick_soreness_on_an_empty_day_logs_it(patient_client, today):
    assert quick(patient_client, today, action="soreness", soreness="2").status_code == 302
    assert stored(patient_client, today)["soreness"] == 2


def test_quick_buttons_show_what_is_stored(patient_client, patient, today):
    make_day(patient, today, soreness=3, exercises_done=True)
    page = patient_client.get("/today").text
    assert re.search(r'form="quick-soreness" name="soreness" value="3" aria-pressed="true"', page)
    assert re.search(r'form="quick-exercises" name="exercises_done" value="yes" aria-pressed="true"', page)
    assert len(re.findall(r'aria-pressed="true"', page)) == 3  # and "No headache today"


# -- The headache question (docs/clinical-rules.md section 1) ---------------------------------------

# (what the form says to "Did you have a headache?", a headache rated in the form, what is stored)
ANSWERS = [
    ("no", None, False),
    ("no", "6", False),  # "No" wins over a rated row (hidden once No is chosen)
    ("yes", "6", True),
    ("", "6", True),  # rating a headache answers the question
    ("", None, None),  # nothing answered, nothing rated: saved, the question left open
]


@pytest.mark.parametrize(("answer", "intensity", "had_headache"), ANSWERS)
def test_the_day_form_stores_the_answer_to_the_headache_question(
    patient_client, today, answer, intensity, had_headache
):
    fields = form_fields(patient_client.get("/today").text)
    changes = {"headache_today": answer, "notes": "A note"}
    if intensity:
        changes["headaches__0__intensity"] = intensity
    response = patient_client.post(f"/days/{today}", data=fill(fields, **changes))
    assert response.status_code == 302, field_errors_of(response.text)
    day = stored(patient_client, today)
    assert (day["had_headache"], len(day["headaches"]), day["notes"]) == (
        had_headache,
        1 if had_headache else 0,
        "A note",
    )


def test_an_unanswered_day_says_it_is_saved_and_asks_the_question(patient_client, patient, today):
    make_day(
        patient,
        today,
        soreness=3,
        had_headache=None,
        medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic", "doses": 2}],
    )
    page = patient_client.get("/today").text
    status = re.search(r'<p class="status (\w+)">\s*(.*?)\s*</p>', page, re.S)
    assert status.groups() == (
        "unanswered",
        "Saved: 2 doses of medicine. You have not said yet whether you had a headache today.",
    )
    assert '<h2 id="question-title">Did you have a headache today?</h2>' in page
    assert re.search(
        r'<button class="big" name="action" value="no_headache" type="submit" '
        r'aria-pressed="false">No<span class="visually-hidden"> headache today</span>',
        page,
    )
    assert re.search(
        r'<a class="button big" href="/today\?headache=yes#headaches-0-intensity" '
        r'aria-label="Yes, I had a headache" data-answer-yes>Yes</a>',
        page,
    )
    # The form still carries the (open) answer, without asking twice.
    assert re.search(r'<fieldset class="toggle" id="headache_today"\s+hidden>', page)
    assert "headache_today" not in form_fields(page)


def test_yes_without_javascript_opens_the_intensity_with_yes_chosen(patient_client, patient, today):
    day = today - timedelta(days=2)
    make_day(patient, day, had_headache=False)
    page = patient_client.get(f"/days/{day}?headache=yes").text
    assert "data-question" not in page
    assert form_fields(page)["headache_today"] == "yes"
    fields = fill(form_fields(page), headaches__0__intensity="5")
    assert patient_client.post(f"/days/{day}", data=fields).status_code == 302
    assert stored(patient_client, day)["had_headache"] is True


def test_a_day_said_headache_free_shows_no_pressed_and_keeps_it_on_the_next_save(
    patient_client, patient, today
):
    assert quick(patient_client, today, action="no_headache").status_code == 302
    page = patient_client.get("/today").text
    assert 'aria-pressed="true"><span aria-hidden="true">✓ </span>No' in page
    assert re.search(r'<p class="status logged">\s*Logged: no headache.', page)
    fields = fill(form_fields(page), notes="Quiet day")
    assert patient_client.post(f"/days/{today}", data=fields).status_code == 302
    assert (stored(patient_client, today)["had_headache"], stored(patient_client, today)["notes"]) == (
        False,
        "Quiet day",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"action": "soreness", "soreness": "4"},
        {"action": "exercises", "exercises_done": "yes"},
        {"action": "exercises", "exercises_done": "no"},
    ],
)
@pytest.mark.parametrize("stored_before", ["none", "unanswered"])
def test_quick_controls_on_an_unanswered_day_leave_the_question_open(
    patient_client, patient, today, data, stored_before
):
    if stored_before == "unanswered":
        make_day(
            patient,
            today,
            had_headache=None,
            medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}],
        )
    assert quick(patient_client, today, **data).status_code == 302
    assert stored(patient_client, today)["had_headache"] is None
    assert "You have not said yet whether you had a headache today." in patient_client.get("/today").text


def test_a_medicine_saved_from_the_form_on_an_unanswered_day_leaves_the_question_open(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    row = medication_row(fields, "Ibuprofen 400 mg")
    response = patient_client.post(f"/days/{today}", data=fill(fields, **{f"medications__{row}__doses": "1"}))
    assert response.status_code == 302
    day = stored(patient_client, today)
    assert (day["had_headache"], [m["name"] for m in day["medications"]]) == (None, ["Ibuprofen 400 mg"])


def test_the_calendar_shows_an_unanswered_day_apart_from_a_headache_free_one(patient_client, patient, today):
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    make_day(patient, first, had_headache=False)
    make_day(patient, first + timedelta(days=1), soreness=2, had_headache=None)
    page = patient_client.get(f"/calendar?month={first:%Y-%m}").text
    label = lambda d: d.strftime("%A %-d %B")  # noqa: E731
    assert cell(page, first) == ("free", f"{label(first)}: no headache")
    second = first + timedelta(days=1)
    assert cell(page, second) == ("unanswered", f"{label(second)}: saved, headache question not answered")
    assert re.search(
        rf'<a href="/days/{second}">\s*<span class="num" aria-hidden="true">{second.day}</span>\s*'
        r'<span class="mark" aria-hidden="true">\?</span>',
        page,
    )
    assert "1 of " in page and "1 day saved without saying whether you had a headache." in page
    assert '<span class="swatch unanswered" aria-hidden="true">?</span> Headache not answered' in page


# -- Form errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message", "kept"),
    [
        (
            {"headache_today": "yes"},
            "headaches.0.intensity",
            "Say how bad the headache was, from 1 to 10.",
            'value="yes" checked',
        ),
        (
            {"headache_today": "yes", "headaches__0__intensity": "5", "headaches__0__start": "25:99"},
            "headaches.0.start",
            "Give the time as HH:MM, for example 08:30.",
            'value="25:99"',
        ),
        (
            {"headache_today": "no", "DOSES": "25"},
            "medications.ROW.doses",
            "Doses are 1 to 20.",
            'value="25"',
        ),
    ],
)
def test_a_form_error_is_shown_next_to_the_field_keeps_what_was_typed_and_stores_nothing(
    patient_client, today, changes, field, message, kept
):
    page = patient_client.get("/today").text
    fields = form_fields(page)
    row = medication_row(fields, "Paracetamol 500 mg")
    changes = {(f"medications__{row}__doses" if k == "DOSES" else k): v for k, v in changes.items()}
    field = field.replace("ROW", str(row))
    sent = fill(fields, notes="Typed before the error", **changes)

    response = patient_client.post(f"/days/{today}", data=sent)

    assert response.status_code == 422
    assert field_error(response.text, field) == message
    error_id = field.replace(".", "-") + "-error"
    assert f'aria-invalid="true" aria-describedby="{error_id}"' in response.text
    assert f'<a href="#{error_id}">{message}</a>' in response.text  # the summary links to it
    assert kept in response.text
    assert ">Typed before the error</textarea>" in response.text
    assert stored(patient_client, today) is None


def test_all_errors_of_a_form_are_shown_at_once(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    row = medication_row(fields, "Ibuprofen 400 mg")
    sent = fill(fields, headache_today="yes", **{f"medications__{row}__doses": "25"})
    response = patient_client.post(f"/days/{today}", data=sent)
    assert field_error(response.text, "headaches.0.intensity")
    assert field_error(response.text, f"medications.{row}.doses") == "Doses are 1 to 20."


def test_a_form_sent_back_with_errors_can_be_corrected_and_saved(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    first = patient_client.post(
        f"/days/{today}", data=fill(fields, headache_today="yes", headaches__0__locations=["jaw"])
    )
    assert first.status_code == 422
    fields = form_fields(first.text)
    assert fields.getlist("headaches.0.locations") == ["jaw"]
    second = patient_client.post(f"/days/{today}", data=fill(fields, headaches__0__intensity="3"))
    assert second.status_code == 302
    assert [(h["intensity"], h["locations"]) for h in stored(patient_client, today)["headaches"]] == [
        (3, ["jaw"])
    ]


def test_a_stale_version_gives_the_conflict_notice_and_keeps_what_was_typed(patient_client, today):
    day = today - timedelta(days=1)
    token = csrf_token(patient_client.get("/today").text)
    api_put = lambda body: patient_client.put(  # noqa: E731
        f"/api/v1/patients/me/days/{day}", json=body, headers={"X-CSRFToken": token}
    )
    assert api_put(day_body(notes="first")).status_code == 201
    opened = form_fields(patient_client.get(f"/days/{day}").text)
    assert api_put(day_body(notes="from the other phone")).status_code == 200

    response = patient_client.post(f"/days/{day}", data=fill(opened, notes="typed on this phone"))

    assert response.status_code == 409
    assert "changed on another device" in response.text
    assert ">typed on this phone</textarea>" in response.text
    assert stored(patient_client, day)["notes"] == "from the other phone"
    # "Save again to keep it": the page sent back carries the current version.
    again = patient_client.post(f"/days/{day}", data=form_fields(response.text))
    assert again.status_code == 302
    assert stored(patient_client, day)["notes"] == "typed on this phone"


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(patient_client, patient, today):
    make_day(patient, today, soreness=1)
    fields = form_fields(patient_client.get("/today").text)
    before = stored(patient_client, today)
    fields.pop("csrf_token")
    assert (
        patient_client.post(
            f"/days/{today}", data=fill(fields, headache_today="no", soreness="9")
        ).status_code
        == 400
    )
    assert (
        patient_client.post(f"/days/{today}/quick", data={"action": "soreness", "soreness": "9"}).status_code
        == 400
    )
    assert patient_client.post(f"/days/{today}/delete").status_code == 400
    assert stored(patient_client, today) == before


def test_clearing_a_day_makes_it_not_logged(patient_client, patient, today):
    day = today - timedelta(days=2)
    make_day(patient, day, headaches=[{"intensity": 3}])
    token = csrf_token(patient_client.get(f"/days/{day}").text)
    response = patient_client.post(f"/days/{day}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert stored(patient_client, day) is None


# -- Dates and the calendar --------------------------------------------------------------------


def test_a_day_after_today_or_more_than_five_years_back_is_not_found(patient_client, today):
    assert patient_client.get(f"/days/{today + timedelta(days=1)}").status_code == 404
    assert patient_client.get(f"/days/{today - timedelta(days=6 * 366)}").status_code == 404  # 29 Feb too
    assert patient_client.get("/days/2026-02-30").status_code == 404


@pytest.mark.parametrize(("days", "says"), [(1, "has not come yet"), (6 * 366, "is too far back")])
def test_a_day_out_of_the_diary_says_why_and_links_to_today(patient_client, today, days, says):
    day = today + timedelta(days=days) if says == "has not come yet" else today - timedelta(days=days)
    page = patient_client.get(f"/days/{day}")
    assert page.status_code == 404
    assert f"<h1>{day:%A %-d %B %Y} {says}</h1>" in page.text
    assert "There is nothing here" not in page.text
    assert '<a class="button primary" href="/today">Go to Today</a>' in page.text


def cell(html: str, day: date) -> tuple[str, str] | None:
    """The calendar cell of `day`: its state class and what a screen reader says."""
    m = re.search(
        rf'<td class="(\w+)[^"]*">\s*<a href="/days/{day}"[^>]*>.*?'
        rf'<span class="visually-hidden">([^<]+)</span>\s*</a>',
        html,
        re.S,
    )
    return (m.group(1), m.group(2)) if m else None


def test_the_calendar_shows_logged_days_by_severity_and_missing_days(patient_client, patient, today):
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: all past
    days = [first + timedelta(days=n) for n in range(5)]
    make_day(patient, days[0])
    make_day(patient, days[1], headaches=[{"intensity": 2}])
    make_day(patient, days[2], headaches=[{"intensity": 5}, {"intensity": 3}])
    make_day(
        patient,
        days[3],
        headaches=[{"intensity": 8}],
        medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}],
    )

    page = patient_client.get(f"/calendar?month={first:%Y-%m}").text

    label = lambda d: d.strftime("%A %-d %B")  # noqa: E731
    assert cell(page, days[0]) == ("free", f"{label(days[0])}: no headache")
    assert cell(page, days[1]) == ("mild", f"{label(days[1])}: mild headache, 2 out of 10")
    assert cell(page, days[2]) == ("moderate", f"{label(days[2])}: moderate headache, 5 out of 10")
    assert cell(page, days[3]) == (
        "severe",
        f"{label(days[3])}: severe headache, 8 out of 10, medicine taken",
    )
    assert cell(page, days[4]) == ("missing", f"{label(days[4])}: not logged")
    assert "4 of " in page and "days logged" in page


def test_the_calendar_shows_days_to_come_without_a_link(patient_client, today):
    page = patient_client.get("/calendar").text
    assert cell(page, today)[0] == "missing"
    tomorrow = today + timedelta(days=1)
    if tomorrow.month == today.month:
        assert re.search(rf'<td class="future">\s*<span><span class="num">{tomorrow.day}</span>', page)
    assert f"/days/{tomorrow}" not in page


def test_the_calendar_does_not_go_past_this_month(patient_client, today):
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    page = patient_client.get(f"/calendar?month={next_month:%Y-%m}").text
    assert f"<h1>{today:%B} <small>{today.year}</small></h1>" in page
    assert 'aria-label="Next month' not in page


def test_a_past_day_opens_from_the_calendar(patient_client, today):
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    page = patient_client.get(f"/calendar?month={first:%Y-%m}").text
    href = re.search(rf'href="(/days/{first})"', page).group(1)
    opened = patient_client.get(href)
    assert opened.status_code == 200
    assert first.strftime("%A %-d %B") in opened.text
    assert 'value="no_headache"' in opened.text


# -- Who may see the pages ---------------------------------------------------------------------

PATIENT_PAGES = ("/today", "/calendar", "/days/{yesterday}")


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_a_therapist_gets_not_found_on_the_patient_pages(client, users, path):
    therapist = users.therapist()
    log_in(client, therapist)
    yesterday = clock.today(therapist) - timedelta(days=1)
    assert client.get(path.format(yesterday=yesterday)).status_code == 404


def test_a_therapist_cannot_post_to_the_patient_pages(client, users):
    therapist = users.therapist()
    log_in(client, therapist)
    token = csrf_token(client.get("/account").text)
    day = clock.today(therapist)
    assert client.post(f"/days/{day}", data={"csrf_token": token, "headache_today": "no"}).status_code == 404
    assert (
        client.post(f"/days/{day}/quick", data={"csrf_token": token, "action": "no_headache"}).status_code
        == 404
    )


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path.format(yesterday=clock.today("Europe/London") - timedelta(days=1)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# -- Pages a phone can use ---------------------------------------------------------------------


class Controls(HTMLParser):
    """Form controls without a label, and inline scripts, styles or handlers (the CSP forbids them)."""

    def __init__(self):
        super().__init__()
        self.label_for: set[str] = set()
        self.in_label = 0
        self.controls: list[tuple[str, dict, bool]] = []
        self.inline: list[str] = []
        self.in_button = None
        self.buttons: list[tuple[dict, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a or any(k.startswith("on") for k in a):
            self.inline.append(f"<{tag} {a}>")
        if tag == "script" and "src" not in a:
            self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "label":
            self.in_label += 1
            if "for" in a:
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append((tag, a, self.in_label > 0))
        if tag == "button":
            self.in_button = [a, ""]

    def handle_data(self, data):
        if self.in_button is not None:
            self.in_button[1] += data

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        if tag == "button" and self.in_button is not None:
            self.buttons.append(tuple(self.in_button))
            self.in_button = None

    def unlabelled(self) -> list[str]:
        missing = [
            f"{tag} {a.get('name')}"
            for tag, a, wrapped in self.controls
            if not (wrapped or a.get("id") in self.label_for or a.get("aria-label"))
        ]
        missing += [str(a) for a, text in self.buttons if not (text.strip() or a.get("aria-label"))]
        return missing


@pytest.mark.parametrize("path", ["/today", "/days/{past}", "/calendar", "/account"])
def test_patient_pages_label_every_control_and_have_no_inline_code(patient_client, patient, today, path):
    make_day(
        patient,
        today - timedelta(days=3),
        headaches=[{"intensity": 4}],
        medications=[{"name": "Co-codamol 8/500", "drug_class": "combination_analgesic"}],
    )
    page = patient_client.get(path.format(past=today - timedelta(days=3)))
    assert page.status_code == 200
    controls = Controls()
    controls.feed(page.text)
    assert controls.unlabelled() == []
    assert controls.inline == []
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_day_editor_works_without_javascript_as_one_form(patient_client):
    page = patient_client.get("/today").text
    fields = form_fields(page)
    # Everything the day needs is in the one form, with the API's field names.
    for name in (
        "csrf_token",
        "version",
        "soreness",
        "exercises_done",
        "headaches.0.type",
        "headaches.0.duration_minutes",
        "notes",
        "triggers_other",
    ):
        assert name in fields, name
    assert re.search(r'<input type="radio" name="headaches\.0\.intensity" value="10"', page)
    assert re.search(r'<input type="radio" name="headache_today" value="yes"', page)
    assert re.search(r'<button class="primary big" type="submit">Save today</button>', page)


# -- The page that answers a save names it, for the phone's kept copy (static/js/offline.js) --

ANSWERED = re.compile(r'<meta name="diary-save-answered" content="([^"]*)">')


@pytest.mark.parametrize(
    "entry, named",
    [
        ("lq3k2x-ab12cd34", "lq3k2x-ab12cd34"),
        ("", None),
        ('"><script>', None),  # never echoed: only an id of the shape offline.js makes
    ],
)
def test_the_page_answering_a_save_names_the_day_and_the_phones_copy(patient_client, today, entry, named):
    fields = form_fields(patient_client.get("/today").text)
    fields.add("outbox_entry", entry)
    patient_client.post(f"/days/{today}", data=fill(fields, headache_today="no"))
    landing = patient_client.get("/today").text
    assert ANSWERED.findall(landing) == [f"{today} {named}" if named else today.isoformat()]
    assert "save-answered" not in landing.replace('name="diary-save-answered"', "")
    assert ANSWERED.findall(patient_client.get("/today").text) == []  # only the page that answers it


def test_a_form_sent_back_with_errors_answers_the_save_too(patient_client, today):
    fields = form_fields(patient_client.get("/today").text)
    fields.add("outbox_entry", "lq3k2x-ab12cd34")
    response = patient_client.post(f"/days/{today}", data=fill(fields, headache_today="yes"))
    assert response.status_code == 422
    assert ANSWERED.findall(response.text) == [f"{today} lq3k2x-ab12cd34"]


def test_the_therapists_table_of_days_says_not_answered_for_an_open_question(app, patient, therapist):
    from .factories import link
    from .test_web_sharing import browser

    link(patient, therapist)
    today = clock.today(patient)
    make_day(patient, today, soreness=2, had_headache=None)
    make_day(patient, today - timedelta(days=1), had_headache=False)
    page = browser(app, therapist).get(f"/therapist/patients/{patient.id}").text

    def row(day):
        return re.sub(
            r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split(f'id="day-{day}"')[1].split("</tr>")[0])
        )

    assert "Not answered" in row(today) and "✓" not in row(today)
    assert "✓ None" in row(today - timedelta(days=1)) and "Not answered" not in row(today - timedelta(days=1))
    assert "Not logged" in row(today - timedelta(days=2))
