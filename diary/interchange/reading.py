"""An import file read into days (docs/export-import.md "Bringing days in").

Two kinds of file come in: a JSON export of the diary, and a ZIP of CSV files (the CSV export, or
a paper diary typed into a spreadsheet). Each becomes a list of `Incoming` days, loaded by
DaySchema with the same rules as any day the patient saves, and a list of errors, each naming
the file, the row and the field in plain words. A ZIP is read with its sizes checked as it is
read (a small file that unpacks to gigabytes is refused before it does).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import ValidationError

from .. import dayshape
from ..schemas import DaySchema, flatten_errors
from . import columns

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # an import file: 20 MB (five years of CSV are under 1 MB)
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # everything a ZIP holds, unpacked
MAX_MEMBERS = 10  # files in a ZIP: the export has four
MAX_RATIO = 100  # unpacked bytes per packed byte, once a file passes RATIO_FROM bytes
RATIO_FROM = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 64 * 1024
_schema = DaySchema()


class Unreadable(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


@dataclass
class Incoming:
    """One day of an import: its date, its content as DaySchema loads it, and where it came from."""

    date: date
    data: dict[str, Any]
    row: int  # the day's row in its file (a CSV file's header is row 1; a JSON day counts from 1)
    file: str | None = None  # days.csv for a CSV day


@dataclass
class Reading:
    """What an import file holds: the days that load, and the errors of the rest."""

    days: list[Incoming] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int | None, field_name: str, message: str, file: str | None = None) -> None:
        self.errors.append({"file": file, "row": row, "field": field_name, "message": message})


def kind_of(body: bytes) -> str:
    """'zip' or 'json', by the file's first bytes; Unreadable otherwise."""
    if body.startswith(ZIP_MAGIC):
        return "zip"
    if body.lstrip()[:1] == b"{":
        return "json"
    raise Unreadable("This is not a diary file: choose a .json export or a .zip of CSV files.")


def read(body: bytes) -> Reading:
    """The days of an import file (a JSON export, or a ZIP of CSV files)."""
    if len(body) > MAX_UPLOAD_BYTES:
        raise Unreadable("The file is larger than 20 MB.")
    return read_zip(body) if kind_of(body) == "zip" else read_json(body)


def read_or_refusal(body: bytes) -> Reading | Unreadable:
    """`read`, with a file that cannot be read at all answered by its Unreadable (to show)."""
    try:
        return read(body)
    except Unreadable as refusal:
        return refusal


