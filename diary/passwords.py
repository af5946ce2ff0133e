"""Password hashing (Argon2id) and the strength rule: 8 or more characters, not guessable."""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 8
# zxcvbn looks at the first characters only: long passphrases are strong anyway, and this
# keeps its time bounded.
_ZXCVBN_PREFIX = 72


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int) -> tuple[PasswordHasher, str]:
    """Argon2id with these costs, and a hash of a password nobody has: checking it when an email
    is unknown makes a wrong email take as long as a wrong password."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    return hasher, hasher.hash("no account has this password")


def _current() -> tuple[PasswordHasher, str]:
    config = current_app.config
    return _hasher(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _current()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always does the work of one verification."""
    hasher, dummy = _current()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _current()[0].check_needs_rehash(password_hash)


def _input_variants(user_inputs: list[str]) -> list[str]:
    """Each personal input, its words, and its words run together: zxcvbn matches whole inputs
    only, so "Jo Bloggs" alone would not catch the password "jobloggs2026"."""
    variants: dict[str, None] = {}
    for text in user_inputs:
        if not text:
            continue
        words = [w for w in re.split(r"[\W_]+", text.lower()) if w]
        for variant in (text.lower(), *words, "".join(words)):
            if variant:
                variants[variant] = None
    return list(variants)


def password_problems(password: str, min_score: int, user_inputs: list[str]) -> list[str]:
    """Plain-words reasons a new password is refused; empty when it is fine."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters. A few unrelated words work well."]
    result = zxcvbn(password[:_ZXCVBN_PREFIX], user_inputs=_input_variants(user_inputs))
    if result["score"] < min_score:
        feedback = result.get("feedback") or {}
        hint = feedback.get("warning") or "This password is too easy to guess."
        return [f"{hint.rstrip('.')}. Try a longer phrase of a few unrelated words."]
    return []
