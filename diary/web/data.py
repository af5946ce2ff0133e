"""The patient's data as files, on pages (docs/export-import.md): Account's "Bring in days from a
file" (upload, a preview of what would change, a choice for the conflicts, confirm), and the
one-page report for the GP from Progress. The downloads are the API's export, linked from
Account (templates/_account_data.html)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import reports
from .. import vocabulary as vocab
from ..access import rule
from ..interchange import reading
from ..operations.imports import import_days
from ..uploads import allows_body
from . import bp

FILE_FIELD = "file"


def _preview(read: reading.Reading | reading.Unreadable, status: int = 200):
    """The preview page: what the file would change, its errors, and the form that confirms it."""
    if isinstance(read, reading.Unreadable):
        return render_template("import_preview.html", unreadable=str(read), outcome=None), 422
    outcome = import_days(current_user, read, dry_run=True, replace=False)
    carried = reading.carried(read.days) if not outcome.errors else None
    return render_template(
        "import_preview.html", unreadable=None, outcome=outcome, carried=carried
    ), 422 if outcome.errors else status


@bp.post("/account/import")
@rule("patient_page")
@allows_body(reading.MAX_UPLOAD_BYTES)
def import_preview():
    upload = request.files.get(FILE_FIELD)
    if upload is None or not upload.filename:
        return _preview(reading.Unreadable("Choose a file first: a .json export or a .zip of CSV files."))
    return _preview(reading.read_or_refusal(upload.read(reading.MAX_UPLOAD_BYTES + 1)))


@bp.post("/account/import/confirm")
@rule("patient_page")
@allows_body(reading.MAX_UPLOAD_BYTES)
def import_confirm():
    try:
        read = reading.read(reading.uncarried(request.form.get("days", "")))
    except reading.Unreadable as error:
        return _preview(error)
    outcome = import_days(
        current_user, read, dry_run=False, replace=request.form.get("on_conflict") == "replace"
    )
    if outcome.errors:
        return _preview(read)
    left = len(outcome.unchanged) + len(outcome.conflicts)
    flash(
        f"Days brought in from the file: {len(outcome.created)} new, {len(outcome.replaced)} replaced; "
        f"left as they were: {left}."
    )
    return redirect(url_for("web.calendar_page"))


@bp.get("/progress/report")
@rule("patient_page")
def gp_report():
    return render_template(
        "gp_report.html",
        report=reports.gp_report(current_user),
        reasons=reports.PLAIN_OVERUSE_REASONS,
        vocab_techniques=vocab.TECHNIQUES,
    )
