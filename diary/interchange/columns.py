"""The CSV files of an export and an import, their columns following the day's shape.

days.csv has a row per day, headaches.csv and medications.csv a row per item (its day's date and
its number in the day), sessions.csv a row per treatment session. A cell holds what the day form
would carry (diary/dayshape.py's carriers): yes or no, a number, a time HH:MM, words separated
by semicolons; blank is left out.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from .. import dayshape

LIST_SEPARATOR = "; "
LIST_KINDS = ("words", "triggers")
YES_NO = {"yes": "yes", "no": "no", "true": "yes", "false": "no", "y": "yes", "n": "no", "": ""}
ITEM_NUMBER = "number"  # an item's place in its day, from 1

DAYS_FILE = "days.csv"
SESSIONS_FILE = "sessions.csv"
ITEM_FILES = {items.name: f"{items.name}.csv" for items in dayshape.ITEMS}
DAY_COLUMNS = ("date", *dayshape.DAY_NAMES)
ITEM_COLUMNS = {items.name: ("date", ITEM_NUMBER, *items.names) for items in dayshape.ITEMS}
SESSION_COLUMNS = ("date", "techniques", "muscles", "notes", "next_review_on", "therapist")


class _Cell:
    """What dayshape.write_form writes one field into (a MultiDict's two setters; lighter, as an
    export writes a cell for every field of every day)."""

    __slots__ = ("values",)

    def __init__(self):
        self.values: list[str] = []

    def setlist(self, key: str, values: list[str]) -> None:
        self.values = list(values)

    def __setitem__(self, key: str, value: str) -> None:
        self.values = [value]


def cell(field: dayshape.Field, value: Any) -> str:
    """A field's value (as DaySchema dumps it) as the text of its cell."""
    carrier = _Cell()
    dayshape.write_form(field, carrier, field.name, value)
    if field.form in LIST_KINDS:
        return LIST_SEPARATOR.join(carrier.values)
    return carrier.values[0] if carrier.values else ""


class CellError(ValueError):
    """A cell that cannot be read, with the message in plain words."""


def value(field: dayshape.Field, text: str) -> Any:
    """A cell's text as the day form would pass it on to DaySchema; None when left out."""
    text = text.strip()
    form: MultiDict = MultiDict()
    if field.form in LIST_KINDS:
        form.setlist(field.name, [word.strip() for word in text.split(";") if word.strip()])
    elif field.form == "yes_no":
        if text.lower() not in YES_NO:
            raise CellError("Write yes or no, or leave it blank.")
        form[field.name] = YES_NO[text.lower()]
    else:
        form[field.name] = text
    return dayshape.read_form(field, form, field.name)


def day_row(day: dict[str, Any]) -> list[str]:
    """A day (as DaySchema dumps it) as its row of days.csv."""
    return [day["date"], *(cell(f, day[f.name]) for f in dayshape.DAY)]


def item_rows(items: dayshape.Items, day: dict[str, Any]) -> list[list[str]]:
    """The rows of a day's headaches (or medications) in their file."""
    return [
        [day["date"], str(number), *(cell(f, item[f.name]) for f in items.fields)]
        for number, item in enumerate(day[items.name], start=1)
    ]
