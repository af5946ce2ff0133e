"""GET /api/v1/health: a liveness check that touches no database (the benchmarks use it too)."""

from __future__ import annotations

from ..access import rule
from ..schemas import HealthSchema
from . import bp


@bp.get("/health")
@rule("anyone")
@bp.response(200, HealthSchema)
def health():
    """Liveness check"""
    return {"status": "ok"}
