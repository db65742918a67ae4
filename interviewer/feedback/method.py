""""How this was scored": the scorer behind a report, what the offline scorer cannot see, and the
criteria it did not assess, so a report never claims what was not checked."""

from __future__ import annotations

from collections.abc import Sequence

from interviewer.catalog.rubrics import Rubric
from interviewer.feedback.schema import CriterionResult, NotAssessedCriterion, ScorerInfo
from interviewer.storage.tables import AnswerScore


OFFLINE_METHOD = (
    "The offline scorer: each key point counts when a clause of the answer states it (naming it in a list "
    "earns nothing; stating it negated or reversed is a contradiction), common misconceptions are caught{paraphrase}{reader}, "
    "and clarity is read from sentence-level signals."
)


PARAPHRASE = ", paraphrases are credited by sentence similarity"
READER = (
    ", a reader trained on graded answers doubts a full answer it finds unlikely to be correct "
    "(its content held at level 2, marked on the answer; a thin answer is held by what it covers instead)"
)


OFFLINE_CANNOT_SEE = [
    "whether reasoning is sound beyond the rubric's key points, reference answer and listed misconceptions",
    "mistakes the rubric does not list, and claims stated in words far from both",
    "derivations, code and the correctness of numbers",
]


def scorer_info(
    model: str, scores: Sequence[AnswerScore], rubric: Rubric, semantic_available: bool, reader_available: bool = False
) -> ScorerInfo:
    """Which scorer produced the report, what it measures and what it cannot see."""
    # A score is offline when the session has no model, or when the offline scorer stood in for the judge.
    offline = {s.model == "offline" or s.scored_by == "offline" for s in scores} or {model == "offline"}
    if offline == {True}:
        cannot = list(OFFLINE_CANNOT_SEE)
        if not semantic_available:
            cannot.append("paraphrases: the embedding model is off or not installed, so only the rubric's own phrases count")
        if reader_available:
            cannot.append("which sentence is wrong when the learned reader doubts an answer: it reads the answer as a whole")
        cannot += [f"{c.name}: {c.offline_reason}" for c in rubric.criteria if c.offline == "not_assessed"]
        method = OFFLINE_METHOD.format(paraphrase=PARAPHRASE if semantic_available else "", reader=READER if reader_available else "")
        return ScorerInfo(kind="offline", name="offline", method=method, cannot_see=cannot)
    kind = "judge" if offline == {False} else "mixed"
    judge = next((s.model for s in scores if s.model != "offline" and s.scored_by != "offline"), model)
    method = f"The judge model {judge} scored each answer against the rubric's anchored levels, quoting the answer."
    if kind == "mixed":
        method += " Where it failed, the offline scorer stood in (marked on each score)."
    cannot = [
        "facts outside the transcript: the judge sees only what was said",
        "how it was said aloud: pace, tone and hesitation",
    ]
    return ScorerInfo(kind=kind, name=judge, method=method, cannot_see=cannot)


def not_assessed(rubric: Rubric, criteria: Sequence[CriterionResult], info: ScorerInfo) -> list[NotAssessedCriterion]:
    """Criteria nobody scored in this report, with why: never averaged in as a low score."""
    scored = {c.id for c in criteria}
    missing = [c for c in rubric.criteria if c.id not in scored]
    return [
        NotAssessedCriterion(
            id=c.id, name=c.name,
            reason=(f"not assessed offline: {c.offline_reason}" if c.offline == "not_assessed" and info.kind != "judge"
                    else "no answer gave evidence for it"),
        )
        for c in missing
    ]
