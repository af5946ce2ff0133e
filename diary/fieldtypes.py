"""Marshmallow field types of the JSON contract: strict JSON values with messages for patients."""

from __future__ import annotations

from marshmallow import fields, validate


def one_of(choices, what: str) -> validate.OneOf:
    """A word from a fixed vocabulary, with one message for any other."""
    return validate.OneOf(list(choices), error=f"Choose a {what} from the list.")


def unique(items) -> list:
    """Keep the first of each repeated word, in the order given."""
    return list(dict.fromkeys(items))


class HourMinute(fields.Time):
    """A local time of day written HH:MM."""

    default_error_messages = {"invalid": "Give the time as HH:MM, for example 08:30."}
    # What strptime's %H:%M takes (it allows one digit in each part), said in the OpenAPI.
    PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5]?[0-9]$"

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": self.PATTERN, **kwargs.get("metadata", {})}
        super().__init__(format="%H:%M", **kwargs)


class Int(fields.Integer):
    """A JSON integer: no strings, no fractions, and no booleans (which Python counts as 1 and 0)."""

    default_error_messages = {"invalid": "Give a whole number."}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Bool(fields.Boolean):
    """A JSON true or false, nothing else."""

    default_error_messages = {"invalid": "Give true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Trimmed(fields.String):
    """Text whose surrounding spaces are not part of it (checked after trimming)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class WordList(fields.List):
    """A list of words from a fixed vocabulary; repeats are dropped."""

    def __init__(self, choices, what: str, **kwargs):
        super().__init__(fields.String(validate=one_of(choices, what)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return unique(super()._deserialize(value, attr, data, **kwargs))
