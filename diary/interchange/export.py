"""The three exports of one patient's diary as generators of bytes (docs/export-import.md).

Days come from `queries.days_in_batches`, a few hundred at a time, and each is written out as it
comes: the answer starts at once and memory holds one batch whatever the length of the diary.
Days are in the API's own shape (DaySchema), sessions in SessionSchema's.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .. import clinical, dayshape, queries
from ..models import User, utcnow
from ..schemas import DaySchema, SessionSchema
from . import columns, fhir
from .zipstream import zip_stream

FORMAT_VERSION = 1
SPOOL_BYTES = 1024 * 1024
SPOOL_CHUNK = 64 * 1024
_days = DaySchema(many=True)
_sessions = SessionSchema(many=True)


@dataclass(frozen=True)
class Export:
    """What an export answers: its media type, its file's name, and its bytes."""

    mimetype: str
    filename: str
    chunks: Iterator[bytes]


def _dumped_days(patient: User) -> Iterator[list[dict]]:
    for batch in queries.days_in_batches(patient):
        yield _days.dump(batch)


def _dumped_sessions(patient: User) -> list[dict]:
    return _sessions.dump(queries.list_sessions(patient))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_export(patient: User, now: datetime) -> Iterator[bytes]:
    """`{format_version, exported_at, rules_version, patient, days, sessions}`, days as they are read."""
    head = {
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(timespec="seconds"),
        "rules_version": clinical.RULES_VERSION,
        "patient": {"display_name": patient.display_name, "timezone": patient.timezone},
    }
    yield (_json(head)[:-1] + ',"days":[').encode()
    first = True
    for days in _dumped_days(patient):
        text = ",".join(_json(day) for day in days)
        yield (text if first else "," + text).encode()
        first = False
    yield ('],"sessions":' + _json(_dumped_sessions(patient)) + "}").encode()


def _csv_text(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _csv_lines(header: Iterable[str], batches: Iterable[list[list[str]]]) -> Iterator[bytes]:
    yield _csv_text([header]).encode()
    for rows in batches:
        yield _csv_text(rows).encode()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """Text a spreadsheet shows rather than runs: a cell starting like a formula gets a leading
    apostrophe. Only in sessions.csv, which a therapist wrote and an import never reads back; the
    day files hold the patient's own words and come back byte for byte."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _session_row(session: dict) -> list[str]:
    muscles = columns.LIST_SEPARATOR.join(
        f"{m['muscle']} {m['side']}" + (f" ({m['name']})" if m.get("name") else "")
        for m in session["muscles"]
    )
    therapist = session["therapist"]["display_name"] if session["therapist"] else ""
    return [
        session["date"],
        columns.LIST_SEPARATOR.join(session["techniques"]),
        muscles,
        _inert(session["notes"] or ""),
        session["next_review_on"] or "",
        _inert(therapist),
    ]


def csv_members(patient: User) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Each CSV file of the ZIP, from one read of the days: days.csv is sent as the days are read,
    while the rows of headaches.csv and medications.csv wait in a spooled file each (in memory
    up to SPOOL_BYTES, on disk beyond), sent after it."""
    spools = {items.name: tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) for items in dayshape.ITEMS}

    def day_rows() -> Iterator[list[list[str]]]:
        for days in _dumped_days(patient):
            for items in dayshape.ITEMS:
                rows = [row for day in days for row in columns.item_rows(items, day)]
                spools[items.name].write(_csv_text(rows).encode())
            yield [columns.day_row(day) for day in days]

    def spooled(items: dayshape.Items) -> Iterator[bytes]:
        spool = spools[items.name]
        spool.seek(0)
        yield _csv_text([columns.ITEM_COLUMNS[items.name]]).encode()
        while chunk := spool.read(SPOOL_CHUNK):
            yield chunk

    try:
        yield columns.DAYS_FILE, _csv_lines(columns.DAY_COLUMNS, day_rows())
        for items in dayshape.ITEMS:
            yield columns.ITEM_FILES[items.name], spooled(items)
        sessions = [_session_row(s) for s in _dumped_sessions(patient)]
        yield columns.SESSIONS_FILE, _csv_lines(columns.SESSION_COLUMNS, [sessions])
    finally:
        for spool in spools.values():
            spool.close()


def csv_export(patient: User, now: datetime) -> Iterator[bytes]:
    """A ZIP of days.csv, headaches.csv, medications.csv and sessions.csv (UTF-8, header rows)."""
    return zip_stream(csv_members(patient), now.astimezone(ZoneInfo(patient.timezone)))


def fhir_export(patient: User, now: datetime) -> Iterator[bytes]:
    """A FHIR R4 Bundle of type collection: the patient, then each day's resources, then sessions."""
    zone = ZoneInfo(patient.timezone)
    head = {
        "resourceType": "Bundle",
        "id": fhir.resource_id(patient.id, "export", now.isoformat()),
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds"),
    }
    yield (_json(head)[:-1] + ',"entry":[').encode()
    yield _json(fhir.entry(fhir.patient_resource(patient.id, patient.display_name))).encode()
    for days in _dumped_days(patient):
        resources = [resource for day in days for resource in fhir.day_resources(patient.id, day, zone)]
        if resources:
            yield ("," + ",".join(_json(fhir.entry(r)) for r in resources)).encode()
    sessions = [fhir.session_procedure(patient.id, s) for s in _dumped_sessions(patient)]
    yield ("".join("," + _json(fhir.entry(p)) for p in sessions) + "]}").encode()


FORMATS = {
    "json": ("application/json", "json", json_export),
    "csv": ("application/zip", "zip", csv_export),
    "fhir": ("application/fhir+json", "fhir.json", fhir_export),
}


def export(patient: User, format_name: str, now: datetime | None = None) -> Export:
    """The patient's diary in `format_name` (json, csv or fhir), to be streamed."""
    now = now or utcnow()
    mimetype, extension, write = FORMATS[format_name]
    filename = f"headache-diary-{patient.today(now).isoformat()}.{extension}"
    return Export(mimetype, filename, write(patient, now))
