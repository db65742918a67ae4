"""Render a loop's debrief as one self-contained HTML page (jinja2, inline CSS and SVG, no script)."""

from __future__ import annotations

from interviewer.feedback import charts
from interviewer.feedback.debrief_model import Debrief
from interviewer.feedback.debrief_text import band_name, labels
from interviewer.feedback.html import environment

TEMPLATE = "debrief.html.j2"


def render_html(debrief: Debrief) -> str:
    rounds = [(r.name, r.score) for r in debrief.rounds if r.score is not None]
    competencies = [(c.name, c.score) for c in debrief.competencies if c.score is not None]
    return environment().get_template(TEMPLATE).render(
        debrief=debrief,
        t=labels(debrief.language),
        band_name=lambda key: band_name(debrief.language, key),
        rounds_chart=charts.score_chart(rounds),  # type: ignore[arg-type]
        competencies_chart=charts.score_chart(competencies),  # type: ignore[arg-type]
    )
