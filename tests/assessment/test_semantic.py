"""The embedding model loads from an installed package, verified, once, and the scorer works
without it."""

from __future__ import annotations

import pytest

from interviewer.assessment import content, semantic


@pytest.mark.skipif(not semantic.available(), reason="the embedding model is not installed")
def test_paraphrases_are_closer_than_unrelated_sentences() -> None:
    [[paraphrase, unrelated]] = semantic.similarities(
        ["Logistic regression outputs the probability of a class."],
        ["It estimates how likely each category is.", "The weather is sunny today."],
    )
    assert paraphrase > unrelated + 0.2


def test_a_file_with_another_checksum_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    monkeypatch.setattr(semantic, "_model_file", lambda: fake)
    with pytest.raises(RuntimeError, match="checksum"):
        semantic._load()


def test_without_the_model_the_scorer_falls_back_to_lexical_signals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_SEMANTIC", "off")
    assert not semantic.available() and semantic.similarities(["a"], ["b"]) is None
    m = content.measure(
        "Dropout turns off each neuron with probability p during training.",
        question_text="What is dropout?", key_points=[], reference_answer="Dropout turns off each neuron with probability p.", language="en",
    )
    assert m.content > 0.5
