"""The one place that reads environment variables and turns them into Flask settings."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot be used to start the application."""


def _postgres_options(overrides: dict[str, Any]) -> dict[str, Any]:
    """What each PostgreSQL connection sets as it opens. By default the planner's cost of a
    page read from memory or SSD (PostgreSQL's default, 4, assumes spinning disks): the indexes
    the diary reads stay cached, and with 4 the triage list read a clinic network's every session
    instead of its patients' through the index (bench/scale.py). Empty: nothing (PgBouncer in
    transaction mode refuses startup options; set it on the database there)."""
    options = overrides.get("POSTGRES_OPTIONS", os.environ.get("POSTGRES_OPTIONS", POSTGRES_OPTIONS))
    return {"connect_args": {"options": options}} if options else {}


def _default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'diary.db'}"


REGISTRATION_MODES = ("open", "invite_only")
# Sent by each PostgreSQL connection as it opens (libpq's `options`; POSTGRES_OPTIONS replaces it).
POSTGRES_OPTIONS = "-c random_page_cost=1.1"


def _registration_mode(value: str) -> str:
    """REGISTRATION: "open" (anyone may start a diary) or "invite_only" (only through a
    therapist's invitation, docs/invitations.md)."""
    if value not in REGISTRATION_MODES:
        raise ConfigError(f"REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}, not {value!r}")
    return value


def _instance_secret_key(instance_path: Path) -> str:
    """Generate a secret key once and keep it in the instance folder, readable by us alone."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def _account_settings(env: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Email (diary/mail.py), password reset and devices (issue 12, docs/mail.md)."""
    settings: dict[str, Any] = {
        # SMTP through Flask-Mail; without MAIL_SERVER, emails are written to the log.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _env_flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _env_flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Headache diary <diary@localhost>"),
        # Flask-Mail would drop every message under TESTING; the tests read theirs from a real
        # SMTP server (tests/mailbox.py) instead.
        "MAIL_SUPPRESS_SEND": False,
        # The site's address for links in emails (the request's host otherwise, which a client
        # chooses: production sending mail needs it set).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL") or None,
        "PASSWORD_RESET_LIMIT_PER_ADDRESS": os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10 per hour"),
        "PASSWORD_RESET_LIMIT_PER_EMAIL": os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "3 per hour"),
        # Email the owner when a device new to the account logs in.
        "NEW_SIGN_IN_EMAIL": _env_flag("NEW_SIGN_IN_EMAIL", default=True),
    }
    settings.update({k: v for k, v in overrides.items() if k in settings})
    if env == "production" and settings["MAIL_SERVER"] and not settings["PUBLIC_URL"]:
        raise ConfigError(
            "PUBLIC_URL must be set when MAIL_SERVER is (the site's address, for links in emails)."
        )
    return settings


