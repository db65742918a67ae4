"""The offline scorer rewards what a good answer says, not its length, and quotes its evidence."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from interviewer.assessment.scoring import assess, verify_evidence

from tests.support.factories import make_persona, make_rubric

RUBRIC = make_rubric()
QUESTION = make_persona().question("q-backprop")

STRONG = (
    "First, back-propagation applies the chain rule to the loss, layer by layer. "
    "Then the backward pass will propagate gradients backwards from the output, and we reuse intermediate activations cached during the forward pass. "
    "This works because each local derivative is cheap, so the cost is about one extra forward pass. "
    "The trade-off is memory: caching activations costs memory, at the cost of recomputation if we checkpoint instead."
)


def scores(answer: str, *, thread: str | None = None, language: str = "en") -> dict[str, int]:
    result = assess(thread=thread or answer, latest=answer, question=QUESTION, rubric=RUBRIC, language=language, min_words=12)  # type: ignore[arg-type]
    return {s.criterion_id: s.score for s in result.scores}


def test_strong_answer_scores_high_on_every_criterion_with_quotes() -> None:
    result = assess(thread=STRONG, latest=STRONG, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert all(s.score >= 4 for s in result.scores), result.scores
    assert result.covered_key_points == ["chain rule", "gradients flow backwards", "reuses intermediate values"]
    for s in result.scores:
        assert s.evidence and all(q in STRONG for q in s.evidence)
    assert not (result.too_short or result.hedges or result.off_topic)
    assert result.lacking == []


@pytest.mark.parametrize(
    "weak",
    [
        "I don't know.",
        "Hmm, I'm not sure, maybe something with gradients? I don't know really.",
        "I really enjoy hiking in the mountains and cooking Italian food with my friends on weekends, it is relaxing and fun.",
        STRONG.split(". ")[0] + ".",
    ],
    ids=["dont-know", "hedge", "off-topic", "first-sentence"],
)
def test_weak_answers_score_below_the_strong_one(weak: str) -> None:
    strong, poor = scores(STRONG), scores(weak)
    assert sum(poor.values()) < sum(strong.values())
    assert poor["correctness"] < strong["correctness"]


def test_padding_and_repetition_never_raise_a_score() -> None:
    padded = STRONG + " " + " ".join(["This is a very important point to keep in mind."] * 10)
    repeated = " ".join([STRONG] * 4)
    base = sum(scores(STRONG).values())
    assert sum(scores(padded).values()) < base
    assert sum(scores(repeated).values()) < base


def test_rambling_answer_draws_lower_focus() -> None:
    ramble = ("Well, you know, neural networks are a big field and there are many things to say about them, "
              "people use them everywhere, in phones, in cars, in many products, and it is quite fascinating how far things went. ") * 3
    result = assess(thread=ramble, latest=ramble, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert result.focus < 0.8
    assert result.lacking


def test_quick_assessment_flags_short_hedging_and_off_topic_answers() -> None:
    def quick(text: str) -> tuple[bool, bool, bool]:
        a = assess(thread=text, latest=text, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
        return a.too_short, a.hedges, a.off_topic

    assert quick("Chain rule.") == (True, False, False)
    assert quick("I don't know, no idea, sorry, I have never seen this before in my courses at all.")[1]
    assert quick("I really enjoy hiking in the mountains and cooking Italian food with my friends on weekends.")[2]


def test_honest_limit_followed_by_reasoning_is_not_a_hedge() -> None:
    honest = ("I'm not sure of the exact formula, but I would reason like this: the chain rule gives the derivative "
              "of the loss through each layer, and the backward pass will propagate gradients backwards reusing intermediate values.")
    a = assess(thread=honest, latest=honest, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert not a.hedges
    assert a.scores[0].score >= 4


def test_follow_up_answer_counts_towards_the_question() -> None:
    first = "It uses the chain rule to get gradients of the loss for each weight in the network."
    follow = "The backward pass will propagate gradients backwards and reuse intermediate activations from the forward pass."
    assert scores(follow, thread=first + "\n" + follow)["correctness"] > scores(first)["correctness"]


def test_french_answer_is_scored_with_french_and_english_phrases() -> None:
    answer_fr = ("D'abord, la rétropropagation applique la règle de la chaîne à la perte. Ensuite la passe arrière "
                 "réutilise les activations stockées, parce que chaque dérivée locale est peu coûteuse. Le compromis est la mémoire.")
    result = scores(answer_fr, language="fr")
    assert result["correctness"] >= 4
    assert scores("Je ne sais pas.", language="fr")["correctness"] == 1


def test_evidence_quotes_must_be_in_the_answer() -> None:
    kept, flagged = verify_evidence(["chain rule to the loss", "I invented this quote"], STRONG)
    assert kept == ["chain rule to the loss"] and flagged
    kept, flagged = verify_evidence(["CHAIN   rule to the loss"], STRONG)
    assert kept and not flagged


def test_a_list_of_keywords_is_not_an_explanation() -> None:
    salad = ("chain rule backward pass propagate gradients backwards cache activations reuse intermediate "
             "trade-off downside because derive intuition first then finally in short at the cost of")
    assert sum(scores(salad).values()) < sum(scores(STRONG).values())
    assert scores(salad)["correctness"] <= 3


def test_restating_an_earlier_answer_after_a_follow_up_costs_nothing() -> None:
    from interviewer.assessment.scoring import merge_answers

    thread = merge_answers([STRONG, "As I said: " + STRONG], "en")
    assert scores("As I said: " + STRONG, thread=thread) == scores(STRONG)


def test_admitting_ignorance_at_length_is_a_hedge_not_off_topic() -> None:
    text = "Honestly I have absolutely no clue about this one, I never studied it and I would only be guessing if I said anything."
    a = assess(thread=text, latest=text, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert a.hedges


def test_quotes_are_capped_but_still_substrings() -> None:
    run_on = "the chain rule multiplies the local derivatives of each layer and " * 60
    result = assess(thread=run_on, latest=run_on, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    quotes = [q for s in result.scores for q in s.evidence]
    assert quotes and all(len(q) <= 300 and q in run_on for q in quotes)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_one_scan_hedge_check_counts_exactly_what_each_pattern_finds(language: str) -> None:
    from interviewer.assessment import scoring

    lines = resources.files("interviewer.data").joinpath("graded_answers.jsonl").read_text("utf-8").splitlines()
    texts = [json.loads(line)["answer"] for line in lines if line.strip()]
    hedged = {
        "en": ["I don't know, maybe it's the learning rate, not sure. I guess I'd be guessing; no idea really.", "Hard to say, something like that."],
        "fr": ["Je ne sais pas, peut-être le taux d'apprentissage, pas sûr. Je suppose, aucune idée.", "Difficile à dire, un truc comme ça."],
    }[language]
    for text in texts + hedged:
        lowered = text.lower().replace("’", "'")
        expected = sum(len(p.findall(lowered)) for p in scoring._hedges_of(language))
        assert scoring._hedge_count(text, language) == expected, text
    assert all(scoring._hedge_count(t, language) > 0 for t in hedged)



OFF_TOPIC = [
    "By the way, I really enjoyed my holidays in Spain last summer with my family.",
    "The weather there was sunny and warm every single day of the trip.",
    "My favourite football team also won the championship that year.",
]


def test_what_lowered_the_content_score_is_named_and_quoted() -> None:
    """Not "repetition or filler" in general: the sentences read as off topic, quoted, or the repetition."""
    answer = " ".join([STRONG, *OFF_TOPIC])
    result = assess(thread=answer, latest=answer, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert result.scores and all(
        f'off the question\'s topic, which lowered the score: "{OFF_TOPIC[0]}" (and 2 more)' in s.rationale for s in result.scores
    ), result.scores
    assert not any("Repetition" in s.rationale for s in result.scores)
    focused = assess(thread=STRONG, latest=STRONG, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert not any("off the question's topic" in s.rationale or "Repetition" in s.rationale for s in focused.scores)


def test_repetition_is_named_as_repetition() -> None:
    answer = " ".join(["The chain rule gives the gradient of the loss for each layer."] * 3)
    result = assess(thread=answer, latest=answer, question=QUESTION, rubric=RUBRIC, language="en", min_words=12)
    assert any("Repetition lowered the score." in s.rationale for s in result.scores)

