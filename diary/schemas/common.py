"""What every schema builds on: strict bodies, error messages by field, problem+json, and the one
date-range query (days, months, charts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validates_schema

from ..clinical.periods import Month
from ..errors import InvalidInput


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into docs/api.md's {"field.path": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for message in messages:
            for key, value in flatten_errors(message, prefix).items():
                flat.setdefault(key, []).extend(value)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


# U+0000 (PostgreSQL cannot store it in text) and lone surrogates (not encodable as UTF-8): both
# would end in a 500, and no one types them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    return isinstance(value, list) and any(isinstance(v, str) and _UNSTORABLE.search(v) for v in value)


class StrictSchema(Schema):
    """Unknown fields are an error, so a typo is never silently dropped."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _refuse_unstorable_characters(self, data, **kwargs):
        if isinstance(data, dict):
            errors = {
                key: ["Remove the invisible control character."]
                for key, value in data.items()
                if _unstorable(value)
            }
            if errors:
                raise ValidationError(errors)
        return data


class ProblemSchema(Schema):
    """application/problem+json (RFC 9457)."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


# -- Date ranges --------------------------------------------------------------------------------

# The dates a query may name. Far wider than any diary (docs/clinical-rules.md: 5 years back at most),
# and far enough from year 1 and year 9999 that no default or span runs off the calendar.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _OnCalendar:
    """A field (with fields.Date or fields.String after it) whose value lies from `earliest` to
    `latest`, else the error "off_calendar"; `parse` makes the value of what that field read
    (the date itself for fields.Date)."""

    earliest: date | Month
    latest: date | Month

    def _deserialize(self, value, attr, data, **kwargs):
        found = self.parse(super()._deserialize(value, attr, data, **kwargs))
        if not self.earliest <= found <= self.latest:
            raise self.make_error("off_calendar")
        return found

    def parse(self, read):
        return read


class DayField(_OnCalendar, fields.Date):
    """A date written YYYY-MM-DD, from EARLIEST to LATEST."""

    earliest, latest = EARLIEST, LATEST
    default_error_messages = {
        "invalid": "Give the date as YYYY-MM-DD.",
        "off_calendar": f"Give a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}.",
    }


class MonthField(_OnCalendar, fields.String):
    """A calendar month written YYYY-MM, from EARLIEST's to LATEST's."""

    earliest, latest = Month.of(EARLIEST), Month.of(LATEST)
    default_error_messages = {
        "invalid": "Give the month as YYYY-MM.",
        "off_calendar": f"Give a month from {earliest.label} to {latest.label}.",
    }

    def parse(self, text: str) -> Month:
        if not _MONTH.match(text):
            raise self.make_error("invalid")
        return Month(*(int(part) for part in text.split("-")))


@dataclass(frozen=True)
class Unit:
    """What a range counts in: days or months."""

    name: Literal["day", "month"]
    written: str  # how a query writes one: "YYYY-MM-DD", "YYYY-MM"

    def field(self, rule: str, **kwargs) -> fields.Field:
        """A `from` or `to` field; `rule` adds how it stands to the other one (422 otherwise)."""
        if self.name == "day":
            return DayField(
                load_default=None,
                metadata={
                    "description": f"{self.written}, {EARLIEST.isoformat()} to {LATEST.isoformat()}; {rule}"
                },
                **kwargs,
            )
        calendar = f"{Month.of(EARLIEST).label} to {Month.of(LATEST).label}"
        return MonthField(
            load_default=None,
            metadata={"pattern": _MONTH.pattern, "description": f"{self.written}, {calendar}; {rule}"},
            **kwargs,
        )

    def of(self, today: date) -> date | Month:
        return today if self.name == "day" else Month.of(today)

    def shift(self, value, count: int):
        return value + timedelta(days=count) if self.name == "day" else value.shift(count)

    def span(self, first, last) -> int:
        """How many days (months) from `first` to `last`, both counted."""
        if self.name == "day":
            return (last - first).days + 1
        return (last.year - first.year) * 12 + last.month - first.month + 1


DAY, MONTH = Unit("day", "YYYY-MM-DD"), Unit("month", "YYYY-MM")


class RangeQuerySchema(Schema):
    """`?from=&to=`, both optional: in order, on the calendar, at most MAX_SPAN units apart.

    Made by `range_query`; `resolve` fills in the defaults (DEFAULT_SPAN units ending with the
    patient's today) and checks the whole range, with a message per field."""

    class Meta:
        unknown = EXCLUDE

    UNIT: Unit = DAY
    MAX_SPAN: int = 0
    DEFAULT_SPAN: int | None = None

    @validates_schema(skip_on_field_errors=True)
    def _in_order_and_short_enough(self, data, **kwargs):
        _check(type(self), data.get("from_"), data.get("to"), ValidationError)

    @classmethod
    def resolve(cls, params: dict[str, Any], today: date) -> tuple[Any, Any]:
        """The range asked for with its defaults; InvalidInput when it breaks a rule."""
        if cls.DEFAULT_SPAN is None:
            raise TypeError(f"{cls.__name__} has no default range")
        last = params["to"] or cls.UNIT.of(today)
        first = params["from_"] or cls.UNIT.shift(last, 1 - cls.DEFAULT_SPAN)
        _check(cls, first, last, lambda message, field: InvalidInput({field: [message]}))
        return first, last


def _check(schema: type[RangeQuerySchema], first, last, error) -> None:
    if first is None or last is None:
        return
    if first > last:
        raise error("`from` is after `to`.", "from")
    if schema.UNIT.span(first, last) > schema.MAX_SPAN:
        raise error(f"Ask for at most {schema.MAX_SPAN:,} {schema.UNIT.name}s at a time.", "to")


def range_query(
    name: str, unit: Unit, *, max_span: int, default_span: int | None = None
) -> type[RangeQuerySchema]:
    """The query schema of a range of days or months: `from` and `to` in `unit`, at most
    `max_span` apart; by default (when `default_span` is given) the last `default_span`. Its
    description (the OpenAPI document's) says so from the same numbers."""
    default = ""
    if default_span is not None:
        now = "today" if unit is DAY else "current month"
        default = f", by default the {default_span} {unit.name}s up to the patient's {now}"
    return type(
        name,
        (RangeQuerySchema,),
        {
            "__doc__": f"`?from={unit.written}&to={unit.written}`: both optional{default}, at most "
            f"{max_span:,} {unit.name}s.",
            "UNIT": unit,
            "MAX_SPAN": max_span,
            "DEFAULT_SPAN": default_span,
            "from_": unit.field("on or before `to` (422 otherwise)", data_key="from"),
            "to": unit.field(
                f"on or after `from`, and at most {max_span:,} {unit.name}s from it, both counted "
                "(422 otherwise)"
            ),
        },
    )
