"""HTML form data to the API's day shape, so both go through the same schema and rules.

Field names are the API's, with list items numbered: `headaches.0.intensity`,
`medications.1.doses`, `triggers`, `soreness`. Errors come back keyed the same way, so each
message is shown next to its field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from .. import dayshape, redflags
from .. import vocabulary as vocab
from ..errors import InvalidInput
from ..schemas import DaySchema, SessionBodySchema, flatten_errors

_ITEM = re.compile(r"^(headaches|medications)\.(\d{1,2})\.([a-z_]+)$")
_CATALOGUE_CLASSES = {name.casefold(): drug_class for name, drug_class in vocab.MEDICATION_CATALOGUE}
# Offered with 0 doses on every day, after the patient's own medicines.
COMMON_PICKS = ("Paracetamol 500 mg", "Ibuprofen 400 mg", "Co-codamol 8/500")
_ANSWER = dayshape.day_field("had_headache")  # the headache question (form: headache_today)
# A headache block whose only values are those its form always sends (the type) is unused.
_ALWAYS_SENT = tuple(f.in_form for f in dayshape.HEADACHE.fields if f.form == "choice")


def _blank_to_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _indices(form: MultiDict, kind: str) -> list[int]:
    found = {int(m.group(2)) for key in form.keys() if (m := _ITEM.match(key)) and m.group(1) == kind}
    return sorted(found)


def _read(form: MultiDict, fields, prefix: str = "") -> dict[str, Any]:
    """The fields the form gives values for (dayshape carriers); those left out are absent."""
    return {
        f.name: value
        for f in fields
        if (value := dayshape.read_form(f, form, prefix + f.in_form)) is not None
    }


def _headache(form: MultiDict, i: int) -> dict[str, Any] | None:
    prefix = f"headaches.{i}."
    if form.get(prefix + "remove"):
        return None
    item = _read(form, dayshape.HEADACHE.fields, prefix)
    # A block left at its defaults (nothing but the type) is an unused blank row.
    return item if set(item) - set(_ALWAYS_SENT) else None


def _medication(form: MultiDict, i: int) -> dict[str, Any] | None:
    prefix = f"medications.{i}."
    item = _read(form, dayshape.MEDICATION.fields, prefix)
    if form.get(prefix + "remove") or item.get("doses") == 0 or not (item["name"] or "drug_class" in item):
        return None  # a remembered medication left at 0 doses, or an untouched blank row
    if "drug_class" not in item and item["name"].casefold() in _CATALOGUE_CLASSES:
        item["drug_class"] = _CATALOGUE_CLASSES[item["name"].casefold()]  # typed from the list
    return item


def day_from_form(form: MultiDict) -> tuple[dict[str, Any], dict[str, dict[int, int]]]:
    """The API-shaped day a form describes, and for each list which form row each item came from.

    A field the form leaves blank is left out, so DaySchema's default applies: an unanswered
    headache question reads true when headaches are entered and null when none are. "No" drops
    whatever headache rows were filled."""
    rows: dict[str, dict[int, int]] = {"headaches": {}, "medications": {}}
    day: dict[str, Any] = {"headaches": [], "medications": [], **_read(form, dayshape.DAY)}
    for kind, read_item in (("headaches", _headache), ("medications", _medication)):
        if kind == "headaches" and day.get(_ANSWER.name) is False:
            continue
        for i in _indices(form, kind):
            if (item := read_item(form, i)) is not None:
                rows[kind][len(day[kind])] = i
                day[kind].append(item)
    return day, rows


def _form_key(key: str, rows: dict[str, dict[int, int]]) -> str:
    parts = key.split(".")
    if len(parts) >= 2 and parts[0] in rows and parts[1].isdigit():
        parts[1] = str(rows[parts[0]].get(int(parts[1]), parts[1]))
    elif len(parts) == 1:
        parts[0] = next((f.in_form for f in dayshape.DAY if f.name == key), key)
    return ".".join(parts)


def load_day_form(form: MultiDict) -> dict[str, Any]:
    """Validated day data from a form; InvalidInput keyed by the form's own field names.

    The headache question may stay unanswered; "Yes" needs a headache with its intensity."""
    raw, rows = day_from_form(form)
    errors: dict[str, list[str]] = {}
    if raw.get(_ANSWER.name) is True and not raw["headaches"]:
        first = min(_indices(form, "headaches"), default=0)
        errors[f"headaches.{first}.intensity"] = ["Say how bad the headache was, from 1 to 10."]
        del raw[_ANSWER.name]  # said better above than DaySchema would
    try:
        data = DaySchema().load(raw)
    except ValidationError as error:
        errors.update({_form_key(k, rows): v for k, v in flatten_errors(error.messages).items()})
    if errors:
        raise InvalidInput(errors)
    return data


def day_to_form(day: dict[str, Any] | None) -> MultiDict:
    """A stored day (as DaySchema dumps it) in the form's field names, to fill the editor."""
    form: MultiDict = MultiDict()
    if day is None:
        return form
    for f in dayshape.DAY:
        dayshape.write_form(f, form, f.in_form, day.get(f.name))
    for items in dayshape.ITEMS:
        for i, item in enumerate(day[items.name]):
            for f in items.fields:
                dayshape.write_form(f, form, f"{items.name}.{i}.{f.in_form}", item.get(f.name))
    return form


