"""The judge's prompt: the rubric's instructions as the system message, the answer alone, fenced, as
the user message (rendered from models/templates/judge.j2)."""

from __future__ import annotations

from interviewer.assessment.scoring import criteria_for
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Criterion, QuestionKey, Rubric
from interviewer.models.prompting import Messages, as_data, environment


def judge_messages(*, rubric: Rubric, persona: Persona, question_id: str, thread: str, language: Language) -> Messages:
    """The rubric's instructions in the system prompt; the answer alone, delimited, as the user message."""
    question = persona.question(question_id)
    key = rubric.questions.get(question_id)
    return standalone_judge_messages(
        assessment_of=rubric.name,
        question_text=question.text.get(language),
        key=key,
        criteria=criteria_for(question, rubric),
        answer=thread,
        reference_answer=key.reference_answer if key else None,
    )


def standalone_judge_messages(
    *, assessment_of: str, question_text: str, key: QuestionKey | None, criteria: list[Criterion], answer: str,
    reference_answer: str | None = None,
) -> Messages:
    system = environment().get_template("judge.j2").render(
        assessment_of=assessment_of, question_text=question_text, key=key, criteria=criteria, reference_answer=reference_answer,
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"<candidate_answer>\n{as_data(answer)}\n</candidate_answer>"},
    ]
