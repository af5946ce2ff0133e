"""HTML pages for patients and therapists: server-rendered, mobile-first, working without JS."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from . import accounts, diary, progress, pwa, redflags, sharing, therapist  # noqa: E402,F401  (routes register on import)

from . import reminders  # noqa: E402,F401  # isort: skip

from . import logins  # noqa: E402,F401  # isort: skip  (password reset, devices)
from . import invitations  # noqa: E402,F401  # isort: skip  (a therapist invites a patient)
from . import data  # noqa: E402,F401  # isort: skip  (export, import, the GP report)
from . import second_factor  # noqa: E402,F401  # isort: skip  (two-step sign-in)
