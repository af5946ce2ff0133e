"""Red flags: the warning signs a day can carry, with what to do (docs/red-flags.md)."""

from __future__ import annotations

from .. import redflags
from ..access import rule
from ..schemas.days import RedFlagListSchema
from . import bp


@bp.get("/red-flags")
@rule("logged_in")
@bp.response(200, RedFlagListSchema)
def red_flag_list():
    """The warning signs a day's `red_flags` may hold, each with its level (999 or 111) and advice"""
    return {"red_flags": redflags.FLAGS}
