"""Answering "Did you have a headache?" on the day page, as the browser tests need it."""

from __future__ import annotations

# The day form's own answer, kept for the next Save with the rest of the day: while the question
# card asks, its No saves at once, and the form carries the answer without showing it.
CHOOSE_NO = """() => {
    const no = document.querySelector("input[name=headache_today][value=no]");
    no.checked = true;
    no.dispatchEvent(new Event("change", { bubbles: true }));
}"""


def answer_headache(page, intensity: int | None) -> None:
    """No (saved with the next Save), or Yes with how bad it was: Yes on the question card when
    it asks, else the day form's own Yes."""
    if intensity is None:
        page.evaluate(CHOOSE_NO)
        return
    yes = page.locator("a[data-answer-yes]")
    if yes.is_visible():
        yes.click()
    else:
        page.click("label.option:has(input[name=headache_today][value=yes])")
    page.click(f"label.tap:has(input[name='headaches.0.intensity'][value='{intensity}'])")