# -- The editor's layout: which rows to show, from the form being edited ----------------------

_INTENSITY = next(f for f in dayshape.HEADACHE.fields if f.name == "intensity")


def asks_headache_flags(form: MultiDict) -> bool:
    """Whether the day form opens the headache warning signs (docs/red-flags.md): a headache of
    intensity 7 or more, or one that came on suddenly, or a headache sign already chosen."""
    headache_codes = {flag.code for flag in redflags.HEADACHE}
    if headache_codes & set(form.getlist("red_flags")):
        return True
    for i in _indices(form, "headaches"):
        p = f"headaches.{i}."
        intensity = dayshape.read_form(_INTENSITY, form, p + "intensity")
        if (
            isinstance(intensity, int) and intensity >= redflags.ASK_FROM_INTENSITY
        ) or "sudden" in form.getlist(p + "symptoms"):
            return True
    return False


def has_errors(errors: dict[str, list[str]], prefix: str) -> bool:
    """Whether any error is keyed under `prefix` (e.g. `headaches.0.`), to open its section."""
    return any(key.startswith(prefix) for key in errors)


def _filled(form: MultiDict, prefix: str, ignore: tuple[str, ...]) -> bool:
    return any(
        key.startswith(prefix)
        and key[len(prefix) :] not in ignore
        and any(v.strip() for v in form.getlist(key))
        for key in form.keys()
    )


@dataclass(frozen=True)
class MedicationRow:
    """One medication line of the editor; `known` ones show their name, new ones are typed."""

    index: int
    name: str
    drug_class: str
    doses: str
    time: str
    relief: str
    known: bool


@dataclass(frozen=True)
class EditorLayout:
    """Form row numbers for the day editor, so list items keep their numbers across an error."""

    headaches: list[int]
    another_headache: int
    medications: list[MedicationRow]
    new_medication: int


# What day.html reads that is the same on every day page, the offline copy's too (web/pwa.py).
EDITOR_FIXED = {
    "has_errors": has_errors,
    "vocab": vocab,
    "catalogue": vocab.MEDICATION_CATALOGUE,
    "redflags": redflags,
}


def editor_layout(
    form: MultiDict, errors: dict[str, list[str]], remembered: list[tuple[str, str]]
) -> EditorLayout:
    """Headache blocks and medication rows to show for `form` (stored day or what was sent)."""
    headaches = [
        i
        for i in _indices(form, "headaches")
        if _filled(form, f"headaches.{i}.", (*_ALWAYS_SENT, "remove"))
        or has_errors(errors, f"headaches.{i}.")
    ] or [0]
    rows: list[MedicationRow] = []
    for i in _indices(form, "medications"):
        p = f"medications.{i}."
        name = (form.get(p + "name") or "").strip()
        drug_class = form.get(p + "drug_class") or ""
        if not (name or drug_class or has_errors(errors, p)):
            continue  # the blank "add a medication" row of the page that was sent
        known = bool(name and drug_class) and not (errors.get(p + "name") or errors.get(p + "drug_class"))
        rows.append(
            MedicationRow(
                i,
                name,
                drug_class,
                form.get(p + "doses", ""),
                form.get(p + "time", ""),
                form.get(p + "relief", ""),
                known,
            )
        )
    next_index = max(_indices(form, "medications"), default=-1) + 1
    # The patient's own medicines first (most recent first), then the common ones they have not used.
    offered = [*remembered, *((n, c) for n, c in vocab.MEDICATION_CATALOGUE if n in COMMON_PICKS)]
    shown = {row.name.casefold() for row in rows}
    for name, drug_class in offered:
        if name.casefold() not in shown:
            shown.add(name.casefold())
            rows.append(MedicationRow(next_index, name, drug_class, "0", "", "", True))
            next_index += 1
    return EditorLayout(
        headaches=headaches, another_headache=max(headaches) + 1, medications=rows, new_medication=next_index
    )


