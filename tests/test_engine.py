"""The engine decides every move from data alone: no model, no database."""

from __future__ import annotations

from interviewer import engine
from interviewer.engine import Move, TurnView
from interviewer.scoring import Assessment

from tests.factories import make_persona

PERSONA = make_persona()


def assessment(*, too_short: bool = False, hedges: bool = False, off_topic: bool = False, lacking: list[str] | None = None) -> Assessment:
    return Assessment(
        words=50, too_short=too_short, hedges=hedges, off_topic=off_topic, lacking=lacking or [],
        covered_key_points=[], missing_key_points=[], content=0.5, focus=1.0,
    )


GOOD = assessment()


def asked(move: Move) -> TurnView:
    return TurnView(role="interviewer", kind=move.kind, question_id=move.question_id, probe_id=move.probe_id)


def answer(question_id: str | None) -> TurnView:
    return TurnView(role="candidate", kind="answer", question_id=question_id)


def run(answers: list[Assessment], *, language: str = "en", seed: str = "s1") -> list[Move]:
    """Play an interview where the n-th answer is assessed as answers[n] (GOOD after the list ends)."""
    planned = engine.plan(PERSONA, seed)
    move = engine.first_move(PERSONA, planned, language)  # type: ignore[arg-type]
    moves, turns = [move], [asked(move)]
    for i in range(60):
        turns.append(answer(move.question_id))
        move = engine.next_move(
            persona=PERSONA, planned=planned, language=language, turns=turns,  # type: ignore[arg-type]
            assessment=answers[i] if i < len(answers) else GOOD, seed=seed,
        )
        moves.append(move)
        turns.append(asked(move))
        if move.kind == "ended":
            return moves
    raise AssertionError("the interview never ended")


def test_plan_asks_every_fixed_question_and_draws_from_pools() -> None:
    planned = engine.plan(PERSONA, "seed-a")
    assert planned[0] == "q-backprop" and planned[-1] == "q-english"
    assert len(planned) == 5
    assert engine.plan(PERSONA, "seed-a") == planned
    draws = {tuple(engine.plan(PERSONA, f"seed-{i}")) for i in range(20)}
    assert len(draws) > 5, "different sessions should meet different questions"


def test_good_answers_go_through_the_plan_then_close_then_end() -> None:
    moves = run([])
    kinds = [m.kind for m in moves]
    assert kinds == ["question"] * 5 + ["closing", "ended"]
    assert [m.question_id for m in moves[:5]] == engine.plan(PERSONA, "s1")


def test_short_answer_draws_a_follow_up_with_its_reason() -> None:
    moves = run([assessment(too_short=True)])
    follow_up = moves[1]
    assert follow_up.kind == "follow_up"
    assert follow_up.reason == "too_short"
    assert follow_up.question_id == "q-backprop"


def test_hedge_and_off_topic_and_missing_evidence_are_told_apart() -> None:
    assert run([assessment(hedges=True)])[1].reason == "hedge"
    assert run([assessment(off_topic=True)])[1].reason == "off_topic"
    move = run([assessment(lacking=["trade_offs"])])[1]
    assert (move.reason, move.criterion_id) == ("missing_evidence", "trade_offs")


def test_follow_ups_stop_at_the_persona_limit_per_question() -> None:
    weak = assessment(too_short=True, lacking=["depth"])
    moves = run([weak] * 10)
    per_question: dict[str, int] = {}
    for m in moves:
        if m.kind == "follow_up":
            per_question[m.question_id] = per_question.get(m.question_id, 0) + 1  # type: ignore[index]
    assert per_question and max(per_question.values()) == PERSONA.max_follow_ups_per_question
    assert moves[-1].kind == "ended"


def test_the_same_follow_up_is_never_asked_twice_in_a_session() -> None:
    # Every answer lacks the same criterion, so the engine must keep finding fresh probes.
    moves = run([assessment(lacking=["depth", "clarity"])] * 40)
    probes = [m.probe_id for m in moves if m.kind == "follow_up"]
    assert len(probes) == len(set(probes)) > 3


def test_follow_ups_end_when_probes_run_out() -> None:
    persona = make_persona(max_follow_ups_per_question=5, follow_ups={c: [{"en": "only one", "fr": "un seul"}] for c in ("correctness", "depth", "trade_offs", "clarity")})
    planned = engine.plan(persona, "s")
    turns = [TurnView("interviewer", "question", "q-backprop"), answer("q-backprop")]
    lacking = assessment(lacking=["depth"])
    first = engine.next_move(persona=persona, planned=planned, language="en", turns=turns, assessment=lacking, seed="s")
    assert first.probe_id == "depth:0"
    turns += [asked(first), answer("q-backprop")]
    second = engine.next_move(persona=persona, planned=planned, language="en", turns=turns, assessment=lacking, seed="s")
    assert second.kind == "question" and second.question_id != "q-backprop"


def test_french_interview_switches_to_english_for_one_question() -> None:
    moves = run([], language="fr")
    switch = [m for m in moves if m.kind == "language_switch"]
    assert [m.question_id for m in switch] == ["q-english"]
    assert switch[0].language == "en"
    assert all(m.language == "fr" for m in moves if m.question_id != "q-english")


def test_follow_up_on_the_switched_question_stays_in_english() -> None:
    planned = engine.plan(PERSONA, "s")
    turns = [TurnView("interviewer", "language_switch", "q-english"), answer("q-english")]
    move = engine.next_move(persona=PERSONA, planned=planned, language="fr", turns=turns, assessment=assessment(too_short=True), seed="s")
    assert move.kind == "follow_up" and move.language == "en"


def test_english_interview_never_switches() -> None:
    assert all(m.kind != "language_switch" for m in run([]))


def test_progress_counts_planned_questions() -> None:
    planned = engine.plan(PERSONA, "s")
    turns = [TurnView("interviewer", "question", planned[0]), answer(planned[0]), TurnView("interviewer", "follow_up", planned[0], "depth:1")]
    progress = engine.progress(PERSONA, planned, turns)
    assert (progress.stage_id, progress.question_number, progress.question_count) == ("intro", 1, 5)
