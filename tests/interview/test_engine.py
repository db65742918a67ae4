"""The engine decides every move from data alone: no model, no database."""

from __future__ import annotations

from interviewer.assessment.scoring import Assessment
from interviewer.assessment.turns import TurnView
from interviewer.interview import engine
from interviewer.interview.engine import Move

from tests.support.factories import make_persona

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


# ---------------------------------------------------------------- listening (the shipped personas)

from collections import Counter  # noqa: E402

from interviewer.catalog.personas import Persona
from interviewer.catalog.loading import Catalog  # noqa: E402
from interviewer.interview.offline import phrase_move  # noqa: E402
from interviewer.interview.tailoring import focus_of  # noqa: E402

NUMBERS_ANSWER = (
    "I used gradient boosting over a random forest: it reached 0.91 AUC against 0.86, and cut false alarms by 30% "
    "on the held-out month."
)


def _reply(persona: Persona, planned: list[str], turns: list[TurnView], said: str, verdict: Assessment, *, seed: str = "s1", language: str = "en") -> tuple[Move, str]:
    turns.append(TurnView("candidate", "answer", turns[-1].question_id, content=said, words=len(said.split())))
    move = engine.next_move(persona=persona, planned=planned, language=language, turns=turns, assessment=verdict, seed=seed)  # type: ignore[arg-type]
    text = phrase_move(persona, move, session_language=language, turn_index=len(turns))
    turns.append(TurnView("interviewer", "farewell" if move.kind == "ended" else move.kind, move.question_id, move.probe_id, content=text))
    return move, text


def _opening(persona: Persona, planned: list[str], language: str = "en") -> list[TurnView]:
    move = engine.first_move(persona, planned, language)  # type: ignore[arg-type]
    return [TurnView("interviewer", move.kind, move.question_id, content=phrase_move(persona, move, session_language=language, turn_index=0))]


