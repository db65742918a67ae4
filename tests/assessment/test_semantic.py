"""The embedding model ships in the package, loads verified, once, and the scorer works without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.assessment import content, semantic


@pytest.mark.skipif(not semantic.available(), reason="the embedding model is not installed")
def test_paraphrases_are_closer_than_unrelated_sentences() -> None:
    [[paraphrase, unrelated]] = semantic.similarities(
        ["Logistic regression outputs the probability of a class."],
        ["It estimates how likely each category is.", "The weather is sunny today."],
    )
    assert paraphrase > unrelated + 0.2


def test_the_model_ships_inside_the_package_and_loads_verified() -> None:
    import interviewer

    path = semantic._model_file()
    assert path.is_relative_to(Path(interviewer.__file__).parent)  # nothing fetched, nothing from elsewhere
    assert semantic._sha256(path) == semantic.MODEL_SHA256
    assert semantic.available(), semantic.unavailable_reason()


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


def test_texts_are_batched_with_texts_of_about_their_length() -> None:
    lengths = [12, 100, 14, 95, 40, 13]
    groups = semantic._batches(lengths)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for group in groups:
        assert max(lengths[i] for i in group) - min(lengths[i] for i in group) <= semantic.PAD_SLACK_TOKENS
    assert len(groups) == 3  # {100, 95}, {40}, {14, 13, 12}


@pytest.mark.skipif(not semantic.available(), reason="the embedding model is not installed")
def test_a_text_embeds_the_same_alone_or_padded_in_a_batch() -> None:
    model = semantic._get()
    assert model is not None
    short = "Dropout turns off neurons."
    batch = [short, "A much longer sentence about regularisation, which pads the short one in its batch when run together."]
    alone = semantic._run(model, model.tokenizer.encode_batch([short]))[0]
    padded = semantic._run(model, model.tokenizer.encode_batch(batch))[0]
    assert float(alone @ padded) > 0.9999


@pytest.mark.skipif(not semantic.available(), reason="the embedding model is not installed")
def test_sentences_pooled_together_stand_for_their_joined_text() -> None:
    said = ["Dropout turns off each neuron with probability p during training.", "It keeps the network from relying on any one unit."]
    together, joined, alone = semantic.pooled(said), semantic.vectors([" ".join(said)]), semantic.vectors(said[:1])
    assert together is not None and joined is not None and alone is not None
    assert abs(float(together @ together) - 1.0) < 1e-5
    assert float(together @ joined[0]) > 0.9
    assert float(semantic.pooled(said[:1]) @ alone[0]) > 0.9999  # type: ignore[operator]
