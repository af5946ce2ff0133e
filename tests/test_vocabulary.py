"""The word lists and the clinical rules name the same things: one home each, tied by tests."""

from pathlib import Path
import re

import pytest

from diary import clinical, redflags, vocabulary
from diary.charts import medication, style
from diary.clinical.overuse import CLASS_DAY_LIMITS

STATIC_JS = Path(__file__).resolve().parent.parent / "diary" / "static" / "js"


def test_drug_class_labels_name_exactly_the_clinical_classes():
    assert tuple(vocabulary.DRUG_CLASSES) == clinical.ALL_CLASSES


def test_every_acute_class_and_only_those_have_an_overuse_limit():
    assert set(CLASS_DAY_LIMITS) == set(clinical.ACUTE_CLASSES)


def test_the_catalogue_names_only_known_classes():
    assert {drug_class for _, drug_class in vocabulary.MEDICATION_CATALOGUE} <= set(clinical.ALL_CLASSES)


def test_charts_style_and_explain_every_acute_class():
    assert set(style.CLASS_STYLE) == set(clinical.ACUTE_CLASSES)
    assert set(medication.REASON_WORDS) == {*CLASS_DAY_LIMITS, "multiple_classes"}
    assert medication.ICHD3_LIMITS == (10, 15)


def test_severity_bands_cover_one_to_ten_exactly_once():
    intensities = [n for _, numbers in clinical.SEVERITY_BANDS for n in numbers]
    assert intensities == list(range(1, 11))
    assert [band for band, _ in clinical.SEVERITY_BANDS] == ["mild", "moderate", "severe"]


@pytest.mark.parametrize(("peak", "band"), [(1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"),
                                            (7, "severe"), (10, "severe")])
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
