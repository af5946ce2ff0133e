"""Record versions as clients send them back (If-Match, a form's hidden `version`)."""

from __future__ import annotations

import re

# ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and other scripts'
# digits; 18 digits fit any stored version and keep int() far from its length limit.
_VERSION = re.compile(r"[0-9]{1,18}")


def parse_version(text: str) -> int | None:
    """The version written in `text`, or None when it is not a plain number."""
    return int(text) if _VERSION.fullmatch(text) else None
