"""Build the feedback report from stored turns and scores (pure), and render it as Markdown.

Scores are derived data: the report reads the latest score of each question thread, so a
follow-up that fills a gap raises the question's score, as it would with a human interviewer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from interviewer import scoring
from interviewer.catalog import Persona, Rubric
from interviewer.store import AnswerScore, InterviewSession, Turn

SCHEMA_VERSION = 1
DISCLAIMER = "Practice feedback from a mock interview, not a hiring decision."
EXCERPT_CHARS = 400
# Lower bounds of the weighted overall score (1-5) for each practice band, best first.
BANDS = (
    (4.2, "ready", "Ready: answers like these would hold up in a real round."),
    (3.4, "nearly-there", "Nearly there: solid, with a few gaps to close."),
    (2.6, "developing", "Developing: the basics are there; depth and evidence are missing."),
    (0.0, "needs-groundwork", "Needs groundwork: prepare the core topics and rehearse aloud."),
)


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def band_for(score: float) -> dict[str, str]:
    for bound, key, label in BANDS:
        if score >= bound:
            return {"key": key, "label": label}
    raise AssertionError("unreachable: the last band starts at 0")


def _question_entry(
    question_id: str,
    *,
    persona: Persona,
    rubric: Rubric,
    session_language: str,
    turns: list[Turn],
    scores: list[AnswerScore],
) -> dict[str, Any]:
    asked = next(t for t in turns if t.role == "interviewer" and t.question_id == question_id)
    answers = [t for t in turns if t.role == "candidate" and t.question_id == question_id]
    follow_ups = [t.content for t in turns if t.kind == "follow_up" and t.question_id == question_id]
    last_scored = max((s.turn_id for s in scores), default=None)
    final = [s for s in scores if s.turn_id == last_scored]
    question = persona.question(question_id)
    key = rubric.questions.get(question_id)
    entry: dict[str, Any] = {
        "question_id": question_id,
        "question": question.text.get(asked.language),  # type: ignore[arg-type]
        "stage": persona.stage_of(question_id).id,
        "answered": bool(answers),
        "answer_excerpt": _excerpt("\n".join(a.content for a in answers)) if answers else None,
        "follow_ups": follow_ups,
        "scores": [
            {
                "criterion_id": s.criterion_id,
                "criterion": rubric.criterion(s.criterion_id).name,
                "score": s.score,
                "level": rubric.criterion(s.criterion_id).levels[s.score],  # type: ignore[index]
                "rationale": s.rationale,
                "evidence": s.evidence,
                "flagged": s.flagged,
            }
            for s in final
        ],
        "covered_key_points": [],
        "missing_key_points": [p.label for p in key.key_points] if key else [],
        "reference_answer": key.reference_answer if key else None,
        "source": key.source if key else None,
    }
    if answers:
        assessment = scoring.assess(
            thread="\n".join(a.content for a in answers),
            latest=answers[-1].content,
            question=question,
            rubric=rubric,
            language=answers[-1].language,  # type: ignore[arg-type]
            min_words=persona.min_answer_words,
        )
        entry["covered_key_points"] = assessment.covered_key_points
        entry["missing_key_points"] = assessment.missing_key_points
    return entry


def build_report(
    *, session: InterviewSession, persona: Persona, rubric: Rubric, turns: list[Turn], scores: list[AnswerScore]
) -> dict[str, Any]:
    by_question: dict[str, list[AnswerScore]] = defaultdict(list)
    for s in scores:
        by_question[s.question_id].append(s)
    asked_ids: list[str] = []
    for t in turns:
        if t.role == "interviewer" and t.kind in ("question", "language_switch") and t.question_id not in asked_ids:
            asked_ids.append(t.question_id)  # type: ignore[arg-type]
    questions = [
        _question_entry(q, persona=persona, rubric=rubric, session_language=session.language, turns=turns, scores=by_question[q])
        for q in asked_ids
    ]

    criteria: list[dict[str, Any]] = []
    for criterion in rubric.criteria:
        finals = [s for q in questions for s in q["scores"] if s["criterion_id"] == criterion.id]
        if not finals:
            continue
        mean = sum(s["score"] for s in finals) / len(finals)
        best = max(finals, key=lambda s: (s["score"], bool(s["evidence"])))
        worst = min(finals, key=lambda s: (s["score"], -len(s["evidence"])))
        criteria.append(
            {
                "id": criterion.id,
                "name": criterion.name,
                "weight": criterion.weight,
                "score": round(mean, 2),
                "level": criterion.levels[round(mean)],  # type: ignore[index]
                "next_level": criterion.levels[min(5, round(mean) + 1)] if round(mean) < 5 else None,  # type: ignore[index]
                "evidence": best["evidence"][:2],
                "weakest_evidence": worst["evidence"][:1],
                "questions": len(finals),
            }
        )

    weight = sum(c["weight"] for c in criteria)
    overall = round(sum(c["score"] * c["weight"] for c in criteria) / weight, 2) if weight else None
    ranked = sorted(criteria, key=lambda c: c["score"], reverse=True)
    strengths = [
        {"criterion_id": c["id"], "criterion": c["name"], "score": c["score"], "quote": c["evidence"][0] if c["evidence"] else None, "why": c["level"]}
        for c in ranked
        if c["score"] >= 3
    ][:3]
    improvements = [
        {
            "criterion_id": c["id"],
            "criterion": c["name"],
            "score": c["score"],
            "quote": (c["weakest_evidence"] or [None])[0],
            "advice": f"To reach the next level: {c['next_level']}" if c["next_level"] else c["level"],
        }
        for c in reversed(ranked)
        if c["score"] < 4.5
    ][:3]

    candidate_turns = [t for t in turns if t.role == "candidate"]
    started, finished = turns[0].created_at, turns[-1].created_at
    return {
        "schema_version": SCHEMA_VERSION,
        "disclaimer": DISCLAIMER,
        "session": {
            "id": session.id,
            "persona_id": persona.id,
            "interviewer": persona.name,
            "role": persona.role,
            "language": session.language,
            "status": session.status,
            "created_at": session.created_at.isoformat(),
            "ended_at": session.ended_at.isoformat() if session.ended_at else None,
            "persona_hash": session.persona_hash,
            "rubric_hash": session.rubric_hash,
        },
        "overall": {
            "score": overall,
            "out_of": 5,
            "band": band_for(overall) if overall is not None else None,
            "questions_asked": len(questions),
            "questions_answered": sum(q["answered"] for q in questions),
        },
        "criteria": criteria,
        "questions": questions,
        "strengths": strengths,
        "improvements": improvements,
        "usage": {
            "model": session.model,
            "turns": len(turns),
            "candidate_words": sum(len(t.content.split()) for t in candidate_turns),
            "prompt_tokens": sum(t.prompt_tokens or 0 for t in turns) or None,
            "completion_tokens": sum(t.completion_tokens or 0 for t in turns) or None,
            "duration_seconds": round((finished - started).total_seconds()),
        },
    }


def render_markdown(report: dict[str, Any]) -> str:
    s, o = report["session"], report["overall"]
    lines = [f"# Mock interview report: {s['interviewer']} ({s['role']})", "", f"_{report['disclaimer']}_", ""]
    if o["score"] is None:
        lines += ["No answer was scored in this session.", ""]
    else:
        lines += [f"**Overall: {o['score']:.1f} / 5** ({o['band']['label']})", ""]
        lines += ["## Criteria", "", "| criterion | weight | score | level |", "|---|---|---|---|"]
        lines += [f"| {c['name']} | {c['weight']:.0%} | {c['score']:.1f} | {c['level']} |" for c in report["criteria"]]
        lines.append("")
    if report["strengths"]:
        lines += ["## Strengths", ""]
        for item in report["strengths"]:
            quote = f' You said: "{item["quote"]}"' if item["quote"] else ""
            lines.append(f"- **{item['criterion']}** ({item['score']:.1f}).{quote}")
        lines.append("")
    if report["improvements"]:
        lines += ["## What to improve", ""]
        for item in report["improvements"]:
            quote = f' For example: "{item["quote"]}"' if item["quote"] else ""
            lines.append(f"- **{item['criterion']}** ({item['score']:.1f}). {item['advice']}{quote}")
        lines.append("")
    lines += ["## Question by question", ""]
    for i, q in enumerate(report["questions"], 1):
        lines += [f"### {i}. {q['question']}", ""]
        if not q["answered"]:
            lines += ["_Not answered._", ""]
            continue
        lines += ["> " + q["answer_excerpt"].replace("\n", "\n> "), ""]
        for sc in q["scores"]:
            lines.append(f"- {sc['criterion']}: **{sc['score']}/5**. {sc['rationale']}")
            lines += [f'  - evidence: "{e}"' for e in sc["evidence"]]
        if q["missing_key_points"]:
            lines.append("- Missing key points: " + "; ".join(q["missing_key_points"]))
        if q["reference_answer"]:
            lines += ["", "<details><summary>Reference answer</summary>", "", q["reference_answer"], "", f"Source: {q['source']}", "</details>"]
        lines.append("")
    u = report["usage"]
    lines += ["## Usage", "", f"Model: {u['model']}; turns: {u['turns']}; your words: {u['candidate_words']}; duration: {u['duration_seconds']} s.", ""]
    return "\n".join(lines)
