"""What the clinical tests share: the drug classes as docs/clinical-rules.md's table lists them
(written out here, not read from diary/clinical, so that the tests check the code against the
rules), and a day's plain facts."""

from diary.clinical import DayFacts

# docs/clinical-rules.md section 3, in its order: the six acute classes, then "other".
DRUG_CLASSES = (
    "non_opioid_analgesic",
    "triptan",
    "ergot",
    "opioid",
    "combination_analgesic",
    "other_acute",
    "other",
)
ACUTE_CLASSES = DRUG_CLASSES[:6]


def day(on, *, headaches=0, peak=None, classes=(), soreness=None, logged=True) -> DayFacts:
    """A day record: headache-free and without medication unless told otherwise; `logged=False`
    leaves the headache question open."""
    if peak is None:
        peak = 5 if headaches else 0
    return DayFacts(
        date=on,
        headache_count=headaches,
        peak_intensity=peak,
        drug_classes=frozenset(classes),
        soreness=soreness,
        logged=logged,
    )


def peak_day(on, peak=0, classes=(), soreness=None, logged=True) -> DayFacts:
    """A day with one headache of intensity `peak` (none when 0), medication classes, soreness."""
    return day(on, headaches=1 if peak else 0, peak=peak, classes=classes, soreness=soreness, logged=logged)
