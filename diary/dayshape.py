"""The shape of a diary day, declared once.

A day record holds the day's own fields and two lists of items: its headaches and its
medications. Each field is declared here once: its name, its JSON contract (a marshmallow field
with its rules and messages), its value when left out, and how the HTML day form carries it.
The rest follows from this module: diary/schemas/days.py builds DaySchema, HeadacheSchema and
MedicationSchema from it; the write path (operations/days.py) writes these columns and
fingerprints these fields; web/forms.py reads and fills the day form with these carriers.

Written by hand and tested against it: the models and their migration (tests/test_dayshape.py),
the offline mapping in static/js/day.js (tests/browser/test_mapping.py), and the input on
the day page (templates/day.html). docs/changing.md lists the files a new field touches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, validate
from marshmallow import fields as ma

from . import redflags
from . import vocabulary as vocab
from .fieldtypes import Bool, HourMinute, Int, Trimmed, WordList, one_of

# How the day form carries a field (static/js/day.js has the same kinds):
#   number   a text box or a choice of numbers; blank is left out, anything else not a whole
#            number is passed on as text for the schema to refuse
#   text     a text box, a time or a choice with a blank option; blank is left out
#   choice   a choice with no blank option: always sent, so it alone never makes a list row
#   name     a text box always read, trimmed (a medicine's name)
#   yes_no   "yes" or "no"; anything else is left out
#   words    checkboxes, one value each; none ticked is left out
#   triggers the trigger checkboxes, plus a text box `triggers_other` of words split by commas


@dataclass(frozen=True)
class Field:
    """One field of a day, a headache or a medication."""

    name: str
    json: Callable[..., ma.Field]  # the marshmallow field; given load_default unless required/derived
    form: str  # one of the kinds above
    default: Any = None  # the value when left out (a callable makes a fresh one)
    required: bool = False  # the JSON must give it
    derived: bool = False  # left out, it follows from the rest of the day (see answer_left_out)
    form_name: str = ""  # the form field's name, when it is not the API's

    def schema_field(self) -> ma.Field:
        """A fresh marshmallow field for a schema."""
        if self.required or self.derived:
            return self.json()
        return self.json(load_default=self.default)

    def empty(self) -> Any:
        """The value of this field in a day with nothing logged."""
        return self.default() if callable(self.default) else self.default

    @property
    def in_form(self) -> str:
        return self.form_name or self.name


@dataclass(frozen=True)
class Items:
    """A list of items of a day (its headaches, its medications)."""

    name: str
    fields: tuple[Field, ...]
    max_items: int
    too_many: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def schema_field(self, item_schema) -> ma.Field:
        """The marshmallow list of `item_schema` (built from `fields`) for DaySchema."""
        return ma.List(
            ma.Nested(item_schema),
            load_default=list,
            validate=validate.Length(max=self.max_items, error=self.too_many),
        )


def _trigger_word(value: str) -> None:
    if not 1 <= len(value) <= 40:
        raise ValidationError("Each trigger is 1 to 40 characters.")


def _range(low: int, high: int, error: str) -> validate.Range:
    return validate.Range(low, high, error=error)


HEADACHE = Items(
    "headaches",
    (
        Field("start", lambda **kw: HourMinute(allow_none=True, **kw), "text"),
        Field(
            "duration_minutes",
            lambda **kw: Int(
                allow_none=True, validate=_range(1, 4320, "Duration is 1 to 4,320 minutes (3 days)."), **kw
            ),
            "number",
        ),
        Field(
            "intensity",
            lambda: Int(
                required=True,
                validate=_range(1, 10, "Intensity is a number from 1 to 10."),
                error_messages={"required": "Say how bad the headache was, from 1 to 10."},
            ),
            "number",
            required=True,
        ),
        Field(
            "type",
            lambda **kw: ma.String(validate=one_of(vocab.HEADACHE_TYPES, "type"), **kw),
            "choice",
            default="unsure",
        ),
        Field(
            "side",
            lambda **kw: ma.String(allow_none=True, validate=one_of(vocab.SIDES, "side"), **kw),
            "text",
        ),
        Field("locations", lambda **kw: WordList(vocab.LOCATIONS, "place", **kw), "words", default=list),
        Field("symptoms", lambda **kw: WordList(vocab.SYMPTOMS, "symptom", **kw), "words", default=list),
        Field("neck_provoked", lambda **kw: Bool(allow_none=True, **kw), "yes_no"),
    ),
    max_items=12,
    too_many="At most 12 headaches in a day.",
)

MEDICATION = Items(
    "medications",
    (
        Field(
            "name",
            lambda: Trimmed(
                required=True,
                validate=validate.Length(1, 80, error="Give the medication's name (1 to 80 characters)."),
                error_messages={"required": "Give the medication's name."},
            ),
            "name",
            required=True,
        ),
        Field(
            "drug_class",
            lambda: ma.String(
                required=True,
                validate=one_of(vocab.DRUG_CLASSES, "kind"),
                error_messages={"required": "Say what kind of medication it is."},
            ),
            "text",
            required=True,
        ),
        Field(
            "doses", lambda **kw: Int(validate=_range(1, 20, "Doses are 1 to 20."), **kw), "number", default=1
        ),
        Field("time", lambda **kw: HourMinute(allow_none=True, **kw), "text"),
        Field(
            "relief",
            lambda **kw: ma.String(allow_none=True, validate=one_of(vocab.RELIEF, "relief"), **kw),
            "text",
        ),
    ),
    max_items=20,
    too_many="At most 20 medications in a day.",
)

ITEMS = (HEADACHE, MEDICATION)

# The day's own fields, one value each.
DAY = (
    # docs/clinical-rules.md section 1: true (with at least one headache), false (a confirmed
    # headache-free day) or null (not answered). The form asks it as "headache_today".
    Field("had_headache", lambda: Bool(allow_none=True), "yes_no", derived=True, form_name="headache_today"),
    Field(
        "soreness",
        lambda **kw: Int(allow_none=True, validate=_range(0, 10, "Soreness is 0 to 10."), **kw),
        "number",
    ),
    Field("exercises_done", lambda **kw: Bool(allow_none=True, **kw), "yes_no"),
    Field(
        "triggers",
        lambda **kw: ma.List(
            ma.String(validate=_trigger_word),
            validate=validate.Length(max=20, error="At most 20 triggers."),
            **kw,
        ),
        "triggers",
        default=list,
    ),
    Field(
        "notes",
        lambda **kw: ma.String(
            allow_none=True,
            validate=validate.Length(max=2000, error="Notes are at most 2,000 characters."),
            **kw,
        ),
        "text",
    ),
    # Warning signs the patient reported (diary/redflags.py, docs/red-flags.md).
    Field("red_flags", lambda **kw: WordList(redflags.CODES, "warning sign", **kw), "words", default=list),
)

DAY_NAMES = tuple(f.name for f in DAY)
CONTENT_NAMES = (*DAY_NAMES, *(items.name for items in ITEMS))  # what a day record holds


def day_field(name: str) -> Field:
    """The day's own field called `name`."""
    return next(f for f in DAY if f.name == name)


