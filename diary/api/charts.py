"""Charts (docs/api.md "Figures and charts"): GET /patients/{pid}/charts/{name}, a plotly figure as JSON.

One route per chart name (`/charts/intensity`, `/charts/monthly`, ...), so an unknown name is a
plain 404 before anything is read, and each chart documents its own parameters in OpenAPI.
The figure is a plain dict built by diary.charts and serialised with orjson (docs/performance.md:
no plotly.graph_objects on the request path). Whatever the range, a chart costs a fixed
number of SQL statements: the patient's sessions (one, for the charts that mark them) and
their day facts (two).
"""

from __future__ import annotations

import orjson
from flask import current_app, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from .. import charts, queries
from ..access import rule
from ..clinical.effects import DEFAULT_WINDOW, MAX_WINDOW, MIN_WINDOW
from ..errors import InvalidInput
from ..models import User
from . import bp
from .helpers import doc, load

DATE_MESSAGE = {"invalid": "Give the date as YYYY-MM-DD."}


class ChartRangeQuerySchema(Schema):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both optional, at most 2,000 days apart."""

    class Meta:
        unknown = EXCLUDE

    from_ = fields.Date(data_key="from", load_default=None, error_messages=DATE_MESSAGE)
    to = fields.Date(load_default=None, error_messages=DATE_MESSAGE)

    @validates_schema
    def _ordered(self, data, **kwargs):
        first, last = data.get("from_"), data.get("to")
        if first and last and first > last:
            raise ValidationError("`from` is after `to`.", "from")
        if first and last and (last - first).days + 1 > charts.MAX_DAYS:
            raise ValidationError(f"Ask for at most {charts.MAX_DAYS} days at a time.", "to")


class SessionChartQuerySchema(ChartRangeQuerySchema):
    """The sessions dated from `from` to `to` (default all; the chart shows the latest ones) and
    the effect window of docs/clinical-rules.md section 6."""

    window = fields.Integer(
        load_default=DEFAULT_WINDOW,
        validate=validate.Range(MIN_WINDOW, MAX_WINDOW,
                                error=f"The window is {MIN_WINDOW} to {MAX_WINDOW} days."),
        error_messages={"invalid": "Give a whole number of days."})


class ChartSchema(Schema):
    """A plotly figure: `data` (traces) and `layout`. `layout.title.text` names the chart and
    `layout.meta` is {chart, summary, from, to}: `summary` is a plain-text account of the chart
    for screen readers."""

    data = fields.List(fields.Dict())
    layout = fields.Dict()


# "Chart: <what it shows> (<its query parameters>)", from the table of charts.
SUMMARIES = {entry.name: f"Chart: {entry.about} ({entry.range.parameters})"
             for entry in charts.CHARTS.values()}


def query_schema(entry: charts.Chart) -> type[Schema]:
    """The query a chart takes: a range, and for the session charts the effect window."""
    return SessionChartQuerySchema if entry.range.per_session else ChartRangeQuerySchema


def chart(name: str, patient: User):
    """Parse, read the facts the chart needs (the rule has authorised), respond with the figure."""
    entry = charts.CHARTS[name]
    params = load(query_schema(entry)(), request.args.to_dict())
    today = patient.today()
    try:
        first, last = entry.resolve_range(today, params["from_"], params["to"])
    except charts.RangeError as error:
        raise InvalidInput({error.field: [str(error)]}) from None
    window = params.get("window", DEFAULT_WINDOW)
    sessions = queries.session_facts(patient) if entry.reads_sessions else []
    span = entry.days_to_load(first, last, sessions, today, window)
    facts = queries.day_facts(patient, *span) if span else []
    figure = entry.build(facts, sessions, today, first, last, window)
    return current_app.response_class(orjson.dumps(figure), mimetype="application/json")


def _register(name: str) -> None:
    def view(patient: User):
        return chart(name, patient)

    view.__name__ = view.__qualname__ = f"chart_{name}"
    query = query_schema(charts.CHARTS[name])
    view = doc(SUMMARIES[name], query=query, responses={200: ChartSchema, 404: None, 422: None},
               who="patient, linked therapist")(view)
    bp.add_url_rule(f"/patients/<pid>/charts/{name}", endpoint=view.__name__,
                    view_func=rule("patient_or_linked_therapist", f"chart {name}")(view), methods=["GET"])


for _name in charts.NAMES:
    _register(_name)
