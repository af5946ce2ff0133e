"""A ZIP archive written as it is sent: zipfile writes into a buffer that is emptied after every
chunk, so memory holds one chunk, never the archive (zipfile marks each entry with a data
descriptor when the stream cannot seek)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime


class _Drain:
    """A write-only stream whose written bytes are taken away by `take`."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._written = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        """Nothing to flush: `take` hands the bytes on."""

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_stream(members: Iterable[tuple[str, Iterable[bytes]]], when: datetime) -> Iterator[bytes]:
    """The bytes of a ZIP of `members` (a name, and its content in chunks), as they are made."""
    sink = _Drain()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=False) as member:
                for chunk in chunks:
                    member.write(chunk)
                    if data := sink.take():
                        yield data
            yield sink.take()
    yield sink.take()
