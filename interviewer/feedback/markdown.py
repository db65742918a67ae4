"""Render a feedback report as Markdown (the terminal and `?format=md`).

Every text that comes from a person or a model (answers, quotes, claims, questions, notes) is
data: raw HTML is escaped, link and image syntax is neutralised, and script schemes and event
attributes are defused, so a shared report is safe in any renderer, even one that allows HTML."""

from __future__ import annotations

import re

from interviewer.feedback.schema import Highlight, QuestionScore, Report

SHORT_QUESTION_CHARS = 90
HTML_CHARS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"})
# Shown the same by a renderer (entities), but no longer a scheme or an attribute in the source.
SCRIPT_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)(\s*):")
EVENT_ATTRIBUTE = re.compile(r"(?i)\b(on[a-z]+)(\s*)=")


def markdown_text(text: str) -> str:
    """Text as inert Markdown: shown as written, never HTML, a link, an image or a script."""
    text = text.translate(HTML_CHARS)
    text = SCRIPT_SCHEME.sub(r"\1\2&#58;", text)
    return EVENT_ATTRIBUTE.sub(r"\1\2&#61;", text)


def markdown_cell(text: str) -> str:
    # A table cell is one line, and a bare pipe would end it.
    return markdown_text(" ".join(text.split())).replace("|", "\\|")


