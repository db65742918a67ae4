"""The report built from turns and scores (pure): weighted aggregates, highlights tied to quotes,
progress history, and the three formats, on a persona and rubric built in code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from interviewer.feedback import accounting, report
from interviewer.feedback import method
from interviewer.catalog.rubrics import Rubric
from interviewer.feedback.schema import HistoryPoint, Report, json_schema
from interviewer.ops.settings import PROJECT_ROOT
from interviewer.storage.tables import AnswerScore, InterviewSession, Turn

from tests.support.factories import make_persona, make_rubric

PERSONA = make_persona()
RUBRIC = make_rubric()
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STRONG = (
    "First, back-propagation applies the chain rule to the loss, layer by layer. "
    "Then the backward pass will propagate gradients backwards and reuse intermediate activations. "
    "The trade-off is memory, because activations are cached."
)
WEAK = "I don't know. Maybe gradients?"
# q-backprop is alone in a 5-minute stage; q-1 is one of 3 questions asked in a 20-minute stage.
SCORES = {
    "q-backprop": {"correctness": 5, "depth": 5, "trade_offs": 4, "clarity": 5},
    "q-1": {"correctness": 3, "depth": 1, "trade_offs": 1, "clarity": 2},
}


def _session(**fields: object) -> InterviewSession:
    return InterviewSession(
        id="s" * 32, persona_id="mini", rubric_id="mini", language="en", model="offline", status="ended",
        persona_hash="p" * 64, rubric_hash="r" * 64,
        plan=["q-backprop", "q-1"], created_at=START, **fields,
    )


def _turns(weak: str = WEAK) -> list[Turn]:
    rows = [
        ("interviewer", "question", "q-backprop", "Explain back-propagation."),
        ("candidate", "answer", "q-backprop", STRONG),
        ("interviewer", "question", "q-1", "Question 1?"),
        ("candidate", "answer", "q-1", weak),
        ("interviewer", "closing", None, "Any questions for me?"),
    ]
    return [
        Turn(id=seq, session_id="s" * 32, seq=seq, role=role, kind=kind, question_id=q, language="en", content=text,
             model="offline" if role == "interviewer" else None, cost_usd=0.0 if role == "interviewer" else None,
             created_at=START + timedelta(minutes=3 * seq))
        for seq, (role, kind, q, text) in enumerate(rows, 1)
    ]


def _scores(turns: list[Turn]) -> list[AnswerScore]:
    answer_turn = {t.question_id: t for t in turns if t.role == "candidate"}
    scores = []
    for question_id, by_criterion in SCORES.items():
        turn = answer_turn[question_id]
        for criterion_id, score in by_criterion.items():
            evidence = [STRONG.split(". ")[0] + "."] if question_id == "q-backprop" else []
            scores.append(AnswerScore(session_id="s" * 32, turn_id=turn.id, question_id=question_id, criterion_id=criterion_id,  # type: ignore[arg-type]
                                      score=score, rationale=f"Level {score}.", evidence=evidence, model="offline"))
    return scores


def build(*, weak: str = WEAK, history: list[HistoryPoint] | None = None) -> Report:
    turns = _turns(weak)
    return report.build_report(
        session=_session(), persona=PERSONA, rubric=RUBRIC, turns=turns, scores=_scores(turns),
        usage=accounting.total(t for t in turns if t.role == "interviewer"), history=history or [],
    )


def test_criteria_are_weighted_by_the_planned_minutes_of_each_question() -> None:
    built = build()
    minutes = {q.question_id: q.minutes for q in built.questions}
    assert minutes == {"q-backprop": 5.0, "q-1": pytest.approx(20 / 3, abs=0.01)}
    by_id = {c.id: c for c in built.criteria}
    # (5 min x 5 + 6.67 min x 3) / 11.67 min, not the plain mean 4.0.
    assert by_id["correctness"].score == pytest.approx(3.86, abs=0.01)
    assert by_id["correctness"].level == 4 and by_id["correctness"].anchor == RUBRIC.criterion("correctness").levels[4]
    assert by_id["trade_offs"].score == pytest.approx(2.29, abs=0.01)
    expected = sum(c.score * c.weight for c in built.criteria)
    assert built.overall.score == pytest.approx(expected, abs=0.01)
    assert built.overall.band is not None and built.overall.band.key == "developing"
    assert built.overall.questions_answered == 2


def test_each_question_carries_scores_with_anchors_evidence_and_what_was_missing() -> None:
    backprop, q1 = build().questions
    assert backprop.question == "Explain back-propagation." and backprop.stage_title == "Intro"
    assert backprop.answer_excerpt == STRONG
    assert [s.anchor for s in backprop.scores] == [RUBRIC.criterion(s.criterion_id).levels[s.score] for s in backprop.scores]
    assert backprop.key_points == ["chain rule", "gradients flow backwards", "reuses intermediate values"]
    assert backprop.reference_answer and backprop.missing_key_points == []
    assert q1.answer_excerpt == WEAK and q1.reference_answer is None and q1.key_points == []


def test_strengths_and_improvements_each_quote_the_transcript() -> None:
    built = build()
    said = STRONG + "\n" + WEAK
    # Strengths: criteria that reached level 4+ somewhere, best aggregate first (trade-offs is 4th).
    assert [h.criterion_id for h in built.strengths] == ["correctness", "clarity", "depth"]
    # Improvements: criteria not yet listed first, then the weakest moments of the others.
    assert [h.criterion_id for h in built.improvements] == ["trade_offs", "depth", "clarity"]
    for h in built.strengths + built.improvements:
        assert h.quote and h.quote in said
    # The note says what was found (the score's rationale) and shows the anchor as the level's target.
    assert built.strengths[0].question_id == "q-backprop" and built.strengths[0].note.startswith("Level 5")
    assert "target for level 5: " + RUBRIC.criterion("correctness").levels[5] in built.strengths[0].note
    # A criterion without quoted evidence is tied to the first sentence of its weakest answer.
    assert built.improvements[0].quote == "I don't know." and built.improvements[0].question_id == "q-1"
    assert built.improvements[0].note.startswith("Level 1")
    assert built.improvements[0].note.endswith("Level 2 asks for: " + RUBRIC.criterion("trade_offs").levels[2])


def _all_fives_with_content_unchecked(question_ids: set[str], rubric: Rubric) -> Report:
    """Every criterion at 5, but correctness and depth of `question_ids` not assessed offline (an
    algorithm the offline scorer has no facts for)."""
    turns = _turns(STRONG)
    # A criterion the rubric never judges offline has no score stored.
    scores = [s for s in _scores(turns) if rubric.criterion(s.criterion_id).offline != "not_assessed"]
    for s in scores:
        s.score = 5
        if s.question_id in question_ids and s.criterion_id in ("correctness", "depth"):
            s.assessed, s.scored_by = False, "offline"
            s.rationale = "Not assessed offline: the offline scorer has no facts for the algorithm presented."
    return report.build_report(
        session=_session(), persona=PERSONA, rubric=rubric, turns=turns, scores=scores,
        usage=accounting.total(t for t in turns if t.role == "interviewer"),
    )


def test_a_round_whose_content_went_unchecked_somewhere_is_never_ready() -> None:
    checked = _all_fives_with_content_unchecked(set(), RUBRIC)
    assert checked.overall.band is not None and checked.overall.band.key == "ready"
    built = _all_fives_with_content_unchecked({"q-1"}, RUBRIC)
    # The other question's correctness was checked: the overall stands, but "Ready" is not claimed.
    assert built.overall.score == 5.0 and built.overall.withheld is None
    assert built.overall.band is not None and built.overall.band.key != "ready"
    assert [c.id for c in built.questions[1].not_assessed_offline] == ["correctness", "depth"]


def test_no_overall_is_given_when_no_answer_had_its_content_checked() -> None:
    # As the technical round's rubric declares them: clarity judged on how the answer is put,
    # trade-offs never judged offline; correctness and depth on what is said.
    offline = {"clarity": {"offline": "clarity"}, "trade_offs": {"offline": "not_assessed", "offline_reason": "takes judgement"}}
    rubric = RUBRIC.model_copy(update={"criteria": [c.model_copy(update=offline.get(c.id, {})) for c in RUBRIC.criteria]})
    built = _all_fives_with_content_unchecked({"q-backprop", "q-1"}, rubric)
    assert all([c.id for c in q.not_assessed_offline] == ["correctness", "depth"] for q in built.questions)
    # Clarity is still shown, but a 5/5 overall from it alone would read as a judgement of the answers.
    assert [c.id for c in built.criteria] == ["clarity"]
    assert built.overall.score is None and built.overall.band is None
    assert built.overall.withheld and built.overall.withheld.startswith("No overall score: correctness and depth could be checked offline on no answer")
    markdown = report.render(built, "md")
    assert built.overall.withheld in markdown and "## Criteria" in markdown and "No answer was scored" not in markdown
    html = report.render(built, "html")
    assert "No overall score" in html and "No answer was scored" not in html


def test_usage_counts_words_duration_and_the_free_offline_model() -> None:
    usage = build().usage
    assert usage.turns == 5 and usage.duration_seconds == 12 * 60
    assert usage.candidate_words == len(STRONG.split()) + len(WEAK.split())
    assert usage.cost_usd == 0.0 and usage.prompt_tokens is None


def test_history_ends_with_this_session() -> None:
    past = HistoryPoint(session_id="p" * 32, created_at=START - timedelta(days=2), score=2.1, band="needs-groundwork", current=False)
    built = build(history=[past])
    assert [h.session_id for h in built.history] == ["p" * 32, "s" * 32]
    assert built.history[-1].current and built.history[-1].score == built.overall.score


def test_history_point_reads_stored_reports_of_any_version() -> None:
    v1 = {"schema_version": 1, "overall": {"score": 3.1, "band": {"key": "developing", "label": "Developing"}}}
    point = report.history_point(session=_session(), content=v1)
    assert point is not None and point.score == 3.1 and point.band == "developing" and not point.current
    assert report.history_point(session=_session(), content={"overall": {"score": None}}) is None
    assert report.history_point(session=_session(), content={"overall": {"score": 2.0, "band": {"key": "hired"}}}) is None


def test_json_round_trips_through_the_published_model() -> None:
    built = build()
    assert Report.model_validate_json(report.render(built, "json")) == built
    assert built.schema_version == 6 and "not a hiring decision" in built.disclaimer


def test_markdown_has_every_section() -> None:
    text = report.render(build(), "md")
    for heading in ("# Mock interview report", "## Criteria", "## Strengths", "## What to improve",
                    "## Progress on this round", "## Question by question", "## Usage"):
        assert heading in text
    assert '"I don\'t know."' in text and "Model answer:" in text and "$0.0000" in text


class ExternalReferences(HTMLParser):
    """Everything in a page that would make a browser fetch something: tags, attributes, CSS."""

    FETCHING_TAGS = {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "base", "image", "use"}
    FETCHING_ATTRIBUTES = {"src", "href", "srcset", "xlink:href", "action", "poster", "data"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        if tag in self.FETCHING_TAGS:
            self.found.append(f"<{tag}>")
        self.found += [f"{tag} {name}=" for name, _ in attrs if name in self.FETCHING_ATTRIBUTES]
        self.found += [f"{tag} style url(" for name, value in attrs if name == "style" and value and "url(" in value]

    def handle_data(self, data: str) -> None:
        if self._in_style and ("url(" in data or "@import" in data):
            self.found.append("css fetch")


def external_references(page: str) -> list[str]:
    parser = ExternalReferences()
    parser.feed(page)
    return parser.found


def test_html_is_self_contained_with_two_inline_charts_and_print_css() -> None:
    past = HistoryPoint(session_id="p" * 32, created_at=START - timedelta(days=2), score=2.1, band="needs-groundwork", current=False)
    page = report.render(build(history=[past]), "html")
    assert page.startswith("<!doctype html>") and '<meta name="viewport"' in page
    assert external_references(page) == [] and "http" not in page
    assert page.count("<svg") == 2 and "<polyline" in page and page.count('<rect class="lvl-') == len(RUBRIC.criteria)
    assert "@media print" in page and "not a hiring decision" in page


def test_html_escapes_what_the_candidate_wrote() -> None:
    page = report.render(build(weak='<script>alert("x")</script> <img src=https://evil.example/a.png>'), "html")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert external_references(page) == []


def test_published_schema_is_generated_from_the_models_and_documented() -> None:
    docs = PROJECT_ROOT / "docs"
    assert json.loads((docs / "report.schema.json").read_text(encoding="utf-8")) == json_schema(), (
        "regenerate: python -m interviewer.feedback.schema > docs/report.schema.json"
    )
    guide = (docs / "report-schema.md").read_text(encoding="utf-8")
    fields = {name for model in json_schema()["$defs"].values() for name in model["properties"]}
    fields |= set(json_schema()["properties"])
    assert [f for f in sorted(fields) if f"`{f}`" not in guide] == []


def test_the_scorer_claims_paraphrase_credit_only_with_the_model() -> None:
    with_model = method.scorer_info("offline", [], RUBRIC, semantic_available=True)
    without = method.scorer_info("offline", [], RUBRIC, semantic_available=False)
    assert "paraphrases are credited" in with_model.method and not any("paraphrases" in c for c in with_model.cannot_see)
    assert "paraphrases" not in without.method and any(c.startswith("paraphrases") for c in without.cannot_see)


def test_a_doubt_is_shown_under_its_question_and_claimed_only_where_the_reader_ran() -> None:
    built = build()
    doubt = "A reader trained on graded answers gives this answer a 7% chance of being called correct, ..."
    doubted = built.model_copy(update={"questions": [built.questions[0].model_copy(update={"doubt": doubt}), *built.questions[1:]]})
    assert f"Doubted: {doubt}" in report.render(doubted, "md")
    assert "<strong>Doubted:</strong> A reader trained on graded answers gives this answer a 7% chance" in report.render(doubted, "html")
    with_reader = method.scorer_info("offline", [], RUBRIC, semantic_available=True, reader_available=True)
    without = method.scorer_info("offline", [], RUBRIC, semantic_available=True)
    assert "doubts a full answer" in with_reader.method and any("learned reader" in c for c in with_reader.cannot_see)
    assert "doubts" not in without.method and not any("learned reader" in c for c in without.cannot_see)
