"""Red flags: warning signs a patient can report, each with what to do at once (docs/red-flags.md).

One table, kept as data in redflags.toml so that the words can be read and reviewed as they
stand; a test checks every row. A flag is never a diagnosis: it says how urgently to get help (call 999 now,
or contact NHS 111 or a GP today) and nothing about what the cause might be. The day's field
`red_flags` (diary/dayshape.py) holds the codes of this table; the pages and the API show the
words and the advice from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

# How urgently to get help, in the NHS's own two steps.
LEVELS = {"999": "Call 999 now", "111": "Contact NHS 111 or your GP today"}
# What a flag is about: the days after a dry-needling session, or a headache.
APPLIES_TO = ("needling", "headache")

CALL_999 = "Call 999 now."
CALL_111 = "Contact NHS 111 (call 111 or go to 111.nhs.uk) or your GP today."
# The days after a session with dry needling on which the diary asks about the needling flags.
DAYS_ASKED_AFTER_NEEDLING = 3
# A headache this bad (or one that came on suddenly) brings the headache flags to the form.
ASK_FROM_INTENSITY = 7


@dataclass(frozen=True)
class RedFlag:
    """One warning sign: what the patient sees, how urgent it is, and what to do."""

    code: str
    level: str  # a key of LEVELS
    applies_to: str  # one of APPLIES_TO
    words: str  # the sign, in the patient's words
    advice: str  # what to do, starting with CALL_999 or CALL_111


def _load(path: Path) -> tuple[RedFlag, ...]:
    """The table of flags (redflags.toml), each one's advice after its level's call."""
    calls = {"999": CALL_999, "111": CALL_111}
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["flag"]
    return tuple(
        RedFlag(
            code=row["code"],
            level=row["level"],
            applies_to=row["applies_to"],
            words=row["words"],
            advice=" ".join(filter(None, (calls[row["level"]], row["advice"]))),
        )
        for row in rows
    )


# Headaches: NICE CG150, section 1.1 (red flags), in the NHS website's public wording. Since a
# dry-needling session: the adverse events the physiotherapy literature reports.
FLAGS = _load(Path(__file__).with_name("redflags.toml"))
BY_CODE = {flag.code: flag for flag in FLAGS}
CODES = tuple(BY_CODE)
NEEDLING = tuple(flag for flag in FLAGS if flag.applies_to == "needling")
HEADACHE = tuple(flag for flag in FLAGS if flag.applies_to == "headache")


def get(code: str) -> RedFlag | None:
    """The flag called `code`, or None."""
    return BY_CODE.get(code)


def by_urgency(codes) -> tuple[str, ...]:
    """Known codes, 999 ones first, each once, in the table's order within a level."""
    wanted = set(codes)
    return tuple(
        flag.code for level in ("999", "111") for flag in FLAGS if flag.level == level and flag.code in wanted
    )
