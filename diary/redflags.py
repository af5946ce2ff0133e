"""Red flags: warning signs a patient can report, each with what to do at once (docs/red-flags.md).

One table, in code. A flag is never a diagnosis: it says how urgently to get help (call 999 now,
or contact NHS 111 or a GP today) and nothing about what the cause might be. The day's field
`red_flags` (diary/dayshape.py) holds the codes of this table; the pages and the API show the
words and the advice from here.
"""

from __future__ import annotations

from dataclasses import dataclass

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


FLAGS = (
    # Headaches: NICE CG150, section 1.1 (red flags), in the NHS website's public wording.
    RedFlag("sudden_severe", "999", "headache",
            "A sudden, severe headache that was at its worst within a minute or so",
            f"{CALL_999} Do not drive yourself to hospital."),
    RedFlag("stroke_signs", "999", "headache",
            "New weakness or numbness in your face, arm or leg, a drooping face, or slurred or "
            "muddled speech",
            f"{CALL_999} Note the time these signs started."),
    RedFlag("confusion_or_seizure", "999", "headache",
            "Confusion, being very drowsy or hard to wake, or a fit (seizure)",
            f"{CALL_999} If you are on your own, ask someone to stay with you."),
    RedFlag("fever_stiff_neck_or_rash", "999", "headache",
            "A high temperature with a stiff neck, or a rash that does not fade when you press a "
            "glass against it",
            CALL_999),
    RedFlag("vision_loss", "999", "headache",
            "Sudden loss of sight, or sight that suddenly goes blurred or double",
            f"{CALL_999} Do not drive."),
    RedFlag("after_head_injury", "111", "headache",
            "A headache since a knock, fall or other injury to your head",
            f"{CALL_111} If you were knocked out, keep being sick or feel very drowsy, call 999."),
    RedFlag("getting_worse", "111", "headache",
            "A headache that gets worse day by day, or comes on when you cough, strain or lie down",
            CALL_111),
    RedFlag("jaw_and_scalp_over_50", "111", "headache",
            "Aged over 50: pain in your jaw when you chew, with a sore scalp or temples",
            f"{CALL_111} If your sight changes, call 999."),
    # Since a dry-needling session: the adverse events the physiotherapy literature reports.
    RedFlag("breathless_after_needling", "999", "needling",
            "New breathlessness, or a sharp pain in your chest or upper back when you breathe in",
            f"{CALL_999} Tell them you had dry needling, and where and when."),
    RedFlag("chest_pain_after_needling", "111", "needling",
            "A new, milder ache in your chest or upper back, or a new cough",
            f"{CALL_111} Tell them you had dry needling, and where and when. "
            "If you become breathless, call 999."),
    RedFlag("arm_symptoms_after_needling", "111", "needling",
            "New numbness, pins and needles or weakness in an arm or hand",
            f"{CALL_111} Tell them where the needles went in."),
    RedFlag("needle_site_infection", "111", "needling",
            "Redness, heat, swelling or pus where a needle went in, or a high temperature",
            CALL_111),
)

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
    return tuple(flag.code for level in ("999", "111") for flag in FLAGS
                 if flag.level == level and flag.code in wanted)
