"""Charts (docs/api.md "Figures and charts"): their queries and the plotly figure they answer."""

from __future__ import annotations

from marshmallow import Schema, fields

from .. import charts
from .common import DAY, range_query
from .figures import effect_window

ChartRangeQuerySchema = range_query(
    "ChartRangeQuerySchema",
    DAY,
    max_span=charts.MAX_DAYS,
)


class SessionChartQuerySchema(ChartRangeQuerySchema):
    """The sessions dated from `from` to `to` (default all; the chart shows the latest ones) and
    the effect window of docs/clinical-rules.md section 6."""

    window = effect_window()


class ChartSchema(Schema):
    """A plotly figure: `data` (traces) and `layout`. `layout.title.text` names the chart and
    `layout.meta` is {chart, summary, from, to}: `summary` is a plain-text account of the chart
    for screen readers."""

    data = fields.List(fields.Dict())
    layout = fields.Dict()


def chart_query(entry: charts.Chart) -> type[Schema]:
    """The query a chart takes: a range, and for the session charts the effect window."""
    return SessionChartQuerySchema if entry.range.per_session else ChartRangeQuerySchema
