"""The triage order with red flags (issue 16): a warning sign reported in the last 7 days comes
before everything else, the latest first; then the order of docs/clinical-rules.md."""

from datetime import date

from diary.clinical import TriageFigures, attention_key

TODAY = date(2027, 3, 10)


def figures(status="none", prolonged=False, change=None):
    return TriageFigures(
        days_logged_28=28,
        headache_days_28=5,
        medication_overuse_status=status,
        prolonged_soreness=prolonged,
        change_pct=change,
    )


def order(*rows):
    return [name for name, *_ in sorted(rows, key=lambda row: attention_key(row[1], None, row[0], row[2]))]


def test_a_red_flag_comes_before_the_ichd3_pattern_and_prolonged_soreness():
    assert order(
        ("pattern", figures("ichd3_pattern", True, 50.0), None), ("flagged", figures(), date(2027, 3, 4))
    ) == ["flagged", "pattern"]


def test_the_latest_red_flag_comes_first():
    assert order(("older", figures(), date(2027, 3, 5)), ("newer", figures(), date(2027, 3, 9))) == [
        "newer",
        "older",
    ]


def test_between_flagged_patients_of_one_day_the_usual_order_holds():
    day = date(2027, 3, 9)
    assert order(("calm", figures(), day), ("overuse", figures("overuse"), day)) == ["overuse", "calm"]


def test_without_a_red_flag_the_order_is_unchanged():
    assert order(
        ("none", figures(), None),
        ("overuse", figures("overuse"), None),
        ("sore", figures(prolonged=True), None),
    ) == ["overuse", "sore", "none"]
