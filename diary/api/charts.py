"""Charts (docs/api.md "Figures and charts"): GET /patients/{pid}/charts/{name}, a plotly figure as JSON.

One route per chart name (`/charts/intensity`, `/charts/monthly`, ...), so an unknown name is a
plain 404 before anything is read, and each chart documents its own parameters in OpenAPI.
The figure is a plain dict built by diary.charts and serialised with orjson (docs/performance.md:
no plotly.graph_objects on the request path). Whatever the range, a chart costs a fixed
number of SQL statements: the diary's first day (one, for a default range of a time chart),
the patient's sessions (one, for the charts that mark them) and their day facts (two).
"""

from __future__ import annotations

from flask_login import current_user

from .. import charts, queries
from ..access import rule
from ..charts.ranges import parameters_text
from ..clinical.effects import DEFAULT_WINDOW
from ..errors import InvalidInput
from ..models import User
from ..schemas.charts import ChartSchema, chart_query
from . import bp
from .helpers import json_answer

# "Chart: <what it shows> (<its query parameters>)", from the table of charts.
SUMMARIES = {
    entry.name: f"Chart: {entry.about} ({parameters_text(entry.range)})" for entry in charts.CHARTS.values()
}


def chart(name: str, params: dict, patient: User):
    """Read the facts the chart needs (the rule has authorised, the query is valid), respond
    with the figure."""
    entry = charts.CHARTS[name]
    today = patient.today()
    # A default range starts no earlier than the diary (one statement more).
    default = params["from_"] is None and not entry.range.per_session
    start = queries.first_diary_day(patient) if default else None
    try:
        first, last = entry.resolve_range(today, params["from_"], params["to"], start)
    except charts.RangeError as error:
        raise InvalidInput({error.field: [str(error)]}) from None
    window = params.get("window", DEFAULT_WINDOW)
    sessions = queries.session_facts(patient) if entry.reads_sessions else []
    span = entry.range.days_to_load(first, last, sessions, today, window)
    facts = queries.day_facts(patient, *span) if span else []
    # The patient reads plain words, a therapist the clinical ones (docs/words.md).
    audience = charts.PATIENT if current_user.is_patient else charts.THERAPIST
    figure = entry.build(facts, sessions, today, first, last, window, audience=audience)
    return json_answer(figure)


def _register(name: str) -> None:
    def view(params: dict, patient: User):
        return chart(name, params, patient)

    view.__name__ = view.__qualname__ = f"chart_{name}"
    view = bp.arguments(chart_query(charts.CHARTS[name]), location="query")(
        bp.response(200, ChartSchema)(bp.doc(summary=SUMMARIES[name])(view))
    )
    bp.add_url_rule(
        f"/patients/<pid>/charts/{name}",
        endpoint=view.__name__,
        view_func=rule("patient_or_linked_therapist", f"chart {name}", part_of_page=True)(view),
        methods=["GET"],
    )


for _name in charts.NAMES:
    _register(_name)
