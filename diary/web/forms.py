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

from .. import vocabulary as vocab
from ..errors import InvalidInput
from ..schemas import DaySchema, SessionBodySchema, flatten_errors

_HEADACHE_INTS = ("intensity", "duration_minutes")
_HEADACHE_TEXT = ("start", "type", "side")
_HEADACHE_LISTS = ("locations", "symptoms")
_MEDICATION_TEXT = ("name", "drug_class", "time", "relief")
_ITEM = re.compile(r"^(headaches|medications)\.(\d{1,2})\.([a-z_]+)$")
_CATALOGUE_CLASSES = {name.casefold(): drug_class for name, drug_class in vocab.MEDICATION_CATALOGUE}
# Offered with 0 doses until the patient has medications of their own to remember.
COMMON_PICKS = ("Paracetamol 500 mg", "Ibuprofen 400 mg", "Co-codamol 8/500")


def _number(value: str | None) -> Any:
    """A whole number from a text box; anything else is passed on for the schema to refuse."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    return int(value) if re.fullmatch(r"-?\d{1,6}", value) else value


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _blank_to_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _indices(form: MultiDict, kind: str) -> list[int]:
    found = {int(m.group(2)) for key in form.keys() if (m := _ITEM.match(key)) and m.group(1) == kind}
    return sorted(found)


def _headache(form: MultiDict, i: int) -> dict[str, Any] | None:
    prefix = f"headaches.{i}."
    if form.get(prefix + "remove"):
        return None
    item: dict[str, Any] = {}
    for field in _HEADACHE_INTS:
        if (value := _number(form.get(prefix + field))) is not None:
            item[field] = value
    for field in _HEADACHE_TEXT:
        if (value := _blank_to_none(form.get(prefix + field))) is not None:
            item[field] = value
    for field in _HEADACHE_LISTS:
        if values := form.getlist(prefix + field):
            item[field] = values
    if (neck := _yes_no(form.get(prefix + "neck_provoked"))) is not None:
        item["neck_provoked"] = neck
    # A block left at its defaults (nothing but the type) is an unused blank row.
    return item if set(item) - {"type"} else None


def _medication(form: MultiDict, i: int) -> dict[str, Any] | None:
    prefix = f"medications.{i}."
    doses = _number(form.get(prefix + "doses"))
    name = (form.get(prefix + "name") or "").strip()
    drug_class = _blank_to_none(form.get(prefix + "drug_class"))
    if form.get(prefix + "remove") or doses == 0 or (not name and drug_class is None):
        return None  # a remembered medication left at 0 doses, or an untouched blank row
    item: dict[str, Any] = {"name": name}
    if doses is not None:
        item["doses"] = doses
    for field in _MEDICATION_TEXT[1:]:
        if (value := _blank_to_none(form.get(prefix + field))) is not None:
            item[field] = value
    if "drug_class" not in item and name.casefold() in _CATALOGUE_CLASSES:
        item["drug_class"] = _CATALOGUE_CLASSES[name.casefold()]  # typed from the list
    return item


def day_from_form(form: MultiDict) -> tuple[dict[str, Any], dict[str, dict[int, int]]]:
    """The API-shaped day a form describes, and for each list which form row each item came from."""
    rows: dict[str, dict[int, int]] = {"headaches": {}, "medications": {}}
    day: dict[str, Any] = {"headaches": [], "medications": []}
    if form.get("headache_today") != "no":
        for i in _indices(form, "headaches"):
            if (item := _headache(form, i)) is not None:
                rows["headaches"][len(day["headaches"])] = i
                day["headaches"].append(item)
    for i in _indices(form, "medications"):
        if (item := _medication(form, i)) is not None:
            rows["medications"][len(day["medications"])] = i
            day["medications"].append(item)
    day["soreness"] = _number(form.get("soreness"))
    day["exercises_done"] = _yes_no(form.get("exercises_done"))
    triggers = [t for t in form.getlist("triggers") if t.strip()]
    triggers += [t.strip() for t in (form.get("triggers_other") or "").split(",") if t.strip()]
    day["triggers"] = triggers
    day["notes"] = form.get("notes") or None
    return day, rows


def _form_key(key: str, rows: dict[str, dict[int, int]]) -> str:
    parts = key.split(".")
    if len(parts) >= 2 and parts[0] in rows and parts[1].isdigit():
        parts[1] = str(rows[parts[0]].get(int(parts[1]), parts[1]))
    return ".".join(parts)


def load_day_form(form: MultiDict) -> dict[str, Any]:
    """Validated day data from a form; InvalidInput keyed by the form's own field names."""
    raw, rows = day_from_form(form)
    errors: dict[str, list[str]] = {}
    if not raw["headaches"]:
        if form.get("headache_today") == "yes":
            first = min(_indices(form, "headaches"), default=0)
            errors[f"headaches.{first}.intensity"] = ["Say how bad the headache was, from 1 to 10."]
        elif form.get("headache_today") != "no":
            errors["headache_today"] = ["Say whether you had a headache: tap No or Yes."]
    try:
        data = DaySchema().load(raw)
    except ValidationError as error:
        errors.update({_form_key(k, rows): v for k, v in flatten_errors(error.messages).items()})
    if errors:
        raise InvalidInput(errors)
    return data


