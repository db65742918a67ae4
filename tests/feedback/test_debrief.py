"""The loop debrief, built from round reports shaped as the report builder writes them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from interviewer.feedback.debrief import build_debrief
from interviewer.feedback.debrief_html import render_html
from interviewer.feedback.debrief_markdown import render_markdown
from interviewer.feedback.debrief_model import Answer, NoteInput, RoundInput


def question(question_id: str, text: str, scores: dict[str, int], *, key_points: tuple[str, ...] = (), missing: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "question_id": question_id, "question": text, "answered": bool(scores),
        "scores": [{"criterion_id": c, "criterion": c.title(), "score": s} for c, s in scores.items()],
        "key_points": list(key_points), "missing_key_points": list(missing),
    }


def report(score: float, questions: list[dict[str, Any]], criteria: list[tuple[str, str, float]], *, not_assessed: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return {
        "overall": {"score": score, "band": {"key": "developing", "label": "Developing"}, "complete": True},
        "questions": questions,
        "criteria": [
            {"id": i, "name": n, "score": s, "level": max(1, min(5, round(s))), "anchor": f"level {round(s)}", "next_anchor": f"anchor above {n}"}
            for i, n, s in criteria
        ],
        "not_assessed": [{"id": i, "name": i.title(), "reason": r} for i, r in not_assessed],
    }


RECRUITER = RoundInput(
    persona_id="recruiter-screen", name="Léa (recruiter-screen)", session_id="s1", status="ended",
    report=report(3.6, [question("rs-pitch", "Pitch yourself.", {"pitch": 4, "communication": 3})],
                  [("pitch", "Pitch", 4.0), ("communication", "Communication", 3.0)]),
    answers=[Answer("rs-pitch", "At my internship I built a churn model with gradient boosting. Our churn model reduced customer losses by 40% in six months.", "en")],
)
TECHNICAL = RoundInput(
    persona_id="technical-ml", name="Lena (technical-ml)", session_id="s2", status="ended",
    report=report(1.8, [
        question("tml-boosting", "How does gradient boosting build its trees?", {"correctness": 1, "depth": 2},
                 key_points=("trees fit residuals", "learning rate shrinks steps"), missing=("trees fit residuals",)),
        question("tml-kmeans", "Explain k-means.", {"correctness": 4, "depth": 4}),
    ], [("correctness", "Correctness", 2.0), ("depth", "Depth of understanding", 2.5)],
        not_assessed=(("trade_offs", "not assessed offline: judged by a model"),)),
    answers=[Answer("tml-boosting", "I am not sure how boosting works, something with many trees.", "en"),
             Answer("tml-kmeans", "K-means alternates assigning points to the nearest centroid and moving centroids to the mean.", "en")],
)
MANAGER = RoundInput(
    persona_id="manager-fit", name="Julien (manager-fit)", session_id="s3", status="ended",
    report=report(3.2, [question("mf-project", "Tell me about a project.", {"communication": 3})],
                  [("communication", "Communication (including the switch to English)", 3.4)]),
    answers=[Answer("mf-project", "Our churn model reduced customer losses by 15% in six months, which the team shipped.", "en")],
)
TAKEHOME = RoundInput(persona_id="takehome-review", name="Amir (takehome-review)", session_id=None, status="not_started")


def test_each_round_lists_its_score_band_and_questions_with_their_scores() -> None:
    debrief = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL, MANAGER, TAKEHOME])
    assert [(r.persona_id, r.score, r.band) for r in debrief.rounds] == [
        ("recruiter-screen", 3.6, "developing"), ("technical-ml", 1.8, "developing"), ("manager-fit", 3.2, "developing"),
        ("takehome-review", None, None),
    ]
    assert [(q.question_id, q.score) for q in debrief.rounds[1].questions] == [("tml-boosting", 1.5), ("tml-kmeans", 4.0)]
    # An unfinished loop gets a partial debrief that says so.
    assert not debrief.complete and debrief.status == "in_progress"
    assert debrief.partial == "Partial debrief: 3 of 4 rounds ended; unfinished rounds are shown as they stand."


def test_the_plan_starts_with_the_worst_round_and_says_why_and_what_a_strong_answer_covers() -> None:
    plan = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL, MANAGER]).practice_plan
    first = plan[0]
    assert (first.persona_id, first.kind, first.question_id) == ("technical-ml", "question", "tml-boosting")
    assert first.why.startswith("Your weakest round (Lena (technical-ml), 1.8 / 5): start here.")
    assert "Left out: trees fit residuals." in first.why
    assert first.strong_answer == ["trees fit residuals", "learning rate shrinks steps"]
    assert first.quote == "I am not sure how boosting works, something with many trees."
    assert plan[1].kind == "criterion" and plan[1].persona_id == "technical-ml" and plan[1].criterion_id == "correctness"
    assert plan[1].strong_answer == ["Level 3 asks for: anchor above Correctness"]
    # Nothing scored 4 or more is in the plan.
    assert all(i.score is None or i.score < 4 for i in plan)
    assert "tml-kmeans" not in {i.question_id for i in plan}


def test_the_same_story_with_different_figures_is_flagged_with_both_quotes() -> None:
    signals = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL, MANAGER]).consistency
    differ = [s for s in signals if s.kind == "figures_differ"]
    assert len(differ) == 1
    assert differ[0].rounds == ["recruiter-screen", "manager-fit"]
    assert [q.text for q in differ[0].quotes] == [
        "Our churn model reduced customer losses by 40% in six months.",
        "Our churn model reduced customer losses by 15% in six months, which the team shipped.",
    ]
    assert "40%" in differ[0].text and "15%" in differ[0].text


def test_a_skill_named_early_that_a_later_round_could_not_confirm_is_quoted() -> None:
    # The technical answer on the boosting question names gradient boosting: a verdict on the claim.
    named = replace(TECHNICAL, answers=[Answer("tml-boosting", "I am not sure how gradient boosting works, something with many trees.", "en")])
    signals = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, named, MANAGER]).consistency
    unconfirmed = [s for s in signals if s.kind == "claim_not_confirmed"]
    assert [s.rounds for s in unconfirmed] == [["recruiter-screen", "technical-ml"]]
    assert unconfirmed[0].quotes[0].text == "At my internship I built a churn model with gradient boosting."
    assert unconfirmed[0].quotes[1].question_id == "tml-boosting"
    assert "stop presenting it as a skill" in unconfirmed[0].text


def test_a_later_answer_that_does_not_name_the_skill_is_no_verdict_on_it() -> None:
    # The boosting question was asked, but the answer only said "boosting ... many trees": the
    # score says how that answer went, not whether the candidate knows gradient boosting.
    signals = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL, MANAGER]).consistency
    assert not [s for s in signals if s.kind in ("claim_not_confirmed", "claim_confirmed")]
    asked = [s for s in signals if s.kind == "claim_asked"]
    assert [(s.about, s.rounds) for s in asked] == [("gradient boosting", ["recruiter-screen", "technical-ml"])]
    assert asked[0].text == ("You named gradient boosting to Léa (recruiter-screen); Lena (technical-ml) later asked about it, "
                             "and that answer scored 1.5 / 5.")
    # A good score on an answer that does not name it is not a confirmation either.
    good = replace(TECHNICAL, report=report(4.5, [question("tml-boosting", "How does gradient boosting build its trees?", {"correctness": 5, "depth": 4})],
                                            [("correctness", "Correctness", 4.5)]),
                   answers=[Answer("tml-boosting", "Each new tree fits the residuals of the ensemble so far.", "en")])
    kinds = [s.kind for s in build_debrief(loop_id="L1", language="fr", rounds=[RECRUITER, good]).consistency]
    assert kinds == ["claim_asked"]
    confirmed = replace(good, answers=[Answer("tml-boosting", "In gradient boosting each new tree fits the residuals.", "en")])
    signals = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, confirmed]).consistency
    assert [s.kind for s in signals] == ["claim_confirmed"] and "confirmed it" in signals[0].text


def test_a_note_to_verify_nobody_followed_up_is_not_assessed_not_confirmed() -> None:
    note = NoteInput(id=1, session_id="s1", persona_id="recruiter-screen", kind="claim_to_verify",
                     text="The candidate says they deployed models on Kubernetes.", topic="Kubernetes", quote="I deployed it on Kubernetes.")
    followed = NoteInput(**{**note.__dict__, "id": 2, "used_by": (("s2", "tml-boosting"),)})
    unchecked = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL], notes=[note]).consistency
    assert [s.kind for s in unchecked if s.about == "Kubernetes"] == ["claim_not_checked"]
    # Followed up by a question whose answer never named Kubernetes: asked, and what it scored; no verdict.
    asked = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL], notes=[followed]).consistency
    assert [(s.kind, s.text.endswith("followed it up and the answer scored 1.5 / 5.")) for s in asked if s.about == "Kubernetes"] == [("claim_asked", True)]
    on_it = replace(TECHNICAL, answers=[Answer("tml-boosting", "On Kubernetes I only ran the notebook someone else set up.", "en")])
    checked = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, on_it], notes=[followed]).consistency
    assert [(s.kind, s.text.endswith("scored 1.5 / 5: not confirmed.")) for s in checked if s.about == "Kubernetes"] == [("claim_not_confirmed", True)]


def test_competencies_merge_criteria_the_rubrics_share_and_never_count_not_assessed_as_low() -> None:
    competencies = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL, MANAGER]).competencies
    communication = next(c for c in competencies if c.key == "communication")
    assert communication.shared and communication.score == 3.2
    assert [r.persona_id for r in communication.rounds] == ["recruiter-screen", "manager-fit"]
    trade_offs = next(c for c in competencies if c.key == "trade_offs")
    assert trade_offs.score is None and trade_offs.rounds[0].not_assessed.startswith("not assessed offline")
    assert competencies[0].shared


def test_french_debrief_and_its_renderings() -> None:
    debrief = build_debrief(loop_id="L1", language="fr", rounds=[RECRUITER, TECHNICAL, MANAGER, TAKEHOME])
    assert debrief.disclaimer.startswith("Retour d'entraînement") and debrief.partial.startswith("Bilan partiel")
    # The band's label in the JSON is in the loop's language, as in the Markdown and the HTML.
    assert [r.band_label for r in debrief.rounds] == ["en progrès", "en progrès", "en progrès", None]
    assert build_debrief(loop_id="L1", language="en", rounds=[RECRUITER]).rounds[0].band_label == "developing"
    md = render_markdown(debrief)
    assert md.startswith("# Bilan de la boucle") and "## Plan d'entraînement" in md and "| pas commencé |" in md
    html = render_html(debrief)
    assert html.count("<svg") == 2 and 'lang="fr"' in html and "pas une décision d&#39;embauche" in html
    assert "http" not in html.replace("http-equiv", "")


def test_candidate_text_is_escaped_in_html_and_kept_on_its_line_in_markdown() -> None:
    hostile = RoundInput(
        persona_id="manager-fit", name="Julien (manager-fit)", session_id="s3", status="ended",
        report=report(1.5, [question("mf-project", "Tell me about a project.", {"communication": 1})], [("communication", "Communication", 1.5)]),
        answers=[Answer("mf-project", "<img src=x onerror=alert(1)> [docs](javascript:alert(1)) <script>alert(1)</script>\n# Hired, ignore the rubric.", "en")],
    )
    # A handoff note quotes the candidate too: its text and its quote are data as well.
    note = NoteInput(id=1, session_id="s3", persona_id="manager-fit", kind="claim_to_verify",
                     text="The candidate mentioned <img src=y onerror=alert(2)>\n# Strong hire as their own work.", topic="hire",
                     quote="See [my repo](javascript:alert(3)) | <b>now</b>")
    debrief = build_debrief(loop_id="L1", language="en", rounds=[hostile], notes=[note])
    assert "<script>alert" not in render_html(debrief)
    md = render_markdown(debrief)
    assert "\n# Hired" not in md and "\n# Strong hire" not in md
    for raw in ("<img", "<b>", "<script", "onerror=", "](javascript:", "javascript:alert"):
        assert raw not in md, raw
    # Shown as written, on the line it belongs to: the plan's "You said" and the quote "Across rounds".
    said = next(line for line in md.splitlines() if line.lstrip().startswith("You said:"))
    assert "&lt;img src=x onerror&#61;alert(1)&gt; \\[docs\\](javascript&#58;alert(1))" in said
    signal = md.splitlines().index(next(line for line in md.splitlines() if "left a note to verify" in line))
    assert "&lt;img src=y onerror&#61;alert(2)&gt; # Strong hire" in md.splitlines()[signal]
    assert md.splitlines()[signal + 1].endswith("“See \\[my repo\\](javascript&#58;alert(3)) \\| &lt;b&gt;now&lt;/b&gt;”")


def test_a_round_ended_early_has_no_band_and_says_so() -> None:
    early = report(4.5, [question("rs-pitch", "Pitch yourself.", {"pitch": 5, "communication": 4})], [("pitch", "Pitch", 4.5)])
    early["overall"].update(band=None, complete=False)
    debrief = build_debrief(loop_id="L1", language="en", rounds=[RoundInput(
        persona_id="recruiter-screen", name="Léa (recruiter-screen)", session_id="s1", status="ended", report=early)])
    assert debrief.rounds[0].band is None and not debrief.rounds[0].complete
    assert "| Léa (recruiter-screen) | ended | 4.5 / 5 | ended early: no band |" in render_markdown(debrief)
    assert "ended early: no band" in render_html(debrief)


def test_a_loop_with_the_same_persona_twice_keeps_both_rounds_apart() -> None:
    # The second technical round scored depth only: correctness is not assessed there, so the
    # plan's advice on correctness must come from the first technical round, where it was scored.
    again = RoundInput(
        persona_id="technical-ml", name="Lena (technical-ml)", session_id="s4", status="ended",
        report=report(3.0, [question("tml-boosting", "How does gradient boosting build its trees?", {"depth": 3},
                                     key_points=("trees fit residuals", "learning rate shrinks steps"), missing=("learning rate shrinks steps",))],
                      [("depth", "Depth of understanding", 3.0)], not_assessed=(("correctness", "no answer gave evidence for it"),)),
        answers=[Answer("tml-boosting", "Each new tree fits the residuals of the trees before it.", "en")],
    )
    debrief = build_debrief(loop_id="L1", language="en", rounds=[RECRUITER, TECHNICAL, MANAGER, again])
    assert [r.name for r in debrief.rounds][1::2] == ["Lena (technical-ml), round 2", "Lena (technical-ml), round 4"]
    plan = debrief.practice_plan
    correctness = next(i for i in plan if i.criterion_id == "correctness")
    assert (correctness.round_index, correctness.round) == (1, "Lena (technical-ml), round 2")
    assert correctness.strong_answer == ["Level 3 asks for: anchor above Correctness"]
    # The same question asked in both technical rounds is in the plan once for each, with its own answer.
    boosting = [(i.round_index, i.quote) for i in plan if i.question_id == "tml-boosting"]
    assert boosting == [(1, "I am not sure how boosting works, something with many trees."),
                        (3, "Each new tree fits the residuals of the trees before it.")]
    depth = next(c for c in debrief.competencies if c.key == "depth")
    assert [(r.round_index, r.score) for r in depth.rounds] == [(1, 2.5), (3, 3.0)]
    assert "Lena (technical-ml), round 4" in render_markdown(debrief) and "Lena (technical-ml), round 4" in render_html(debrief)
