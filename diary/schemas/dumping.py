"""A schema's dump, worked out once: for answers of many records (two years of diary days).

marshmallow looks up every value of every record through several calls (the field, its
accessor, the schema's attribute getter) before formatting it; for 730 days with their items
that was most of the day list's time at clinic-network scale (bench/scale.py). `dumper(schema)`
reads the schema's fields once and gives a function that dumps one mapping exactly as
`schema.dump` would: each field's own `_serialize` formats each value, nested schemas are
dumped the same way, and a key missing from the mapping is left out (or given the field's dump
default), as marshmallow does. tests/test_dumping.py holds it to `schema.dump` on every day of
the demo diary and on edge cases.

Only for schemas without dump hooks (pre_dump, post_dump): dumper refuses any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields
from marshmallow.utils import missing

Dump = Callable[[Mapping[str, Any]], dict[str, Any]]


def dumper(schema: Schema) -> Dump:
    """A function that dumps one mapping as `schema.dump(mapping)` does."""
    if schema._hooks.get("pre_dump") or schema._hooks.get("post_dump"):
        raise TypeError(f"{type(schema).__name__} has dump hooks: use its own dump")
    plan = [
        (field.data_key or name, field.attribute or name, _value(field, name), field.dump_default)
        for name, field in schema.dump_fields.items()
    ]

    def dump(record: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for key, attribute, value_of, default in plan:
            value = record.get(attribute, missing)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            out[key] = value_of(value, record)
        return out

    return dump


def _value(field: fields.Field, name: str) -> Callable[[Any, Mapping], Any]:
    """How one field formats its value: nested records by their own dumper, lists item by item,
    anything else by the field's `_serialize`."""
    if _plain(field, fields.List) and _plain(field.inner, fields.Nested):
        field = field.inner
        many = True
    else:
        many = getattr(field, "many", False)
    if _plain(field, fields.Nested):
        nested = dumper(field.schema)
        if many:
            return lambda value, record: None if value is None else [nested(item) for item in value]
        return lambda value, record: None if value is None else nested(value)
    if _plain(field, fields.List):
        inner = field.inner
        return lambda value, record: (
            None if value is None else [inner._serialize(item, name, record) for item in value]
        )
    return lambda value, record: field._serialize(value, name, record)


def _plain(field: fields.Field, kind: type[fields.Field]) -> bool:
    """A field of this kind that formats values as the kind does (a subclass may not)."""
    return isinstance(field, kind) and type(field)._serialize is kind._serialize
