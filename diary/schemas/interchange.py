"""Export and import (docs/api.md "Export and import"): the query strings and the import's answer."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .common import ProblemSchema


class ExportQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv", "fhir"], error="Choose json, csv or fhir."),
        metadata={
            "description": "json (the API's shapes), csv (a ZIP of CSV files) or fhir (a FHIR R4 Bundle)"
        },
    )


class ImportQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    dry_run = fields.Boolean(
        load_default=False,
        truthy={"true", "1", "yes"},
        falsy={"false", "0", "no"},
        error_messages={"invalid": "Give true or false."},
        metadata={"description": "true: answer what would happen, write nothing"},
    )
    on_conflict = fields.String(
        load_default="leave",
        validate=validate.OneOf(["leave", "replace"], error="Choose leave or replace."),
        metadata={"description": "a stored day with other content: leave it (the default) or replace it"},
    )


class ImportErrorSchema(Schema):
    file = fields.String(allow_none=True, metadata={"description": "the CSV file; null in a JSON export"})
    row = fields.Integer(
        allow_none=True,
        metadata={"description": "a CSV file's row (its header is 1), or a JSON day's place from 1"},
    )
    field = fields.String()
    message = fields.String()


class ImportResultSchema(Schema):
    created = fields.Integer()
    replaced = fields.Integer()
    unchanged = fields.Integer()
    conflicts = fields.List(fields.Date())
    errors = fields.List(fields.Nested(ImportErrorSchema))


class ImportProblemSchema(ProblemSchema, ImportResultSchema):
    """422 of an import, nothing written: problem+json with the import's answer when the file has
    problems (`errors` a list of ImportError), or the usual `errors` by field for a query string."""

    errors = fields.Raw(
        metadata={
            "description": "the file's problems: a list of {file, row, field, message}; or, for a "
            "query string that breaks a rule, {field: [messages]}"
        }
    )