def _short(text: str, limit: int = SHORT_QUESTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _lines(text: str) -> str:
    """Several lines, each kept inside the blockquote that holds them."""
    return markdown_text(text).replace("\n", "\n> ")


def _highlight(i: int, h: Highlight) -> list[str]:
    lines = [
        f'{i}. **{markdown_cell(h.criterion)}** ({h.score:.1f} / 5). On "{markdown_cell(_short(h.question))}" you said: "{markdown_cell(h.quote)}"',
        f"   {markdown_text(h.note)}",
    ]
    if h.missing_key_points:
        lines.append("   Say also: " + "; ".join(markdown_text(p) for p in h.missing_key_points) + ".")
    return lines


TIMING = {
    "short": "short; use the time to explain your method and results in more depth.",
    "fits": "it fits the slot.",
    "long": "over the slot; cut the least important parts and rehearse aloud with a timer.",
}


def _scorer_lines(report: Report) -> list[str]:
    """Which scorer produced the report and what it cannot see: no score claims more."""
    sc = report.scorer
    lines = ["## How this was scored", "", f"Scored by: **{markdown_text(sc.name)}** ({sc.kind}). {markdown_text(sc.method)}", ""]
    lines += ["It cannot see:"] + [f"- {markdown_text(c)}" for c in sc.cannot_see] + [""]
    if report.not_assessed:
        lines += ["Not assessed (left out of the overall):"]
        lines += [f"- **{markdown_text(c.name)}**: {markdown_text(c.reason)}" for c in report.not_assessed] + [""]
    return lines


def render_markdown(report: Report) -> str:
    s, o = report.session, report.overall
    lines = [
        f"# Mock interview report: {markdown_text(s.interviewer)} ({markdown_text(s.role)})",
        "",
        f"_{markdown_text(report.disclaimer)}_",
        "",
        f"Round `{s.persona_id}`, {s.created_at:%Y-%m-%d %H:%M} UTC, in {s.language}, {s.status}.",
        "",
    ]
    if o.unfinished:
        lines += [f"> **{markdown_text(o.unfinished)}**: the round ended early, so it earns no band and stays out of progress charts.", ""]
    if o.score is not None:
        band = f", practice band: {o.band.label}" if o.band else ""
        lines += [f"**Overall: {o.score:.1f} / 5**{band}", ""]
        if o.held:
            lines += [f"> {markdown_text(o.held)}", ""]
    elif o.withheld:
        lines += [f"**{markdown_text(o.withheld)}**", ""]
    else:
        lines += ["No answer was scored in this session.", ""]
    if report.criteria:
        lines += [f"{o.questions_answered} of {o.planned_questions or o.questions_asked} planned questions answered.", ""]
        lines += ["## Criteria", "", "| criterion | weight | score | what that level asks for |", "|---|---|---|---|"]
        lines += [f"| {markdown_cell(c.name)} | {c.weight:.0%} | {c.score:.1f} | {c.level}: {markdown_cell(c.anchor)} |" for c in report.criteria]
        lines.append("")
    lines += _scorer_lines(report)
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
            lines.append(f"- **{markdown_text(lesson.title)}.** {markdown_text(lesson.advice)}")
            for occ in lesson.occurrences:
                lines.append(f'  - {markdown_text(occ.observed)} On "{markdown_cell(_short(occ.question))}": "{markdown_cell(occ.quote)}"')
        lines.append("")
    if report.presentation:
        p = report.presentation
        lines += ["## Your presentation", "", f"About {p.minutes:.0f} minutes spoken ({p.words} words at 130 words per minute) for a {p.slot_minutes}-minute slot: {TIMING[p.verdict]}", ""]
    if report.claims:
        lines += ["## Claims in your take-home", "", "| claim | status | from your write-up | asked | score | evidence |", "|---|---|---|---|---|---|"]
        for c in report.claims:
            score = f"{c.score:.1f}" if c.score is not None else "-"
            evidence = "; ".join(f'"{markdown_cell(e)}"' for e in c.evidence) or "-"
            lines.append(f"| {markdown_cell(_short(c.claim))} | {c.status} | {markdown_cell(_short(c.source))} | {'yes' if c.asked else 'no'} | {score} | {evidence} |")
        weak = [c for c in report.claims if c.advice]
        if weak:
            lines += ["", "Learn these or drop them before the real interview:"]
            lines += [f"- **{markdown_cell(_short(c.claim))}** ({c.score:.1f}). {markdown_text(c.advice or '')}" for c in weak]
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
        lines += [f"### {i}. {markdown_text(' '.join(q.question.split()))}", ""]
        if not q.answered or q.answer_excerpt is None:
            lines += ["_Not answered._", ""]
            continue
        lines += ["> " + _lines(q.answer_excerpt), ""]
        if q.follow_ups:
            lines += ["Follow-ups: " + " / ".join(f'"{markdown_cell(f)}"' for f in q.follow_ups), ""]
        if q.scores:
            lines += ["| criterion | score | what was found | evidence |", "|---|---|---|---|"]
            for sc in q.scores:
                evidence = " ".join(f'"{markdown_cell(e)}"' for e in sc.evidence) or "none quoted"
                lines.append(f"| {markdown_cell(sc.criterion)} | {sc.score}/5 | {markdown_cell(sc.rationale)} | {evidence} |")
            lines.append("")
            lines += [_scored_by_line(q.scores), ""]
        if q.not_assessed_by_judge:
            lines += ["Not assessed (no evidence either way): " + "; ".join(q.not_assessed_by_judge) + ".", ""]
        for c in q.not_assessed_offline:
            lines += [f"{markdown_text(c.name)}: {markdown_text(c.reason)}", ""]
        for c in q.corrections:
            fix = f" In fact: {markdown_text(c.correction)}" if c.correction else f" This contradicts: {markdown_text(c.about)}."
            lines += [f'You said: "{markdown_cell(c.quote)}".{fix}', ""]
        if q.doubt:
            lines += [f"Doubted: {markdown_text(q.doubt)}", ""]
        if q.listed_key_points:
            lines += ["Named but not explained (no credit): " + "; ".join(markdown_text(p) for p in q.listed_key_points) + ".", ""]
        if q.missing_key_points:
            lines += ["Missing key points: " + "; ".join(markdown_text(p) for p in q.missing_key_points) + ".", ""]
        if q.reference_answer:
            lines += ["Model answer:", "", "> " + _lines(q.reference_answer.strip()), ""]
            if q.source:
                lines += [f"Source: {markdown_text(q.source)}", ""]
        elif q.key_points:
            lines += ["A strong answer covers: " + "; ".join(markdown_text(p) for p in q.key_points) + ".", ""]
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
        f"Model {markdown_text(u.model)}; {u.turns} turns; {u.candidate_words} words from you; {tokens}; {cost}; "
        f"{u.duration_seconds // 60} min {u.duration_seconds % 60} s.",
        "",
    ]
    if u.by_purpose:
        calls = ", ".join(
            f"{purpose} {p.model_calls}" + (f" (${p.cost_usd:.4f})" if p.cost_usd is not None else "") for purpose, p in u.by_purpose.items()
        )
        lines += [f"Model calls by purpose: {calls}.", ""]
    return "\n".join(lines)


def _scored_by_line(scores: list[QuestionScore]) -> str:
    """Who scored the answer, and why the offline scorer stood in when it did (issue 12)."""
    offline = [s for s in scores if s.scored_by == "offline"]
    spreads = [s.spread for s in scores if s.spread is not None]
    spread = f" (spread over samples up to {max(spreads):.2f})" if spreads else ""
    if not offline:
        return f"Scored by: judge{spread}."
    reason = next((s.scored_by_reason for s in offline if s.scored_by_reason), None)
    return "Scored by: offline" + (f": {markdown_cell(reason)}" if reason else "") + "."
