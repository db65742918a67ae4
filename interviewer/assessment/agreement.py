"""Whether two claims agree: a reference's clause against an answer's, with negations, opposites
and comparisons whose terms stand the other way round (pure)."""

from __future__ import annotations

from interviewer.assessment.cues import opposites
from interviewer.assessment.polarity import Clause
from interviewer.assessment.reversal import reversed_stems
from interviewer.catalog.fields import Language


def canonical(stem: str, language: Language) -> str:
    """One name for a stem and its opposites, so a claim and its contrary align."""
    group = opposites(language).get(stem)
    return min(group | {stem}) if group else stem


def terms_reversed(reference: Clause, answer: Clause) -> bool:
    """Both clauses compare, and the answer puts the reference's terms the other way round: "corn
    syrup is denser than oil" against "oil is less dense than corn syrup" (with "less" for "more",
    the same claim). Each clause's second term (after "than", content words) stands in the other's
    first part, and the two second terms share nothing."""
    if reference.compared is None or answer.compared is None:
        return False
    (r_before, r_after), (a_before, a_after) = reference.compared, answer.compared
    return bool(a_after & r_before) and bool(r_after & a_before) and not (a_after & r_after)


def claims_disagree(reference: Clause, answer: Clause, language: Language) -> bool:
    """Two aligned clauses disagree when one is negated and the other not (or, both negated, when
    the counts differ in parity), counting swapped opposites; a comparison whose terms are the
    other way round counts as one more swap."""
    swaps = len(reversed_stems(reference.stems, reference.stems & answer.stems, answer.stems - reference.stems, language))
    if terms_reversed(reference, answer):
        swaps += 1
    if reference.negated and answer.negated:
        differ = reference.negations % 2 != answer.negations % 2
    else:
        differ = reference.negated != answer.negated
    return differ != (swaps % 2 == 1)
