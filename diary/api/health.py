"""GET /api/v1/health: a liveness check that touches no database (the benchmarks use it too)."""

from __future__ import annotations

from ..access import rule
from . import bp
from .helpers import doc


@bp.get("/health")
@rule("anyone")
@doc("Liveness check", responses={200: None}, who="anyone")
def health():
    return {"status": "ok"}