def _form_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def day_to_form(day: dict[str, Any] | None) -> MultiDict:
    """A stored day (as DaySchema dumps it) in the form's field names, to fill the editor."""
    form: MultiDict = MultiDict()
    if day is None:
        return form
    form["headache_today"] = "yes" if day["headaches"] else "no"
    for kind in ("headaches", "medications"):
        for i, item in enumerate(day[kind]):
            for field, value in item.items():
                if isinstance(value, list):
                    form.setlist(f"{kind}.{i}.{field}", value)
                else:
                    form[f"{kind}.{i}.{field}"] = _form_text(value)
    for field in ("soreness", "exercises_done", "notes"):
        form[field] = _form_text(day.get(field))
    form.setlist("triggers", day.get("triggers") or [])
    return form


# -- The editor's layout: which rows to show, from the form being edited ----------------------

def has_errors(errors: dict[str, list[str]], prefix: str) -> bool:
    """Whether any error is keyed under `prefix` (e.g. `headaches.0.`), to open its section."""
    return any(key.startswith(prefix) for key in errors)


def _filled(form: MultiDict, prefix: str, ignore: tuple[str, ...]) -> bool:
    return any(key.startswith(prefix) and key[len(prefix):] not in ignore and
               any(v.strip() for v in form.getlist(key)) for key in form.keys())


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


def editor_layout(form: MultiDict, errors: dict[str, list[str]],
                  remembered: list[tuple[str, str]]) -> EditorLayout:
    """Headache blocks and medication rows to show for `form` (stored day or what was sent)."""
    headaches = [i for i in _indices(form, "headaches")
                 if _filled(form, f"headaches.{i}.", ("type", "remove"))
                 or has_errors(errors, f"headaches.{i}.")] or [0]
    rows: list[MedicationRow] = []
    for i in _indices(form, "medications"):
        p = f"medications.{i}."
        name = (form.get(p + "name") or "").strip()
        drug_class = form.get(p + "drug_class") or ""
        if not (name or drug_class or has_errors(errors, p)):
            continue  # the blank "add a medication" row of the page that was sent
        known = bool(name and drug_class) and not (errors.get(p + "name") or errors.get(p + "drug_class"))
        rows.append(MedicationRow(i, name, drug_class, form.get(p + "doses", ""),
                                  form.get(p + "time", ""), form.get(p + "relief", ""), known))
    next_index = max(_indices(form, "medications"), default=-1) + 1
    offered = list(remembered) or [(n, c) for n, c in vocab.MEDICATION_CATALOGUE if n in COMMON_PICKS]
    shown = {row.name.casefold() for row in rows}
    for name, drug_class in offered:
        if name.casefold() not in shown:
            shown.add(name.casefold())
            rows.append(MedicationRow(next_index, name, drug_class, "0", "", "", True))
            next_index += 1
    return EditorLayout(headaches=headaches, another_headache=max(headaches) + 1,
                        medications=rows, new_medication=next_index)


def load_quick_form(form: MultiDict) -> tuple[str, dict[str, Any]]:
    """The one-tap control a form sends (`action`) and the validated fields it changes.

    Raises InvalidInput for an unknown action or a value out of range: nothing is changed then.
    """
    action = form.get("action", "")
    raw: dict[str, Any]
    if action == "no_headache":
        return action, {"headaches": []}
    if action == "soreness":
        raw = {"soreness": _number(form.get("soreness"))}
    elif action == "exercises":
        raw = {"exercises_done": _yes_no(form.get("exercises_done"))}
    else:
        raise InvalidInput({"action": ["Choose one of the quick buttons."]})
    try:
        return action, DaySchema(only=tuple(raw)).load(raw)
    except ValidationError as error:
        raise InvalidInput(flatten_errors(error.messages)) from None


# -- Treatment sessions --------------------------------------------------------------------------
# The session form has one row per muscle of the vocabulary, in its order: `muscles.3.muscle` (a
# hidden field naming it) and `muscles.3.side` (left, right, both, or empty for "not treated").
# Rows left empty are dropped, so the API's [{muscle, side}] holds the treated muscles only.

_MUSCLE_ITEM = re.compile(r"^muscles\.(\d{1,2})\.(muscle|side)$")


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
        if side:
            rows["muscles"][len(session["muscles"])] = i
            session["muscles"].append({"muscle": form.get(f"muscles.{i}.muscle") or "", "side": side})
    return session, rows


def load_session_form(form: MultiDict) -> dict[str, Any]:
    """Validated session data from the form (SessionBodySchema, as the API takes it); InvalidInput
    keyed by the form's own field names."""
    raw, rows = session_from_form(form)
    try:
        return SessionBodySchema().load(raw)
    except ValidationError as error:
        raise InvalidInput({_form_key(k, rows): v
                            for k, v in flatten_errors(error.messages).items()}) from None


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
    for i, muscle in enumerate(vocab.MUSCLES):
        form[f"muscles.{i}.muscle"] = muscle
        chosen = sides.get(muscle, set())
        if chosen:
            form[f"muscles.{i}.side"] = chosen.pop() if len(chosen) == 1 else "both"
    return form
