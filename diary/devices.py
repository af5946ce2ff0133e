"""A device in a few words ("Firefox on Android") from its User-Agent, for the account page's
list of logins and the new-sign-in email. Deliberately simple: the browser and system families
only, no versions, no dependency; what is not recognised reads "A browser on Linux" or "An
unknown browser"."""

from __future__ import annotations

import re

# First match wins: browsers built on Chromium name Chrome and Safari as well, and Chrome names
# Safari, so the more specific come first.
BROWSERS = (
    ("Edge", r"\bEdg(e|A|iOS)?/"),
    ("Opera", r"\b(OPR|Opera)/"),
    ("Samsung Internet", r"\bSamsungBrowser/"),
    ("Firefox", r"\b(Firefox|FxiOS)/"),
    ("Chrome", r"\b(Chrome|CriOS|Chromium)/"),
    ("Safari", r"\bSafari/"),
    ("curl", r"^curl/"),
    ("Python", r"^python-"),
)
SYSTEMS = (
    ("iPhone", r"\biPhone\b"),
    ("iPad", r"\biPad\b"),
    ("Android", r"\bAndroid\b"),
    ("ChromeOS", r"\bCrOS\b"),
    ("Windows", r"\bWindows\b"),
    ("Mac", r"\bMac OS X\b|\bMacintosh\b"),
    ("Linux", r"\bLinux\b"),
)
MAX_LENGTH = 80  # the column's width


def describe_device(user_agent: str | None) -> str:
    """'Browser on system' in plain words, from a User-Agent header."""
    agent = (user_agent or "")[:512]
    browser = next((name for name, pattern in BROWSERS if re.search(pattern, agent)), None)
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, agent)), None)
    if browser and system:
        return f"{browser} on {system}"[:MAX_LENGTH]
    if browser:
        return browser
    if system:
        return f"A browser on {system}"
    return "An unknown browser"
