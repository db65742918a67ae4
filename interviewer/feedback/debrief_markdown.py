"""Render a loop's debrief as Markdown, in the loop's language."""

from __future__ import annotations

from interviewer.feedback.debrief_model import Debrief
from interviewer.feedback.debrief_text import band_name, labels
from interviewer.feedback.markdown import markdown_cell


def _score(value: float | None, missing: str) -> str:
    return f"{value:.1f} / 5" if value is not None else missing


def _one_line(value: str) -> str:
    # Candidate and note text is data: it stays on its line (no heading, no list, no table cell
    # ended early) and is never HTML, a link, an image or a script.
    return markdown_cell(value)


def render_markdown(debrief: Debrief) -> str:
    t = labels(debrief.language)
    out = [f"# {t['title']}", "", f"> **{debrief.disclaimer}**", ""]
    if debrief.partial:
        out += [f"> {debrief.partial}", ""]
    out += [f"## {t['rounds']}", "", f"| {t['round']} | {t['status']} | {t['score']} | {t['band']} |", "|---|---|---|---|"]
    for r in debrief.rounds:
        band = band_name(debrief.language, r.band) if r.band else t["early"] if r.status == "ended" and not r.complete else ""
        out.append(f"| {_one_line(r.name)} | {t[r.status]} | {_score(r.score, t['not_scored'])} | {band} |")
    for r in debrief.rounds:
        if not r.questions:
            continue
        out += ["", f"### {_one_line(r.name)}", ""]
        for q in r.questions:
            score = _score(q.score, t["not_scored"]) if q.answered else t["not_answered"]
            out.append(f"- `{q.question_id}` ({score}): {_one_line(q.question)}")
    out += ["", f"## {t['consistency']}", "", f"_{t['checked']}_", ""]
    if not debrief.consistency:
        out.append(t["no_signals"])
    for s in debrief.consistency:
        out.append(f"- {_one_line(s.text)}")
        for q in s.quotes:
            out.append(f"  - {_one_line(q.round)}: “{_one_line(q.text)}”")
    out += ["", f"## {t['competencies']}", ""]
    for c in debrief.competencies:
        shared = f" ({t['shared']})" if c.shared else ""
        out.append(f"- **{_one_line(c.name)}**{shared}: {_score(c.score, t['not_assessed'])}")
        for r in c.rounds:
            value = _score(r.score, "") if r.score is not None else _one_line(r.not_assessed or t["not_assessed"])
            out.append(f"  - {_one_line(r.round)}, {_one_line(r.criterion)}: {value}")
    out += ["", f"## {t['plan']}", ""]
    if not debrief.practice_plan:
        out.append(t["no_plan"])
    for i, item in enumerate(debrief.practice_plan, 1):
        out.append(f"{i}. **{_one_line(item.title)}** ({_one_line(item.round)}, {_score(item.score, t['not_answered'])})")
        out.append(f"   {t['why']}: {_one_line(item.why)}")
        if item.quote:
            out.append(f"   {t['you_said']}: “{_one_line(item.quote)}”")
        if item.strong_answer:
            points = "; ".join(_one_line(p) for p in item.strong_answer)
            out.append(f"   {t['strong']}: {points}" + ("" if points.endswith((".", "!", "?")) else "."))
    return "\n".join(out) + "\n"
