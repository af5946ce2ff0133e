"""Write brotli (.br) and gzip (.gz) copies of the static files, once, at the best ratio.

Run by `make install`/`make run`; the app serves a copy to browsers that accept it while the
copy is not older than its file (diary/static_files.py). The copies are never committed.
Usage: python scripts/precompress.py diary/static
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli

SUFFIXES = {".js", ".css", ".svg", ".json", ".webmanifest", ".html", ".txt"}
MIN_SIZE = 1400  # below one network packet compression gains nothing


def precompress(folder: Path) -> int:
    written = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file() or path.stat().st_size < MIN_SIZE:
            continue
        data = None
        for suffix, compress in (
            (".br", lambda d: brotli.compress(d, quality=11)),
            (".gz", lambda d: gzip.compress(d, compresslevel=9, mtime=0)),
        ):
            copy = path.with_name(path.name + suffix)
            if copy.exists() and copy.stat().st_mtime >= path.stat().st_mtime:
                continue
            data = path.read_bytes() if data is None else data
            copy.with_name(copy.name + ".tmp").write_bytes(compress(data))
            copy.with_name(copy.name + ".tmp").replace(copy)
            written += 1
    return written


if __name__ == "__main__":
    for name in sys.argv[1:] or ["diary/static"]:
        print(f"precompress: {precompress(Path(name))} files written under {name}")
