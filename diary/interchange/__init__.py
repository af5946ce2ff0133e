"""The patient's data in files (docs/export-import.md): the diary written out as JSON, a ZIP of CSV
files or a FHIR R4 Bundle, streamed; and a JSON export or a CSV ZIP read back in for an import.

- columns.py: the CSV files' columns, from the day's shape (diary/dayshape.py);
- export.py: the three exports as generators of bytes, over days read in batches;
- fhir.py: FHIR R4 resources of a day and of a treatment session (plain dicts);
- zipstream.py: a ZIP written as it is sent;
- reading.py: an import file read into days as DaySchema loads them, or errors by row and field.
"""
