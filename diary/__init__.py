"""The headache diary: create_app builds the Flask application in a list of register steps."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, ValidationError

from .config import build_config
from .extensions import babel, compress, csrf, db, limiter, mailer, migrate


class DayConverter(BaseConverter):
    """`<day:name>` in a URL: a real calendar date written YYYY-MM-DD (else 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


def create_app(config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the application; tests pass a mapping of settings (and may place the instance
    folder, where the SQLite file and a generated secret key live)."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(build_config(app.instance_path, config))
    app.url_map.converters["day"] = DayConverter
    register_extensions(app)
    register_observability(app)
    register_blueprints(app)
    register_errors(app)
    register_headers(app)
    register_templates(app)
    register_template_constants(app)
    register_cli(app)
    return app


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
    cursor.close()


def register_extensions(app: Flask) -> None:
    from .auth import init_auth
    from .models import DEFAULT_TIMEZONE

    if app.config["TRUST_PROXY_HOPS"]:
        hops = app.config["TRUST_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    init_auth(app)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    mailer.init_app(app)
    babel.init_app(
        app, default_locale="en_GB", default_timezone=DEFAULT_TIMEZONE, timezone_selector=_user_timezone
    )


def _user_timezone() -> str | None:
    """Instants are shown in the logged-in user's time zone (Babel's default otherwise)."""
    return current_user.timezone if current_user.is_authenticated else None


def register_blueprints(app: Flask) -> None:
    from .access import rule
    from .api import register_api
    from .static_files import SessionInterface, serve_static
    from .web import bp as web_bp

    register_api(app)  # the API's routes and their OpenAPI description (flask-smorest)
    app.register_blueprint(web_bp)
    # Static files (styles, scripts, icons) hold no one's data; they go out precompressed.
    app.view_functions["static"] = rule("anyone")(serve_static(app))
    app.session_interface = SessionInterface()


def register_observability(app: Flask) -> None:
    """Request logs, metrics and readiness (diary/observe.py, docs/operations.md)."""
    from .observe import register_observability as register

    register(app)


def register_errors(app: Flask) -> None:
    from .errors import register_error_handlers

    register_error_handlers(app)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_headers(app: Flask) -> None:
    """Security headers on every response; nothing behind a login is kept in a cache."""
    production = app.config["DIARY_ENV"] == "production"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
            headers.add("Vary", "Cookie")
        return response


@lru_cache(maxsize=256)
def _file_version(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def register_templates(app: Flask) -> None:
    """`static_url` gives versioned addresses, so static files can be cached for a year."""

    def static_url(filename: str) -> str:
        path = Path(app.static_folder) / filename
        version = _file_version(str(path), path.stat().st_mtime) if path.exists() else "0"
        return url_for("static", filename=filename, v=version)

    app.jinja_env.globals["static_url"] = static_url


def register_template_constants(app: Flask) -> None:
    """The rules' numbers, bands and drug-class words, under one name each, for every template
    (and, through data attributes, the scripts): a page never writes a threshold, a window or a
    class label of its own."""
    from . import clinical, redflags, vocabulary
    from .clinical import effects, overuse, progress
    from .operations.sharing import CODE_LIFETIME_HOURS

    app.jinja_env.globals.update(
        rules_version=clinical.RULES_VERSION,
        severity=clinical.severity,
        severity_bands=clinical.SEVERITY_BANDS,
        moderate_severe_peak=clinical.MODERATE_SEVERE_PEAK,
        recent_days=clinical.RECENT_DAYS,
        recent_weeks=clinical.RECENT_DAYS // 7,
        per_days=clinical.PER_DAYS,
        period_days=clinical.PERIOD_DAYS,
        period_weeks=clinical.PERIOD_DAYS // 7,
        min_logged_days=clinical.MIN_LOGGED_DAYS,
        min_baseline_per_28=progress.MIN_BASELINE_PER_28,
        # A period's responder flags (API names) and the fall in headache days each stands for.
        responder_pcts={
            "responder_50": -progress.RESPONDER_50_PCT,
            "responder_30": -progress.RESPONDER_30_PCT,
        },
        effects_window_days=effects.DEFAULT_WINDOW,
        effects_window_weeks=effects.DEFAULT_WINDOW // 7,
        settled_soreness=effects.RESOLVED_SORENESS,
        prolonged_soreness_from=effects.PROLONGED_SORENESS,
        prolonged_days=(effects.PROLONGED_FROM_DAY, effects.PROLONGED_TO_DAY),
        rolling_days=overuse.ROLLING_DAYS,
        approaching_acute_days=overuse.APPROACHING_ACUTE_DAYS,
        enough_diary_days=overuse.ENOUGH_RECORDS,
        ichd3_months=clinical.ICHD3_MONTHS,
        ichd3_headache_days=overuse.ICHD3_HEADACHE_DAYS,
        red_flag_recent_days=clinical.RED_FLAG_DAYS,
        ask_flags_from_intensity=redflags.ASK_FROM_INTENSITY,
        code_lifetime_hours=CODE_LIFETIME_HOURS,
        drug_class_names=vocabulary.DRUG_CLASS_NAMES,
        acute_classes=clinical.ACUTE_CLASSES,
        overuse_reason_words=vocabulary.OVERUSE_REASONS,
    )


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