def _parse_date(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        return None


def _load(reading: Reading, raw: dict[str, Any], row: int, where, file: str | None = None) -> None:
    """Load one day with DaySchema; its errors, each placed by `where(field path)` -> (file, row, field)."""
    try:
        data = _schema.load(raw)
    except ValidationError as error:
        for path, messages in flatten_errors(error.messages).items():
            file, error_row, name = where(path)
            for message in messages:
                reading.error(error_row, name, message, file)
        return
    reading.days.append(Incoming(data["date"], data, row, file))


def _no_duplicates(reading: Reading, dated: Iterable[tuple[date, int]], file: str | None) -> set[date]:
    """The dates given twice, each reported at its second row."""
    first_row: dict[date, int] = {}
    twice = set()
    for day, row in dated:
        if day in first_row:
            twice.add(day)
            reading.error(
                row,
                "date",
                f"The date {day.isoformat()} is given twice (rows {first_row[day]} and {row}).",
                file,
            )
        else:
            first_row[day] = row
    return twice


def carried(days: list[Incoming]) -> str:
    """Days already read, as text a page can carry to its confirming form (the preview's file
    need not be sent again): a JSON export of them, compressed, in base64."""
    document = {"format_version": 1, "days": _schema.dump([d.data for d in days], many=True)}
    return base64.b64encode(zlib.compress(json.dumps(document).encode(), 6)).decode()


def uncarried(text: str) -> bytes:
    """The JSON export `carried` made (at most MAX_UPLOAD_BYTES unpacked); Unreadable otherwise."""
    try:
        unpacker = zlib.decompressobj()
        body = unpacker.decompress(base64.b64decode(text, validate=True), MAX_UPLOAD_BYTES + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise Unreadable("The checked file was lost on the way: choose the file again.") from None
    if len(body) > MAX_UPLOAD_BYTES or unpacker.unconsumed_tail:
        raise Unreadable("The file is larger than 20 MB.")
    return body


# -- JSON ------------------------------------------------------------------------------------------


def read_json(body: bytes) -> Reading:
    """The days of a JSON export: `days` is a list of day records (other keys are not read)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise Unreadable("The file is not valid JSON: it may be cut short or not a diary export.") from None
    if not isinstance(document, dict) or not isinstance(document.get("days"), list):
        raise Unreadable('The file is not a diary export: it has no list of "days".')
    if document.get("format_version", 1) != 1:
        raise Unreadable("The file comes from a newer version of the diary than this one reads.")
    reading = Reading()
    dated = []
    for row, raw in enumerate(document["days"], start=1):
        if not isinstance(raw, dict):
            reading.error(row, "_day", "Each day is a JSON object.")
            continue
        day = _parse_date(raw.get("date"))
        if day is None:
            reading.error(row, "date", "Give the date as YYYY-MM-DD.")
            continue
        dated.append((day, row, raw))
    twice = _no_duplicates(reading, ((day, row) for day, row, _ in dated), None)
    for day, row, raw in dated:
        if day not in twice:
            _load(reading, raw, row, lambda path, row=row: (None, row, path))
    return reading


# -- A ZIP of CSV files -----------------------------------------------------------------------------


def _unpacked(archive: zipfile.ZipFile) -> dict[str, str]:
    """The text of each CSV file in the archive, with every size checked while it is read."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise Unreadable(f"The ZIP holds {len(members)} files; a diary ZIP holds at most {MAX_MEMBERS}.")
    if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
        raise Unreadable("The ZIP unpacks to more than 50 MB, far more than any diary.")
    texts, total = {}, 0
    for info in members:
        name = info.filename.rsplit("/", 1)[-1]
        chunks, size = [], 0
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                # zipfile itself reads no more than the size a file declares, and refuses one
                # whose content then fails its CRC check (BadZipFile: "damaged" below).
                if total > MAX_UNPACKED_BYTES:
                    raise Unreadable("The ZIP unpacks to more than 50 MB, far more than any diary.")
                if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
                    raise Unreadable("The ZIP is packed too tightly to be a diary: it is unsafe to unpack.")
                chunks.append(chunk)
        if name.lower().endswith(".csv"):
            try:
                texts[name.lower()] = b"".join(chunks).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise Unreadable(
                    f"{name} is not UTF-8 text: save it from the spreadsheet as CSV UTF-8."
                ) from None
    return texts


def read_zip(body: bytes) -> Reading:
    """The days of a ZIP of CSV files: days.csv (required), headaches.csv and medications.csv."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            texts = _unpacked(archive)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
    ) as error:
        if isinstance(error, Unreadable):
            raise
        raise Unreadable(
            "The ZIP file is damaged or uses a kind of packing this diary does not read."
        ) from None
    if columns.DAYS_FILE not in texts:
        raise Unreadable(f"The ZIP has no {columns.DAYS_FILE}: it is the one file an import needs.")
    reading = Reading()
    days = _days_csv(reading, texts[columns.DAYS_FILE])
    for items in dayshape.ITEMS:
        name = columns.ITEM_FILES[items.name]
        if name in texts:
            _items_csv(reading, items, name, texts[name], days)
    for day, (raw, row, origins) in sorted(days.items()):
        _load(reading, {"date": day.isoformat(), **raw}, row, _csv_place(row, origins), columns.DAYS_FILE)
    return reading


def _rows(reading: Reading, file: str, text: str, known: tuple[str, ...]) -> Iterable[tuple[int, dict]]:
    """Each row of a CSV file with its row number, as {column: text}; wrong columns are errors."""
    lines = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(lines, [])]
    unknown = [name for name in header if name not in known]
    if "date" not in header or unknown:
        if "date" not in header:
            reading.error(1, "date", f'A "date" column is needed in {file}.', file)
        for name in unknown:
            reading.error(
                1, name, f'The column "{name}" is not one this diary knows: use {", ".join(known)}.', file
            )
        return
    for row, cells in enumerate(lines, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) > len(header):
            reading.error(
                row, "_row", f"This row has {len(cells)} cells; the header names {len(header)}.", file
            )
            continue
        yield row, dict(zip(header, cells, strict=False))


def _cells(reading: Reading, file: str, row: int, fields, cells: dict[str, str]) -> dict[str, Any] | None:
    """The fields of a row that are given; None (with the errors reported) when one cannot be read."""
    values, ok = {}, True
    for f in fields:
        if f.name not in cells:
            continue
        try:
            value = columns.value(f, cells[f.name])
        except columns.CellError as error:
            reading.error(row, f.name, str(error), file)
            ok = False
            continue
        if value is not None:
            values[f.name] = value
    return values if ok else None


def _dated(reading: Reading, file: str, row: int, cells: dict[str, str]) -> date | None:
    day = _parse_date(cells["date"].strip())
    if day is None:
        reading.error(row, "date", f'The date "{cells["date"]}" is not written as YYYY-MM-DD.', file)
    return day


def _days_csv(reading: Reading, text: str) -> dict[date, tuple[dict, int, dict]]:
    """days.csv: {date: (the day's fields, its row, where each of its items came from)}."""
    file = columns.DAYS_FILE
    rows = []
    for row, cells in _rows(reading, file, text, columns.DAY_COLUMNS):
        if (day := _dated(reading, file, row, cells)) is not None:
            rows.append((day, row, cells))
    twice = _no_duplicates(reading, ((day, row) for day, row, _ in rows), file)
    days = {}
    for day, row, cells in rows:
        values = _cells(reading, file, row, dayshape.DAY, cells)
        if day not in twice and values is not None:
            days[day] = (values, row, {})
    return days


def _items_csv(reading: Reading, items: dayshape.Items, file: str, text: str, days: dict) -> None:
    """headaches.csv or medications.csv: each row an item of the day of its date, in order."""
    numbered = []
    for row, cells in _rows(reading, file, text, columns.ITEM_COLUMNS[items.name]):
        day = _dated(reading, file, row, cells)
        number = cells.get(columns.ITEM_NUMBER, "").strip()
        if number and not number.isdigit():
            reading.error(
                row, columns.ITEM_NUMBER, "The number is a whole number (1 for the day's first).", file
            )
            continue
        values = _cells(reading, file, row, items.fields, cells)
        if day is None or values is None:
            continue
        if day not in days:
            reading.error(row, "date", f"The date {day.isoformat()} has no row in {columns.DAYS_FILE}.", file)
            continue
        numbered.append((day, int(number) if number else row, row, values))
    for day, _, row, values in sorted(numbered, key=lambda n: (n[0], n[1])):
        raw, _, origins = days[day]
        origins.setdefault(items.name, []).append(row)
        raw.setdefault(items.name, []).append(values)


def _csv_place(row: int, origins: dict[str, list[int]]):
    """Where an error of a CSV day's field path is: (file, row, field)."""

    def where(path: str) -> tuple[str, int, str]:
        parts = path.split(".")
        if parts[0] in origins and len(parts) >= 2 and parts[1].isdigit():
            rows = origins[parts[0]]
            index = int(parts[1])
            item_row = rows[index] if index < len(rows) else None
            return columns.ITEM_FILES[parts[0]], item_row, ".".join(parts[2:]) or parts[0]
        return columns.DAYS_FILE, row, path

    return where