_QUICK = {"soreness": "soreness", "exercises": "exercises_done"}  # action -> the field it sets


def load_quick_form(form: MultiDict) -> tuple[str, dict[str, Any]]:
    """The one-tap control a form sends (`action`) and the validated fields it changes.

    Raises InvalidInput for an unknown action or a value out of range: nothing is changed then.
    """
    action = form.get("action", "")
    if action == "no_headache":
        return action, {_ANSWER.name: False, "headaches": []}
    if action not in _QUICK:
        raise InvalidInput({"action": ["Choose one of the quick buttons."]})
    field = dayshape.day_field(_QUICK[action])
    raw = {field.name: dayshape.read_form(field, form, field.in_form)}
    try:
        return action, DaySchema(only=tuple(raw)).load(raw)
    except ValidationError as error:
        raise InvalidInput(flatten_errors(error.messages)) from None


# -- Treatment sessions --------------------------------------------------------------------------
# The session form has one row per muscle of the vocabulary, in its order: `muscles.3.muscle` (a
# hidden field naming it) and `muscles.3.side` (left, right, both, or empty for "not treated");
# the "Other" row has `muscles.7.name` too. Rows left empty are dropped, so the API's
# [{muscle, side, name}] holds the treated muscles only; a named other muscle without a side is
# kept, so that the schema asks for its side instead of losing the name.

_MUSCLE_ITEM = re.compile(r"^muscles\.(\d{1,2})\.(muscle|side|name)$")


def _muscle_rows(form: MultiDict) -> list[int]:
    return sorted({int(m.group(1)) for key in form.keys() if (m := _MUSCLE_ITEM.match(key))})


def session_from_form(form: MultiDict) -> tuple[dict[str, Any], dict[str, dict[int, int]]]:
    """The API-shaped session a form describes, and which form row each muscle came from."""
    rows: dict[str, dict[int, int]] = {"muscles": {}}
    session: dict[str, Any] = {
        "techniques": [t for t in form.getlist("techniques") if t],
        "muscles": [],
        "notes": _blank_to_none((form.get("notes") or "").strip()),
        "next_review_on": _blank_to_none((form.get("next_review_on") or "").strip()),
    }
    if date := (form.get("date") or "").strip():
        session["date"] = date
    for i in _muscle_rows(form):
        side = form.get(f"muscles.{i}.side") or ""
        muscle = form.get(f"muscles.{i}.muscle") or ""
        name = (form.get(f"muscles.{i}.name") or "").strip() if muscle == vocab.OTHER_MUSCLE else ""
        if side or name:
            rows["muscles"][len(session["muscles"])] = i
            session["muscles"].append({"muscle": muscle, "side": side, **({"name": name} if name else {})})
    return session, rows


def load_session_form(form: MultiDict) -> dict[str, Any]:
    """Validated session data from the form (SessionBodySchema, as the API takes it); InvalidInput
    keyed by the form's own field names."""
    raw, rows = session_from_form(form)
    try:
        return SessionBodySchema().load(raw)
    except ValidationError as error:
        raise InvalidInput(
            {_form_key(k, rows): v for k, v in flatten_errors(error.messages).items()}
        ) from None


def session_to_form(session: Any | None = None, **defaults: str) -> MultiDict:
    """A stored session in the form's field names (a muscle treated on the left and on the right
    is one row, "both"), or a blank form with `defaults`."""
    form: MultiDict = MultiDict(defaults)
    sides: dict[str, set[str]] = {}
    if session is not None:
        form["date"] = session.date.isoformat()
        form.setlist("techniques", list(session.techniques))
        form["notes"] = session.notes or ""
        form["next_review_on"] = session.next_review_on.isoformat() if session.next_review_on else ""
        for item in session.muscles:
            sides.setdefault(item["muscle"], set()).add(item["side"])
    # The form has one "Other" row: it shows the first other muscle's name.
    other = next((item["name"] for item in session.muscles if item.get("name")), "") if session else ""
    for i, muscle in enumerate(vocab.MUSCLES):
        form[f"muscles.{i}.muscle"] = muscle
        chosen = sides.get(muscle, set())
        if chosen:
            form[f"muscles.{i}.side"] = chosen.pop() if len(chosen) == 1 else "both"
        if muscle == vocab.OTHER_MUSCLE and other:
            form[f"muscles.{i}.name"] = other
    return form