def _instance_vapid_key(instance_path: Path) -> str:
    """Generate the Web Push (VAPID, RFC 8292) private key once and keep it in the instance
    folder, like the secret key: base64url of the raw 32-byte P-256 private number."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key_file = instance_path / "vapid_private_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return key_file.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(_b64url(number.to_bytes(32, "big")))
    return key_file.read_text().strip()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_public_key(private_key: str) -> str:
    """The application server key browsers subscribe with: base64url of the uncompressed P-256
    point of `private_key` (base64url of the raw 32-byte number)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    number = int.from_bytes(base64.urlsafe_b64decode(private_key + "=" * (-len(private_key) % 4)), "big")
    point = ec.derive_private_key(number, ec.SECP256R1()).public_key()
    return _b64url(point.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def _reminder_settings(env: str, instance: Path, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Web Push keys and the reminder sender (issue 13, docs/reminders.md)."""
    private_key = overrides.get("VAPID_PRIVATE_KEY") or os.environ.get("VAPID_PRIVATE_KEY")
    public_key = overrides.get("VAPID_PUBLIC_KEY") or os.environ.get("VAPID_PUBLIC_KEY")
    subject = overrides.get("VAPID_SUBJECT") or os.environ.get("VAPID_SUBJECT")
    if env == "production" and not (private_key and public_key and subject):
        raise ConfigError(
            "VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY and VAPID_SUBJECT (mailto:...) must be set in "
            "production: the Web Push keys of the reminders (docs/reminders.md makes a pair)."
        )
    if not private_key:
        private_key = _instance_vapid_key(instance)
    try:
        derived = vapid_public_key(private_key)
    except ValueError as error:
        raise ConfigError(f"VAPID_PRIVATE_KEY is not a base64url P-256 private key: {error}") from None
    if public_key and public_key != derived:
        raise ConfigError("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.")
    subject = subject or "mailto:reminders@localhost"
    if not subject.startswith(("mailto:", "https://")):
        raise ConfigError("VAPID_SUBJECT must be a mailto: or https: address (RFC 8292).")
    return {
        "VAPID_PRIVATE_KEY": private_key,
        "VAPID_PUBLIC_KEY": derived,
        "VAPID_SUBJECT": subject,
        # How long a push service keeps a reminder for a phone that is off (seconds).
        "REMINDER_PUSH_TTL": int(os.environ.get("REMINDER_PUSH_TTL", "43200")),
    }


def build_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings from the environment, then `overrides` (tests pass a mapping here)."""
    overrides = dict(overrides or {})
    instance = Path(instance_path)
    env = overrides.get("DIARY_ENV") or os.environ.get("DIARY_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"DIARY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    secret_key = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise ConfigError("SECRET_KEY must be set in production (a long random string).")
        secret_key = _instance_secret_key(instance)

    database_url = (
        overrides.get("SQLALCHEMY_DATABASE_URI")
        or os.environ.get("DATABASE_URL")
        or _default_database_url(instance)
    )
    # Heroku-style URLs and plain postgresql:// both go through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            database_url = "postgresql+psycopg://" + database_url[len(prefix) :]

    redis_url = overrides.get("REDIS_URL", os.environ.get("REDIS_URL") or None)

    config: dict[str, Any] = {
        "DIARY_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A server database can drop idle connections; a file cannot. An error's text leaves out
        # the statement's values (a diary's words), as it may reach a log.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True}
        if database_url.startswith("sqlite")
        else {"pool_pre_ping": True, "hide_parameters": True, **_postgres_options(overrides)},
        "REDIS_URL": redis_url,
        # Sessions: the cookie names a server-side login session (see diary/auth.py).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_NAME": "diary_session",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        # The login ends 30 days after it began (as its server-side record does); the cookie is
        # not re-signed on every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_DURATION": 0,
        # CSRF tokens live as long as the login session, so a day queued offline can still sync.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": env == "production",
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # Login attempts: per account (failures only, apart for known devices) and per client
        # address; registrations per client address (docs/security.md).
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "60 per 15 minutes"),
        "REGISTER_LIMIT_PER_ADDRESS": os.environ.get("REGISTER_LIMIT_PER_ADDRESS", "10 per hour"),
        "SHARE_CODE_LIMIT_PER_USER": os.environ.get("SHARE_CODE_LIMIT_PER_USER", "10 per hour"),
        "SHARE_CODE_LIMIT_PER_ADDRESS": os.environ.get("SHARE_CODE_LIMIT_PER_ADDRESS", "30 per hour"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        "PASSWORD_MIN_SCORE": 3,
        # Argon2id costs (argon2-cffi's recommended defaults); a change rehashes at next login.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "application/javascript",
            "text/javascript",
            "application/json",
            "application/problem+json",
            "image/svg+xml",
            "application/manifest+json",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Below about one network packet, compressing costs more time than it saves.
        "COMPRESS_MIN_SIZE": 1400,
        # Static files are compressed ahead of time (scripts/precompress.py, static_files.py).
        "COMPRESS_STREAMS": False,
        "SEND_FILE_MAX_AGE_DEFAULT": 60 * 60 * 24 * 365,
        "TRUST_PROXY_HOPS": int(os.environ.get("TRUST_PROXY_HOPS", "0")),
        # Who may start a diary: anyone, or only a patient a therapist invited (docs/invitations.md).
        "REGISTRATION": _registration_mode(
            overrides.get("REGISTRATION") or os.environ.get("REGISTRATION", "open")
        ),
    }
    config.update(_account_settings(env, overrides))
    config.update(_second_factor_settings(overrides))
    config.update(_reminder_settings(env, instance, overrides))
    if env == "testing":
        config["TESTING"] = True
    config.update(_operations_settings(env, overrides))
    config.update(overrides)
    return config


def _operations_settings(env: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Logs, metrics and the rate-limit keys of a clinic network's servers (docs/operations.md)."""
    settings: dict[str, Any] = {
        # "json": one JSON object a line (for a log collector); "plain": for a person reading.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT") or ("json" if env == "production" else "plain"),
        # The key of the hash that tells users apart in the logs (derived from SECRET_KEY if unset).
        "LOG_HASH_KEY": os.environ.get("LOG_HASH_KEY") or None,
        # /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        # Set by gunicorn.conf.py: the workers' metrics are kept in files there and added up.
        "METRICS_MULTIPROCESS": bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR")),
        # Put before every rate-limit key in Redis: two sites (or test runs) can share one Redis.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
    }
    settings.update({k: v for k, v in overrides.items() if k in settings})
    if settings["LOG_FORMAT"] not in ("json", "plain"):
        raise ConfigError(f"LOG_FORMAT must be json or plain, not {settings['LOG_FORMAT']!r}")
    return settings


def _second_factor_settings(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Two-step sign-in (docs/second-factor.md): "required" (a therapist reaches nothing before
    setting it up) or "optional"."""
    value = overrides.get("THERAPIST_MFA") or os.environ.get("THERAPIST_MFA", "required")
    if value not in ("required", "optional"):
        raise ConfigError(f"THERAPIST_MFA must be required or optional, not {value!r}")
    return {"THERAPIST_MFA": value}