def answer_left_out(headaches: list) -> bool | None:
    """`had_headache` of a record that leaves it out: true with headaches, else not answered."""
    return True if headaches else None


def answer_problem(had_headache: bool | None, headaches: list) -> str | None:
    """What is wrong when `had_headache` and the headaches disagree (None when they agree)."""
    if had_headache is True and not headaches:
        return "You said you had a headache: add it, with how bad it was from 1 to 10."
    if had_headache is False and headaches:
        return "You said you had no headache, but a headache is logged: remove it or answer Yes."
    if had_headache is None and headaches:
        return "A headache is logged, so the headache question is answered: send true, or leave it out."
    return None


def empty_day() -> dict[str, Any]:
    """The content of a day with nothing logged (the question not answered)."""
    return {**{f.name: f.empty() for f in DAY}, **{items.name: [] for items in ITEMS}}


def content(day: Any) -> dict[str, Any]:
    """A day's content (from a dict as DaySchema loads it, or any object with the attributes,
    such as a DayRecord) as plain values: the day's fields, and each item's fields."""
    get = day.get if isinstance(day, dict) else (lambda name: getattr(day, name))
    plain = {name: get(name) for name in DAY_NAMES}
    for items in ITEMS:
        plain[items.name] = [
            {name: (item[name] if isinstance(item, dict) else getattr(item, name)) for name in items.names}
            for item in get(items.name)
        ]
    return plain


# -- The HTML day form ----------------------------------------------------------------------------

_WHOLE_NUMBER = re.compile(r"-?\d{1,6}")


def _number(value: str | None) -> Any:
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    return int(value) if _WHOLE_NUMBER.fullmatch(value) else value


def _text(value: str | None) -> str | None:
    return None if value in (None, "") else value


def read_form(field: Field, form, key: str) -> Any:
    """The value the form gives for `field` under `key`; None when it leaves the field out."""
    kind = field.form
    if kind == "number":
        return _number(form.get(key))
    if kind in ("text", "choice"):
        return _text(form.get(key))
    if kind == "name":
        return (form.get(key) or "").strip()
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(form.get(key) or "")
    if kind == "words":
        return form.getlist(key) or None
    if kind == "triggers":
        words = [t for t in form.getlist(key) if t.strip()]
        words += [t.strip() for t in (form.get(f"{key}_other") or "").split(",") if t.strip()]
        return words or None
    raise ValueError(f"unknown form kind {kind!r}")


def write_form(field: Field, form, key: str, value: Any) -> None:
    """Put `value` (as DaySchema dumps it) into the MultiDict `form` under `key`."""
    kind = field.form
    if kind in ("words", "triggers"):
        form.setlist(key, list(value or []))
    elif kind == "yes_no":
        form[key] = "yes" if value is True else "no" if value is False else ""
    else:
        form[key] = "" if value is None else str(value)


def form_kinds() -> dict[str, list[list[str]]]:
    """[API name, form name, kind] of every field, by part: what offline.js's FORM_FIELDS holds."""
    return {
        "day": [[f.name, f.in_form, f.form] for f in DAY],
        **{items.name: [[f.name, f.in_form, f.form] for f in items.fields] for items in ITEMS},
    }
