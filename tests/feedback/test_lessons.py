"""Lessons of the domain brief: the data file is valid and traceable, the generic triggers fire on
what happened (and only then), and whole interviews get the lesson their failure calls for."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from interviewer.catalog.loading import Catalog
from interviewer.feedback.lessons import AnswerFacts, CriterionAtMost, ThreadFacts, load_lessons, triggered_lessons
from interviewer.ops.settings import PROJECT_ROOT

from tests.support.interviews import play, strong_candidate

BOOK = load_lessons()
DOMAIN_BRIEF = PROJECT_ROOT / "docs" / "domain.md"


def test_every_trigger_names_questions_and_criteria_that_exist(catalog: Catalog) -> None:
    owner = {q.id: p for p in catalog.personas.values() for q in p.questions}
    for lesson in BOOK.lessons:
        for trigger in lesson.triggers:
            for question_id in getattr(trigger, "questions", []):
                assert question_id in owner, f"{lesson.id}: unknown question {question_id}"
                if isinstance(trigger, CriterionAtMost):
                    persona = owner[question_id]
                    question = persona.question(question_id)
                    assessed = question.criteria or [c.id for c in catalog.rubric_for(persona).criteria]
                    assert trigger.criterion in assessed, f"{lesson.id}: {question_id} is not judged on {trigger.criterion}"


def test_every_lesson_of_the_domain_brief_is_given_verbatim() -> None:
    brief = DOMAIN_BRIEF.read_text(encoding="utf-8")
    listed = brief.split("## Lessons the feedback report should be able to give", 1)[1].split("\n## ", 1)[0]
    items = [line[2:].strip() for line in listed.splitlines() if line.startswith("- ")]
    assert sorted(lesson.domain_lesson for lesson in BOOK.lessons) == sorted(items)


def answer(quote: str, *, words: int = 40, hedged: bool = False, to_follow_up: bool = False) -> AnswerFacts:
    return AnswerFacts(quote=quote, words=words, hedged=hedged, to_follow_up=to_follow_up)


def thread(question_id: str, *answers: AnswerFacts, scores: dict[str, int] | None = None, has_number: bool = True) -> ThreadFacts:
    return ThreadFacts(
        question_id=question_id, question=f"Question {question_id}?", answers=list(answers), scores=scores or {},
        evidence={}, has_number=has_number, min_words=30,
    )


def fired(threads: list[ThreadFacts], language: str = "en") -> dict[str, list[tuple[str, str]]]:
    return {
        lesson.id: [(o.question_id, o.quote) for o in lesson.occurrences]
        for lesson in triggered_lessons(threads, language=language)  # type: ignore[arg-type]
    }


def test_a_hedge_on_the_topic_question_calls_for_a_decisive_choice() -> None:
    hedge = thread("mf-topic-choice", answer("Maybe energy, maybe automation, hard to say.", hedged=True), scores={"decisiveness": 1})
    assert fired([hedge])["decisive-topic-choice"] == [("mf-topic-choice", "Maybe energy, maybe automation, hard to say.")]
    decided = thread("mf-topic-choice", answer("I would choose the energy topic, definitely."), scores={"decisiveness": 5})
    assert "decisive-topic-choice" not in fired([decided])


def test_a_claim_not_explained_under_a_follow_up_is_the_name_dropping_lesson() -> None:
    claimed = thread(
        "th-advanced-technique",
        answer("I used distributional RL from the Rainbow paper to stabilise training."),
        answer("I don't know, I just used the library.", words=8, hedged=True, to_follow_up=True),
    )
    assert fired([claimed])["explain-what-you-mention"] == [("th-advanced-technique", "I don't know, I just used the library.")]
    # Hedging from the start is a different failure: nothing was claimed.
    unclaimed = thread("th-advanced-technique", answer("I don't know.", words=3, hedged=True),
                       answer("No idea.", words=2, hedged=True, to_follow_up=True))
    assert "explain-what-you-mention" not in fired([unclaimed])


def test_a_project_story_without_a_number_asks_for_a_rehearsed_presentation() -> None:
    story = thread("mf-project-deep", answer("I built a retrieval system with two classmates."), has_number=False)
    assert fired([story])["rehearse-timed-presentation"] == [("mf-project-deep", "I built a retrieval system with two classmates.")]
    assert "rehearse-timed-presentation" not in fired([thread("mf-project-deep", answer("It cut latency by 40%."))])
    # Not every question needs a number.
    assert fired([thread("mf-conflict", answer("We disagreed about the model."), has_number=False)]) == {}


def test_a_second_half_weaker_than_the_first_is_a_decline() -> None:
    early = [thread(f"q-{i}", answer(f"Good answer {i}."), scores={"depth": 4, "clarity": 5}) for i in range(3)]
    late = [thread(f"q-{i}", answer(f"Thin answer {i}."), scores={"depth": 2, "clarity": 3}) for i in range(3, 6)]
    assert fired(early + late)["rigorous-to-the-end"] == [("q-3", "Thin answer 3.")]
    assert "rigorous-to-the-end" not in fired(late + early)
    assert "rigorous-to-the-end" not in fired(early[:1] + late[:1]), "two questions say nothing about a trend"


def test_lessons_speak_the_session_language_and_quote_at_most_three_moments() -> None:
    hedges = [thread(q, answer(f"Je ne sais pas ({q}).", hedged=True)) for q in ("rs-track", "rs-strength", "mf-dev-vs-research", "rs-topic-choice")]
    [position, decisive] = triggered_lessons(hedges, language="fr")
    book = {lesson.id: lesson for lesson in BOOK.lessons}
    assert position.id == "position-on-strength" and position.advice == book["position-on-strength"].advice.fr
    assert position.title == book["position-on-strength"].title.fr
    assert len(position.occurrences) == 3 and position.occurrences[0].observed.startswith("Vous avez hésité")
    assert decisive.id == "decisive-topic-choice"


def test_a_hedged_topic_choice_in_a_whole_manager_round(client: TestClient, catalog: Catalog) -> None:
    strong = strong_candidate(catalog, "manager-fit")
    hedge = "Hmm, I don't know, maybe energy, maybe automation, hard to say, I'm not sure."

    def hesitant(turn: dict[str, Any]) -> str:
        return hedge if turn["question_id"] == "mf-topic-choice" else strong(turn)

    hesitant_session = play(client, "manager-fit", hesitant)
    lessons = {lesson["id"]: lesson for lesson in client.get(f"/api/sessions/{hesitant_session['id']}/report").json()["lessons"]}
    [moment] = lessons["decisive-topic-choice"]["occurrences"]
    assert moment["question_id"] == "mf-topic-choice" and moment["quote"] in hedge

    decisive_session = play(client, "manager-fit", strong)
    lessons = client.get(f"/api/sessions/{decisive_session['id']}/report").json()["lessons"]
    assert "decisive-topic-choice" not in [lesson["id"] for lesson in lessons]


def test_a_claim_that_collapses_under_follow_ups_in_a_take_home_review(client: TestClient, catalog: Catalog) -> None:
    strong = strong_candidate(catalog, "takehome-review")
    collapse = "Honestly I don't know, I'm not sure."

    def name_dropper(turn: dict[str, Any]) -> str:
        if turn["kind"] == "follow_up":
            return collapse
        # A confident but partial first answer (one key point, then confidence): enough to draw a
        # follow-up on what it left out.
        return (strong(turn).split(". ")[0] + ". I spent most of the two weeks on this part of the work, "
                "and I am confident it is the strongest piece of the write-up that I handed in.")

    session = play(client, "takehome-review", name_dropper)
    lessons = {lesson["id"]: lesson for lesson in client.get(f"/api/sessions/{session['id']}/report").json()["lessons"]}
    moments = lessons["explain-what-you-mention"]["occurrences"]
    assert moments and all(m["kind"] == "follow_up_failed" and m["quote"] == collapse for m in moments)
