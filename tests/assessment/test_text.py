"""Sentence splitting and phrase matching, which quotes and scores rest on."""

from __future__ import annotations

from interviewer.assessment.text import phrase, sentences


def test_decimals_do_not_split_or_drop_a_sentence() -> None:
    text = "The learning rate was 0.001 and SmolLM2-1.7B converged. Then we stopped!"
    assert [s.text for s in sentences(text, "en")] == [
        "The learning rate was 0.001 and SmolLM2-1.7B converged.",
        "Then we stopped!",
    ]


def test_every_sentence_is_a_substring_of_the_text() -> None:
    text = "First point, about 3.5 percent.\nSecond line without a stop\nThird? Yes."
    found = sentences(text, "fr")
    assert [s.text for s in found] == ["First point, about 3.5 percent.", "Second line without a stop", "Third?", "Yes."]
    assert all(s.text in text for s in found)


def test_phrase_matches_stems_in_one_sentence() -> None:
    [sentence] = sentences("We propagated the gradients backwards through the layers.", "en")
    assert phrase("propagate gradients backwards", "en").found_in(sentence)
    assert not phrase("chain rule", "en").found_in(sentence)


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "This matches the Rainbow paper (Hessel et al., 2018), e.g. for replay. Next one."
    assert [s.text for s in sentences(text, "en")] == [
        "This matches the Rainbow paper (Hessel et al., 2018), e.g. for replay.",
        "Next one.",
    ]
