"""Render a feedback report as one self-contained HTML page (jinja2, inline CSS and SVG)."""

from __future__ import annotations

from functools import cache

import jinja2

from interviewer.feedback import charts
from interviewer.feedback.schema import BANDS, Report

TEMPLATE = "report.html.j2"


@cache
def environment() -> jinja2.Environment:
    # Candidate text is data: autoescape everything, and fail on a misspelt variable.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("interviewer", "web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship inside the package: no stat() of the file on every render.
        auto_reload=False,
    )


def render_html(report: Report) -> str:
    return environment().get_template(TEMPLATE).render(
        report=report,
        bars=charts.criteria_chart(report.criteria),
        progress=charts.progress_chart(report.history, [bound for bound, _, _ in BANDS]),
    )
