"""The patient's data as files (docs/api.md "Export and import", docs/export-import.md): the whole
diary exported as JSON, a ZIP of CSV files or a FHIR R4 Bundle, streamed; and days imported from
a JSON export or a CSV ZIP, previewed (dry run) or written all or nothing."""

from __future__ import annotations

from flask import Response, request, stream_with_context
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from ..access import rule
from ..errors import problem
from ..interchange import reading
from ..interchange.export import export
from ..models import User
from ..operations.imports import ImportOutcome
from ..operations.imports import import_days as import_read_days
from ..schemas.interchange import (
    ExportQuerySchema,
    ImportProblemSchema,
    ImportQuerySchema,
    ImportResultSchema,
)
from ..uploads import allows_body, init_uploads
from . import bp

IMPORT_TYPES = (
    "application/json",
    "application/zip",
    "application/x-zip-compressed",
    "application/octet-stream",
)
# The routes marked @allows_body get their body limit before the CSRF check reads a body.
bp.record_once(lambda state: init_uploads(state.app))


def exported(patient: User, format_name: str) -> Response:
    """The export as a streamed download."""
    made = export(patient, format_name)
    response = Response(stream_with_context(made.chunks), mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@bp.get("/patients/<pid>/export")
@rule("patient_or_linked_therapist", "the whole diary, exported as a file")
@bp.arguments(ExportQuerySchema, location="query")
@bp.response(
    200,
    description="The diary as a file: application/json, application/zip (CSV files) or "
    "application/fhir+json (a FHIR R4 Bundle of type collection)",
    content_type="application/json",
)
def export_diary(params: dict, patient: User):
    """The whole diary and its treatment sessions, as a file to download"""
    return exported(patient, params["format"])


def import_failed(answer: dict) -> Response:
    """422 problem+json carrying the import's answer: nothing was written."""
    count = len(answer["errors"])
    things = "1 thing needs" if count == 1 else f"{count} things need"
    detail = f"{things} fixing in the file. Nothing was saved."
    return problem(
        422,
        "The file has problems",
        detail,
        **{**answer, "conflicts": [d.isoformat() for d in answer["conflicts"]]},
    )


@bp.post("/patients/me/import")
@rule("patient")
@allows_body(reading.MAX_UPLOAD_BYTES)
@bp.arguments(ImportQuerySchema, location="query")
@bp.doc(
    requestBody={
        "required": True,
        "description": "A JSON export of the diary, or a ZIP of its CSV files (at most 20 MB)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["days"],
                    "properties": {"days": {"type": "array", "items": {"$ref": "#/components/schemas/Day"}}},
                }
            },
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    # One 422 for both kinds: a query string that breaks a rule (`errors` by field, as every
    # route), and a file with problems (`errors` by row, with the import's counts).
    responses={
        "422": {
            "description": "The file has problems, or the query string does; nothing was written",
            "content": {"application/problem+json": {"schema": ImportProblemSchema}},
        }
    },
)
@bp.response(200, ImportResultSchema)
@bp.problems(409)
def import_days(params: dict):
    """Bring in days from a file: with dry_run=true, what would happen; otherwise all or nothing"""
    if request.mimetype not in IMPORT_TYPES:
        raise UnsupportedMediaType(
            "Send a JSON export (application/json) or a ZIP of CSV files (application/zip)."
        )
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise RequestEntityTooLarge("The file is larger than 20 MB, more than a diary file can be.") from None
    read = reading.read_or_refusal(body)
    if isinstance(read, reading.Unreadable):
        error = {"file": None, "row": None, "field": "file", "message": str(read)}
        return import_failed(ImportOutcome(errors=[error]).answer())
    outcome = import_read_days(
        current_user, read, dry_run=params["dry_run"], replace=params["on_conflict"] == "replace"
    )
    if outcome.errors:
        return import_failed(outcome.answer())
    return outcome.answer()