def test_follow_ups_take_up_the_candidates_words_and_openings_vary(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    planned = engine.plan(persona, "s1")
    turns = _opening(persona, planned)
    follow_ups: list[str] = []
    for i in range(40):
        move, text = _reply(persona, planned, turns, NUMBERS_ANSWER, assessment(lacking=["depth", "trade_offs", "application"]))
        if move.kind == "follow_up":
            follow_ups.append(text)
        if move.kind == "ended":
            break
    taken_up = [t for t in follow_ups if any(w in t for w in ("gradient boosting", "random forest", "0.91", "30%", "AUC"))]
    assert len(taken_up) >= 0.6 * len(follow_ups)
    openings = Counter(" ".join(t.split()[:3]) for t in follow_ups)
    assert max(openings.values()) <= len(follow_ups) / 4, openings
    assert not any("measurable result" in t or "the result" in t for t in follow_ups), "numbers were given"


def test_a_choice_is_questioned_by_its_alternative(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    planned = engine.plan(persona, "s2")
    turns = _opening(persona, planned)
    texts = [_reply(persona, planned, turns, NUMBERS_ANSWER, assessment(lacking=["trade_offs"]), seed="s2")[1] for _ in range(6)]
    assert any("random forest the better choice" in t for t in texts), texts


def test_i_dont_know_gets_an_invitation_to_reason_never_is_that_always_true(catalog: Catalog) -> None:
    for persona_id in ("technical-ml", "manager-fit", "recruiter-screen", "takehome-review"):
        persona = catalog.persona(persona_id)
        for seed in ("a", "b", "c"):
            planned = engine.plan(persona, seed)
            turns = _opening(persona, planned)
            move, text = _reply(persona, planned, turns, "I don't know.", assessment(hedges=True, too_short=True), seed=seed)
            if move.kind == "follow_up":
                assert move.reason == "hedge"
                assert "always true" not in text and "your own choice" not in text, text
            # A second "I don't know" on the same question moves on.
            again, _ = _reply(persona, planned, turns, "I really don't know.", assessment(hedges=True, too_short=True), seed=seed)
            assert again.kind != "follow_up" or again.question_id != move.question_id or move.kind != "follow_up" or again.reason == "deepen"


def test_a_hedge_is_not_met_with_praise(catalog: Catalog) -> None:
    persona = catalog.persona("manager-fit")
    hedge_fit = [a.en for a in persona.acknowledgements if "weak" in a.fits]
    assert hedge_fit and all("helps me understand" not in a for a in hedge_fit)
    planned = engine.plan(persona, "s")
    turns = _opening(persona, planned)
    move = engine.next_move(persona=persona, planned=planned, language="en", turns=[*turns, TurnView("candidate", "answer", planned[0], content="No idea.")],
                            assessment=assessment(hedges=True), seed="s")
    if move.kind == "question":
        assert move.ack is not None and "weak" in persona.acknowledgements[move.ack].fits


def test_an_answer_in_the_wrong_language_gets_a_remark(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    planned = engine.plan(persona, "s")
    turns = _opening(persona, planned)
    move, text = _reply(persona, planned, turns, "Je pense que la régression logistique est un modèle linéaire, car la frontière de décision est un hyperplan.", assessment(off_topic=True))
    assert move.remark == "wrong_language"
    assert text.startswith("This round is held in English, so please continue in English")


def test_the_planned_switch_question_is_not_a_wrong_language(catalog: Catalog) -> None:
    persona = catalog.persona("manager-fit")
    switch = persona.language_switch
    assert switch is not None
    turns = [TurnView("interviewer", "language_switch", switch.question, content="...")]
    move, _ = _reply(persona, persona.planned_questions, turns, "I think my main strength is that I can explain technical work clearly to people.", GOOD, language="fr")
    assert move.remark is None


def test_a_question_from_the_candidate_is_answered_then_the_question_asked_again(catalog: Catalog) -> None:
    persona = catalog.persona("recruiter-screen")
    planned = engine.plan(persona, "s")
    turns = _opening(persona, planned)
    move, text = _reply(persona, planned, turns, "Sorry, before I answer: is the internship remote?", assessment(off_topic=True, too_short=True))
    assert move.reason == "candidate_question" and move.question_id == planned[0]
    assert persona.question(planned[0]).text.en in text and "keep it for the end" in text
    # Asked twice, it does not loop: the round moves on.
    again, _ = _reply(persona, planned, turns, "And is it paid?", assessment(off_topic=True, too_short=True))
    assert again.reason != "candidate_question"


def test_thats_all_ends_the_presentation(catalog: Catalog) -> None:
    persona = catalog.persona("takehome-review")
    planned = engine.plan(persona, "s")
    turns = _opening(persona, planned)
    long_presentation = "I trained a DQN agent on CartPole with a replay buffer and a target network. " * 8 + "That's all."
    move, _ = _reply(persona, planned, turns, long_presentation, GOOD)
    assert move.kind == "question" and move.presentation_words, "no 'anything to add?' after 'that's all'"


def test_no_write_up_means_no_claim_of_having_read_it(catalog: Catalog) -> None:
    persona = catalog.persona("takehome-review")
    move = engine.first_move(persona, engine.plan(persona, "s"), "en")
    without = phrase_move(persona, move, session_language="en", turn_index=0, has_document=False)
    assert "read your write-up" not in without and "have not received your write-up" in without
    assert "read your write-up" in phrase_move(persona, move, session_language="en", turn_index=0, has_document=True)


RL_JOB = (
    "Research engineer, reinforcement learning. You will train agents with PPO and soft actor-critic in simulators, "
    "design reward functions, study exploration, Q-learning and policy gradient methods, and model-based RL."
)


def test_a_reinforcement_learning_job_brings_rl_questions_into_every_pool_it_can(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    focus = focus_of(job_description=RL_JOB, cv=None, language="en")
    rl = {q.id for q in persona.questions if "reinforcement" in (q.topic or "").lower()}
    for seed in ("s1", "s2", "s3", "s4"):
        plain = engine.plan(persona, seed)
        tailored = engine.plan(persona, seed, focus)
        assert len(tailored) == len(plain), "the stage structure is kept"
        assert len(rl & set(tailored)) >= len(rl & set(plain)) + 2, (seed, tailored)
    draws = {tuple(engine.plan(persona, f"seed-{i}", focus)) for i in range(8)}
    assert len(draws) > 1, "tailored rounds still vary between sessions"


def test_a_cv_project_is_brought_up_by_the_recruiter(catalog: Catalog) -> None:
    persona = catalog.persona("recruiter-screen")
    cv = "Experience\n- Built a churn prediction model for a telecom operator using XGBoost.\n- Led a team of three students."
    focus = focus_of(job_description=None, cv=cv, language="en")
    assert focus.projects[0] == "a churn prediction model for a telecom operator"
    planned = engine.plan(persona, "s", focus)
    turns = _opening(persona, planned)
    texts = []
    for _ in range(12):
        turns.append(TurnView("candidate", "answer", turns[-1].question_id, content="A fine answer.", words=3))
        move = engine.next_move(persona=persona, planned=planned, language="en", turns=turns, assessment=GOOD, seed="s", focus=focus)
        texts.append(phrase_move(persona, move, session_language="en", turn_index=len(turns)))
        turns.append(TurnView("interviewer", move.kind, move.question_id, move.probe_id, content=texts[-1]))
    assert any("Your CV mentions a churn prediction model" in t or "I noticed a churn prediction model" in t for t in texts)


def test_the_manager_offers_the_job_descriptions_topics(catalog: Catalog) -> None:
    persona = catalog.persona("manager-fit")
    focus = focus_of(job_description=RL_JOB, cv=None, language="en")
    move = engine._ask(persona, "mf-topic-choice", "en", focus=focus)
    text = phrase_move(persona, move, session_language="en", turn_index=5)
    assert "The job description you gave me puts these topics forward" in text and "policy gradient" in text


def test_a_request_to_clarify_gets_the_question_again(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    planned = engine.plan(persona, "s")
    turns = _opening(persona, planned)
    move, text = _reply(persona, planned, turns, "Sorry, could you clarify what you mean here?", assessment(off_topic=True, too_short=True))
    assert move.remark == "clarification" and "keep it for the end" not in text
    assert persona.question(planned[0]).text.en in text


def test_thats_it_moves_on_instead_of_pressing(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    planned = engine.plan(persona, "s")
    turns = _opening(persona, planned)
    move, _ = _reply(persona, planned, turns, "That's it.", assessment(too_short=True, lacking=["depth"]))
    assert move.kind == "question" and move.question_id != planned[0]
