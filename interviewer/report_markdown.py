"""Render a feedback report as Markdown (the terminal and `?format=md`)."""

from __future__ import annotations

from interviewer.report_schema import Highlight, Report

SHORT_QUESTION_CHARS = 90


def _cell(text: str) -> str:
    # A table cell is one line, and a bare pipe would end it.
    return " ".join(text.split()).replace("|", "\\|")


def _short(text: str, limit: int = SHORT_QUESTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _highlight(i: int, h: Highlight) -> list[str]:
    lines = [
        f'{i}. **{h.criterion}** ({h.score:.1f} / 5). On "{_short(h.question)}" you said: "{_cell(h.quote)}"',
        f"   {h.note}",
    ]
    if h.missing_key_points:
        lines.append("   Say also: " + "; ".join(h.missing_key_points) + ".")
    return lines


TIMING = {
    "short": "short; use the time to explain your method and results in more depth.",
    "fits": "it fits the slot.",
    "long": "over the slot; cut the least important parts and rehearse aloud with a timer.",
}


def render_markdown(report: Report) -> str:
    s, o = report.session, report.overall
    lines = [
        f"# Mock interview report: {s.interviewer} ({s.role})",
        "",
        f"_{report.disclaimer}_",
        "",
        f"Round `{s.persona_id}`, {s.created_at:%Y-%m-%d %H:%M} UTC, in {s.language}, {s.status}.",
        "",
    ]
    if o.score is None or o.band is None:
        lines += ["No answer was scored in this session.", ""]
    else:
        lines += [f"**Overall: {o.score:.1f} / 5**, practice band: {o.band.label}", ""]
        lines += [f"{o.questions_answered} of {o.questions_asked} questions answered.", ""]
        lines += ["## Criteria", "", "| criterion | weight | score | level reached |", "|---|---|---|---|"]
        lines += [f"| {c.name} | {c.weight:.0%} | {c.score:.1f} | {c.level}: {_cell(c.anchor)} |" for c in report.criteria]
        lines.append("")
    if report.strengths:
        lines += ["## Strengths", ""]
        for i, h in enumerate(report.strengths, 1):
            lines += _highlight(i, h)
        lines.append("")
    if report.improvements:
        lines += ["## What to improve", ""]
        for i, h in enumerate(report.improvements, 1):
            lines += _highlight(i, h)
        lines.append("")
    if report.lessons:
        lines += ["## Lessons from real interviews", ""]
        for lesson in report.lessons:
            lines.append(f"- **{lesson.title}.** {lesson.advice}")
            for occ in lesson.occurrences:
                lines.append(f'  - {occ.observed} On "{_short(occ.question)}": "{_cell(occ.quote)}"')
        lines.append("")
    if report.presentation:
        p = report.presentation
        lines += ["## Your presentation", "", f"About {p.minutes:.0f} minutes spoken ({p.words} words at 130 words per minute) for a {p.slot_minutes}-minute slot: {TIMING[p.verdict]}", ""]
    if report.claims:
        lines += ["## Claims in your take-home", "", "| claim | status | from your write-up | asked | score | evidence |", "|---|---|---|---|---|---|"]
        for c in report.claims:
            score = f"{c.score:.1f}" if c.score is not None else "-"
            evidence = "; ".join(f'"{_cell(e)}"' for e in c.evidence) or "-"
            lines.append(f"| {_cell(_short(c.claim))} | {c.status} | {_cell(_short(c.source))} | {'yes' if c.asked else 'no'} | {score} | {evidence} |")
        weak = [c for c in report.claims if c.advice]
        if weak:
            lines += ["", "Learn these or drop them before the real interview:"]
            lines += [f"- **{_cell(_short(c.claim))}** ({c.score:.1f}). {c.advice}" for c in weak]
        lines.append("")
    lines += ["## Progress on this round", ""]
    if len(report.history) < 2:
        lines += ["This is your first scored session of this round; practise it again to see your progress.", ""]
    else:
        lines += ["| session | date | overall |", "|---|---|---|"]
        for point in report.history:
            score = f"{point.score:.1f}" if point.score is not None else "-"
            label = "this session" if point.current else point.session_id[:8]
            lines.append(f"| {label} | {point.created_at:%Y-%m-%d %H:%M} | {score} |")
        lines.append("")
    lines += ["## Question by question", ""]
    for i, q in enumerate(report.questions, 1):
        lines += [f"### {i}. {' '.join(q.question.split())}", ""]
        if not q.answered or q.answer_excerpt is None:
            lines += ["_Not answered._", ""]
            continue
        lines += ["> " + q.answer_excerpt.replace("\n", "\n> "), ""]
        if q.follow_ups:
            lines += ["Follow-ups: " + " / ".join(f'"{_cell(f)}"' for f in q.follow_ups), ""]
        if q.scores:
            lines += ["| criterion | score | level | evidence |", "|---|---|---|---|"]
            for sc in q.scores:
                evidence = " ".join(f'"{_cell(e)}"' for e in sc.evidence) or "none quoted"
                lines.append(f"| {sc.criterion} | {sc.score}/5 | {_cell(sc.anchor)} | {evidence} |")
            lines.append("")
        if q.missing_key_points:
            lines += ["Missing key points: " + "; ".join(q.missing_key_points) + ".", ""]
        if q.reference_answer:
            lines += ["Model answer:", "", "> " + q.reference_answer.strip().replace("\n", "\n> "), ""]
            if q.source:
                lines += [f"Source: {q.source}", ""]
        elif q.key_points:
            lines += ["A strong answer covers: " + "; ".join(q.key_points) + ".", ""]
    u = report.usage
    tokens = (
        f"{u.prompt_tokens or 0} prompt + {u.completion_tokens or 0} completion tokens"
        if u.prompt_tokens is not None or u.completion_tokens is not None
        else "no model tokens"
    )
    cost = f"${u.cost_usd:.4f}" if u.cost_usd is not None else "cost not recorded"
    lines += [
        "## Usage",
        "",
        f"Model {u.model}; {u.turns} turns; {u.candidate_words} words from you; {tokens}; {cost}; "
        f"{u.duration_seconds // 60} min {u.duration_seconds % 60} s.",
        "",
    ]
    return "\n".join(lines)
