"""Render a loop's debrief as one self-contained HTML page (jinja2, inline CSS and SVG, no script)."""

from __future__ import annotations

from functools import cache

import jinja2

from interviewer.feedback import charts
from interviewer.feedback.debrief_model import Debrief
from interviewer.feedback.debrief_text import band_name, labels

TEMPLATE = "debrief.html.j2"


@cache
def _environment() -> jinja2.Environment:
    # Candidate text is data: autoescape everything, and fail on a misspelt variable.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("interviewer", "web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(debrief: Debrief) -> str:
    rounds = [(r.name, r.score) for r in debrief.rounds if r.score is not None]
    competencies = [(c.name, c.score) for c in debrief.competencies if c.score is not None]
    return _environment().get_template(TEMPLATE).render(
        debrief=debrief,
        t=labels(debrief.language),
        band_name=lambda key: band_name(debrief.language, key),
        rounds_chart=charts.score_chart(rounds),  # type: ignore[arg-type]
        competencies_chart=charts.score_chart(competencies),  # type: ignore[arg-type]
    )
