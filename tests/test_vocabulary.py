"""The word lists and the clinical rules name the same things: one home each, tied by tests."""

import re
from pathlib import Path

import pytest

from diary import clinical, redflags, vocabulary
from diary.charts import medication, style
from diary.charts.words import AUDIENCES, PATIENT, THERAPIST, WORDS
from diary.clinical import effects, overuse, progress
from diary.clinical.overuse import CLASS_DAY_LIMITS, MULTIPLE_CLASSES_ACUTE_DAYS

DIARY = Path(__file__).resolve().parent.parent / "diary"
STATIC_JS = DIARY / "static" / "js"
TEMPLATES = DIARY / "templates"


def test_drug_class_labels_name_exactly_the_clinical_classes():
    assert tuple(vocabulary.DRUG_CLASSES) == clinical.ALL_CLASSES


@pytest.mark.parametrize(
    "labels",
    [vocabulary.DRUG_CLASSES, vocabulary.DRUG_CLASS_NAMES, vocabulary.DRUG_CLASS_PLAIN_NAMES],
    ids=["form label", "short name", "plain name"],
)
def test_every_drug_class_has_exactly_one_label_of_each_kind(labels):
    assert tuple(labels) == clinical.ALL_CLASSES
    assert len(set(labels.values())) == len(labels)


def test_the_charts_name_classes_with_the_short_names_of_their_reader():
    assert WORDS[THERAPIST].class_names is vocabulary.DRUG_CLASS_NAMES
    assert WORDS[PATIENT].class_names is vocabulary.DRUG_CLASS_PLAIN_NAMES


@pytest.mark.parametrize(
    ("reasons", "names"),
    [
        (vocabulary.OVERUSE_REASONS, vocabulary.DRUG_CLASS_NAMES),
        *(
            ({r: WORDS[a].reason(r) for r in [*CLASS_DAY_LIMITS, "multiple_classes"]}, WORDS[a].class_names)
            for a in AUDIENCES
        ),
    ],
    ids=["pages", *(f"{a}'s chart" for a in AUDIENCES)],
)
def test_overuse_reasons_name_each_class_with_its_limit(reasons, names):
    assert set(reasons) == {*CLASS_DAY_LIMITS, "multiple_classes"}
    for drug_class, limit in CLASS_DAY_LIMITS.items():
        assert reasons[drug_class].startswith(f"{names[drug_class].lower()} on {limit}")
    assert f" {MULTIPLE_CLASSES_ACUTE_DAYS}" in reasons["multiple_classes"]


def test_every_acute_class_and_only_those_have_an_overuse_limit():
    assert set(CLASS_DAY_LIMITS) == set(clinical.ACUTE_CLASSES)


def test_the_catalogue_names_only_known_classes():
    assert {drug_class for _, drug_class in vocabulary.MEDICATION_CATALOGUE} <= set(clinical.ALL_CLASSES)


def test_charts_style_and_explain_every_acute_class():
    assert set(style.CLASS_STYLE) == set(clinical.ACUTE_CLASSES)
    assert medication.ICHD3_LIMITS == (10, 15)


def test_severity_bands_cover_one_to_ten_exactly_once():
    intensities = [n for _, numbers in clinical.SEVERITY_BANDS for n in numbers]
    assert intensities == list(range(1, 11))
    assert [band for band, _ in clinical.SEVERITY_BANDS] == ["mild", "moderate", "severe"]


