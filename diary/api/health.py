"""GET /api/v1/health: a liveness check that touches no database (the benchmarks use it too);
GET /api/v1/health/ready: a readiness check that asks the database (docs/operations.md)."""

from __future__ import annotations

from ..access import rule
from ..errors import problem
from ..observe import database_answers
from ..schemas import HealthSchema
from . import bp


@bp.get("/health")
@rule("anyone")
@bp.response(200, HealthSchema)
def health():
    """Liveness check"""
    return {"status": "ok"}


@bp.get("/health/ready")
@rule("anyone")
@bp.response(200, HealthSchema)
@bp.problems(503)
def ready():
    """Readiness check: 503 while the database does not answer (a load balancer sends no one here)"""
    if not database_answers():
        return problem(503, "Not ready", "The database does not answer.", headers={"Retry-After": "5"})
    return {"status": "ok"}
