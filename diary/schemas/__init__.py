"""Marshmallow schemas: the JSON contract of docs/api.md, one module per resource.

The API validates and documents with the same schemas (flask-smorest, docs/api.md "How the API
is declared"). common.py holds what they share: StrictSchema, flatten_errors, ProblemSchema and
the one date-range query.
"""

from .accounts import (
    CsrfSchema,
    HealthSchema,
    LoginSchema,
    PasswordChangeSchema,
    PasswordSchema,
    ProfileSchema,
    RegisterSchema,
    UserSchema,
    user_schema,
)
from .common import EARLIEST, LATEST, ProblemSchema, StrictSchema, flatten_errors, range_query
from .days import (
    CatalogueSchema,
    DayListSchema,
    DayRangeQuerySchema,
    DaySchema,
    HeadacheSchema,
    MedicationSchema,
    RedFlagListSchema,
    day_schema,
)
from .sessions import SessionBodySchema, SessionListSchema, SessionSchema

__all__ = [
    "EARLIEST",
    "LATEST",
    "CatalogueSchema",
    "CsrfSchema",
    "DayListSchema",
    "DayRangeQuerySchema",
    "DaySchema",
    "HeadacheSchema",
    "HealthSchema",
    "LoginSchema",
    "MedicationSchema",
    "PasswordChangeSchema",
    "PasswordSchema",
    "ProblemSchema",
    "ProfileSchema",
    "RedFlagListSchema",
    "RegisterSchema",
    "SessionBodySchema",
    "SessionListSchema",
    "SessionSchema",
    "StrictSchema",
    "UserSchema",
    "day_schema",
    "flatten_errors",
    "range_query",
    "user_schema",
]