@pytest.mark.parametrize(
    ("peak", "band"),
    [(1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_severity_follows_the_bands(peak, band):
    assert clinical.severity(peak) == band


@pytest.mark.parametrize("peak", [0, 11])
def test_severity_refuses_an_intensity_outside_the_scale(peak):
    with pytest.raises(ValueError):
        clinical.severity(peak)


def test_moderate_or_severe_starts_at_the_moderate_band():
    assert clinical.MODERATE_SEVERE_PEAK == 4 and clinical.SEVERE_PEAK == 7
    assert clinical.severity(clinical.MODERATE_SEVERE_PEAK) == "moderate"
    assert clinical.severity(clinical.MODERATE_SEVERE_PEAK - 1) == "mild"


def test_scripts_write_no_intensity_threshold_of_their_own():
    """app.js reads the warning-sign threshold from the page (redflags.ASK_FROM_INTENSITY)."""
    script = (STATIC_JS / "app.js").read_text()
    assert not re.search(r">=\s*\d", script)
    assert "data-ask-from-intensity" in script
    assert redflags.ASK_FROM_INTENSITY == 7


def test_templates_get_the_rules_numbers_under_one_name(app):
    globals_ = app.jinja_env.globals
    assert globals_["severity_bands"] is clinical.SEVERITY_BANDS
    assert globals_["recent_days"] == clinical.RECENT_DAYS == 28
    assert globals_["period_days"] == clinical.PERIOD_DAYS == 28
    assert globals_["code_lifetime_hours"] == 72
    assert globals_["per_days"] == clinical.PER_DAYS
    assert globals_["period_weeks"] * 7 == clinical.PERIOD_DAYS
    assert globals_["recent_weeks"] * 7 == clinical.RECENT_DAYS
    assert globals_["effects_window_weeks"] * 7 == globals_["effects_window_days"] == effects.DEFAULT_WINDOW
    assert globals_["min_logged_days"] == clinical.MIN_LOGGED_DAYS == 14
    assert globals_["min_baseline_per_28"] == progress.MIN_BASELINE_PER_28
    assert globals_["responder_pcts"] == {"responder_50": 50, "responder_30": 30}
    assert set(globals_["responder_pcts"]) <= set(clinical.ProgressPeriod.__dataclass_fields__)
    assert globals_["prolonged_days"] == (effects.PROLONGED_FROM_DAY, effects.PROLONGED_TO_DAY)
    assert globals_["rolling_days"] == overuse.ROLLING_DAYS
    assert globals_["red_flag_recent_days"] == clinical.RED_FLAG_DAYS
    assert globals_["drug_class_names"] is vocabulary.DRUG_CLASS_NAMES
    assert globals_["overuse_reason_words"] is vocabulary.OVERUSE_REASONS


# A rule's number or word list as a template would write it by hand. Numbers inside names
# (headache_days_per_28), durations, dates, the 0-10 scales and CSS do not match; comments
# ({# #}) are not read.
HAND_WRITTEN = {
    "a period, the recent window or the per-28 unit": r'(?<!=")\b28\b',
    "the logged-days floor or the effects window": r'(?<!=")\b14\b',
    "a period or the recent window in weeks": r"\b4 weeks\b",
    "the red-flag window": r"\b7 days\b",
    "the rolling overuse window": r"\b30 days\b",
    "the days with an entry before no overuse is said": r"\b21 of\b",
    "a class-day limit or the ICHD-3 headache days": r"\b1[05] or more\b",
    "the responder baseline floor": r"\bfewer than \d",
    "the prolonged-soreness days": r"\bdays \d+\s*[–-]\s*\d",
    "settled soreness": r"\(0\s*[–-]\s*1\)",
    "the ICHD-3 months": r"\blast three\b",
    "a threshold compared in a template": r"(?:days|days_logged|per_28)\s*[<>]=?\s*[1-9]",
    "a quick date": r'data-days="\d',
    "a responder threshold": r"\b[35]0%",
    "a drug class named by hand": r"['\"](?:" + "|".join(clinical.ACUTE_CLASSES) + r")['\"]",
}


def hand_written_rules(text: str) -> list[str]:
    """Each hand-written rule number in a template, as 'line: what'."""
    text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    return [
        f"{text.count(chr(10), 0, m.start()) + 1}: {what} ({m.group()!r})"
        for what, pattern in HAND_WRITTEN.items()
        for m in re.finditer(pattern, text)
    ]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_write_no_rule_number_by_hand(template):
    """Every number the rules define reaches a page through register_template_constants."""
    assert hand_written_rules((TEMPLATES / template).read_text()) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("of 28", True),
        ("per 28 days", True),
        ("28-day periods", True),
        ("needs 14 logged", True),
        ("the last 4 weeks", True),
        ("in the last 7 days", True),
        ("of 30 days", True),
        ("21 of the", True),
        ("on 15 or more days", True),
        ("fewer than 4 headache days", True),
        ("days 4–7", True),
        ("settled (0–1)", True),
        ("the last three complete months", True),
        ("x.days >= 28", True),
        ("days_logged < 14", True),
        ("Responder 50% fewer", True),
        ('data-days="28"', True),
        ("{'triptan': 'Triptans'}", True),
        ("headache_days_per_28", False),
        ("{{ 28 }}", True),
        ('maxlength="2000"', False),
        ("(30, '30 minutes')", False),
        ("out of 10", False),
        ("{# of 28 #}", False),
        ("ago > 2", False),
        ('width="28"', False),
        ("before.days > 0", False),
    ],
)
def test_the_hand_written_check_finds_what_it_should(line, found):
    assert bool(hand_written_rules(line)) is found


def test_every_overuse_status_has_one_badge_with_a_known_tone():
    from diary.clinical.triage import STATUS_RANK

    assert set(vocabulary.OVERUSE_BADGES) == set(STATUS_RANK)
    assert {badge.tone for badge in vocabulary.OVERUSE_BADGES.values()} <= {"ok", "warn", "alert"}
    assert "ICHD-3" in vocabulary.OVERUSE_BADGES["ichd3_pattern"].words  # a therapist's word


def test_each_drug_class_has_its_own_bit_on_the_day_record():
    """models.DRUG_CLASS_BITS: exactly the clinical classes, one power of two each."""
    from diary.models import DRUG_CLASS_BITS, drug_class_bits

    assert set(DRUG_CLASS_BITS) == set(clinical.ALL_CLASSES)
    assert sorted(DRUG_CLASS_BITS.values()) == [1 << n for n in range(len(clinical.ALL_CLASSES))]
    assert drug_class_bits(clinical.ALL_CLASSES) == (1 << len(clinical.ALL_CLASSES)) - 1
    assert drug_class_bits([]) == 0
