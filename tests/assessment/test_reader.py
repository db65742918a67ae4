"""The learned reader ships in the package, loads verified, reads meaning the rubric's lists miss,
and only ever doubts an answer: it holds content down with a sentence that says what it is."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from interviewer.assessment import reader, scoring, semantic
from interviewer.assessment.gloss import english_gloss
from interviewer.catalog.loading import load_catalog
from interviewer.ops.settings import PROJECT_ROOT

CATALOG = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
PERSONA = CATALOG.personas["technical-ml"]
RUBRIC = CATALOG.rubric_for(PERSONA)
needs_reader = pytest.mark.skipif(not reader.available(), reason="the learned reader is not installed")

# Written for this test, in neither the rubric's lists nor any dev set.
DROPOUT = "tml-dropout"
RIGHT = {
    "en": (
        "Dropout is a regulariser for neural networks. During training, each unit of a layer is switched off at random "
        "with probability p on every mini-batch, so the network cannot rely on any single unit and co-adaptation between "
        "units is reduced; it is like training a large ensemble of thinned networks that share weights. At inference "
        "every unit is kept and the activations are scaled so their expected value matches training, which inverted "
        "dropout does instead at training time by dividing by 1 - p. It reduces overfitting, at the price of slower "
        "convergence, and it is less useful with batch normalisation or with very little data."
    ),
    "fr": (
        "Le dropout est une régularisation des réseaux de neurones. Pendant l'entraînement, chaque unité d'une couche est "
        "éteinte au hasard avec une probabilité p à chaque mini-batch, si bien que le réseau ne peut s'appuyer sur aucune "
        "unité seule et que la co-adaptation entre unités diminue ; c'est comme entraîner un grand ensemble de réseaux "
        "amincis qui partagent leurs poids. À l'inférence, toutes les unités sont gardées et les activations sont mises à "
        "l'échelle pour que leur espérance soit celle de l'entraînement, ce que le dropout inversé fait plutôt pendant "
        "l'entraînement en divisant par 1 - p. Il réduit le surapprentissage, au prix d'une convergence plus lente, et il "
        "sert moins avec la batch normalisation ou avec très peu de données."
    ),
}


# The same, without the ensemble view: one key point short of complete, still a full answer.
NEARLY = RIGHT["en"].replace("; it is like training a large ensemble of thinned networks that share weights", "")


def test_the_reader_ships_inside_the_package_and_loads_verified() -> None:
    import interviewer

    path = reader._model_file()
    assert path.is_relative_to(Path(interviewer.__file__).parent)  # nothing fetched, nothing from elsewhere
    assert semantic._sha256(path) == reader.MODEL_SHA256
    assert reader.available()


def test_a_reader_file_with_another_checksum_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "reader.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(RuntimeError, match="checksum"):
        semantic.open_session(fake, reader.MODEL_SHA256)


def test_switched_off_the_reader_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_SEMANTIC", "off")
    assert reader.probability("What is dropout?", None, "Dropout zeroes activations at random.") is None


@needs_reader
def test_the_reader_gives_a_chance_and_the_same_one_twice() -> None:
    question = PERSONA.question(DROPOUT).text.get("en")
    first = reader.probability(question, None, RIGHT["en"])
    assert first is not None and 0.0 <= first <= 1.0
    assert reader.probability(question, None, RIGHT["en"]) == first


def _assess(text: str, language: str = "en") -> scoring.Assessment:
    return scoring.assess(
        thread=text, latest=text, question=PERSONA.question(DROPOUT), rubric=RUBRIC, language=language,  # type: ignore[arg-type]
        min_words=PERSONA.min_answer_words,
    )


def test_a_doubted_answer_is_held_at_level_two_and_says_it_cannot_point_at_the_mistake(monkeypatch: pytest.MonkeyPatch) -> None:
    language = "en"
    monkeypatch.setattr(reader, "probability", lambda *args: 0.97)
    clear = _assess(RIGHT[language], language)
    assert clear.doubted is None
    monkeypatch.setattr(reader, "probability", lambda *args: 0.04)
    held = _assess(NEARLY, language)
    assert held.doubted == 0.04
    content = [s for s in held.scores if RUBRIC.criterion(s.criterion_id).offline == "content"]
    assert content and all(s.score <= scoring.DOUBT_CAP for s in content)
    assert all("4% chance" in s.rationale and "cannot point at the mistake" in s.rationale for s in content)
    # How it was put is not what the reader judges.
    clarity = {s.criterion_id: s.score for s in clear.scores if RUBRIC.criterion(s.criterion_id).offline == "clarity"}
    assert clarity == {s.criterion_id: s.score for s in held.scores if RUBRIC.criterion(s.criterion_id).offline == "clarity"}


def test_french_answers_are_read_too_and_chosen_subjects_are_left_to_the_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    # Trained on French answers as well; "present an algorithm" has no one answer to read against.
    monkeypatch.setattr(reader, "probability", lambda *args: 0.01)
    assert _assess(RIGHT["fr"], "fr").doubted == 0.01
    text = "I will present the k-nearest neighbours algorithm: it predicts from the k closest training points."
    chosen = scoring.assess(
        thread=text, latest=text, question=PERSONA.question("tml-present-algorithm"), rubric=RUBRIC, language="en",
        min_words=PERSONA.min_answer_words,
    )
    assert chosen.doubted is None


def test_a_confident_reader_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {s.criterion_id: s.score for s in _assess(RIGHT["en"]).scores}
    monkeypatch.setattr(reader, "probability", lambda *args: 0.97)
    after = _assess(RIGHT["en"])
    assert after.doubted is None and {s.criterion_id: s.score for s in after.scores} == before


def test_an_answer_with_a_quoted_mistake_is_corrected_not_doubted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "probability", lambda *args: 0.01)
    text = (
        "I will present logistic regression. Logistic regression solves regression: it predicts a continuous target "
        "such as a house price from a weighted sum of the features, trained by least squares."
    )
    wrong = scoring.assess(
        thread=text, latest=text, question=PERSONA.question("tml-present-algorithm"), rubric=RUBRIC, language="en",
        min_words=PERSONA.min_answer_words,
    )
    assert wrong.misconceptions and wrong.doubted is None


def test_a_round_whose_rubric_does_not_ask_for_the_reader_is_never_doubted(monkeypatch: pytest.MonkeyPatch) -> None:
    persona = CATALOG.personas["manager-fit"]
    rubric = CATALOG.rubric_for(persona)
    assert not rubric.learned_reader and RUBRIC.learned_reader
    monkeypatch.setattr(reader, "probability", lambda *args: 0.01)
    question = persona.questions[0]
    text = (
        "In my internship two of us disagreed about whether to ship a model before the evaluation was finished. "
        "I asked for a short meeting, we listed what each option risked, and we agreed to ship behind a flag "
        "while I finished the evaluation that week; the model held up and we kept that way of deciding."
    )
    found = scoring.assess(thread=text, latest=text, question=question, rubric=rubric, language="en", min_words=persona.min_answer_words)
    assert found.doubted is None
    assert not any("chance of being called correct" in s.rationale for s in found.scores)


# Wrong in plain words that no list of the rubric holds (written for this test, in no dev set).
UNLISTED_WRONG = {
    "tml-kfold": (
        "K-fold cross-validation splits the data into k parts and trains k models, each on one part alone, then tests "
        "each model on the same part it was trained on. The final score is the best of the k scores, since that is the "
        "model we keep. A larger k means less data per model, so the estimate gets more optimistic, and k equal to one "
        "is leave-one-out. It is mainly used to make training faster on big datasets."
    ),
    "tml-relu": (
        "ReLU outputs the input when it is negative and zero otherwise, so it keeps only the negative part of the signal. "
        "Its gradient is zero for positive inputs, which is why it avoids exploding gradients. It is smooth everywhere, "
        "which makes it easy to optimise, and it was replaced by the sigmoid in modern networks because the sigmoid never saturates."
    ),
}


@needs_reader
@pytest.mark.parametrize("question_id", sorted(UNLISTED_WRONG))
def test_the_reader_doubts_a_fluent_wrong_answer_no_list_catches(question_id: str) -> None:
    text = UNLISTED_WRONG[question_id]
    found = scoring.assess(
        thread=text, latest=text, question=PERSONA.question(question_id), rubric=RUBRIC, language="en", min_words=PERSONA.min_answer_words
    )
    assert not found.contradictions and not found.misconceptions  # the lists see nothing wrong here
    assert found.doubted is not None
    assert all(s.score <= scoring.DOUBT_CAP for s in found.scores if RUBRIC.criterion(s.criterion_id).offline == "content")


@needs_reader
def test_the_reader_does_not_doubt_a_correct_explanation() -> None:
    found = _assess(RIGHT["en"])
    assert found.doubted is None and all(s.score >= 4 for s in found.scores)


def test_a_thin_correct_answer_is_held_by_what_it_covers_never_doubted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reader reads missing content as wrong; an answer that covers little already scores low
    # for that, and saying it may be wrong would accuse a correct answer of a mistake.
    monkeypatch.setattr(reader, "probability", lambda *args: 0.03)
    thin = "Dropout switches units off at random during training, so the network cannot rely on any single one."
    found = _assess(thin)
    content = [s for s in found.scores if RUBRIC.criterion(s.criterion_id).offline == "content"]
    assert content and all(s.score <= scoring.DOUBT_CAP for s in content)  # held by what it covers
    assert found.doubted is None
    assert not any("chance of being called correct" in s.rationale for s in found.scores)
    # The same reading of a full answer is a doubt.
    assert _assess(NEARLY).doubted == 0.03


COMPLETE = {
    "en": RIGHT["en"],
    "fr": RIGHT["fr"].replace("et que la co-adaptation entre unités diminue ;", "et il évite ainsi la co-adaptation entre unités ;"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_complete_answer_is_never_doubted(monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    # Every key point stated and none contradicted is what the scorer checked: the reader does not
    # overrule it (on answers it never trained on, such doubts were wrong 13 times in 15).
    monkeypatch.setattr(reader, "probability", lambda *args: 0.03)
    complete = _assess(COMPLETE[language], language)
    assert not complete.missing_key_points and complete.doubted is None
    assert all(s.score >= 4 for s in complete.scores)
    assert not any("chance of being called correct" in s.rationale for s in complete.scores)


def test_the_reader_runs_only_where_its_reading_could_hold_a_score(monkeypatch: pytest.MonkeyPatch) -> None:
    # About 30 ms of CPU an answer: not spent on an answer already corrected or already held low.
    calls: list[str] = []
    monkeypatch.setattr(reader, "probability", lambda question, reference, answer, language: calls.append(answer) or 0.9)
    _assess("Dropout switches units off at random during training.")
    assert calls == []
    _assess(RIGHT["en"])  # complete: nothing to doubt
    assert calls == []
    _assess(NEARLY)
    assert set(calls) == {NEARLY}  # the real reader caches by text


def test_a_french_answer_is_read_as_written_and_as_its_english_gloss(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reader knows English best: French answers get a second reading, glossed, and the two
    # readings' log-odds are averaged. English answers are read once.
    read: list[str] = []
    logits = {RIGHT["fr"]: 2.0, english_gloss(RIGHT["fr"]): -1.0, RIGHT["en"]: 3.0}
    monkeypatch.setattr(reader, "_get", lambda: object())
    monkeypatch.setattr(reader, "_logit", lambda _reader, _first, answer: read.append(answer) or logits[answer])
    assert reader.probability("Q", None, RIGHT["fr"], "fr") == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert read == [RIGHT["fr"], english_gloss(RIGHT["fr"])]
    read.clear()
    assert reader.probability("Q", None, RIGHT["en"], "en") == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert read == [RIGHT["en"]]


def test_each_language_has_its_own_doubt_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    # The double French reading is a reading of its own, with its own threshold (chosen on dev sets).
    between = (scoring.DOUBT_BELOW["en"] + scoring.DOUBT_BELOW["fr"]) / 2
    monkeypatch.setattr(reader, "probability", lambda *args: between)
    nearly_fr = RIGHT["fr"].replace("; c'est comme entraîner un grand ensemble de réseaux amincis qui partagent leurs poids", "")
    assert _assess(nearly_fr, "fr").doubted == between
    assert _assess(NEARLY, "en").doubted is None


# Wrong in plain words, in French (the French of UNLISTED_WRONG["tml-kfold"], written for this test).
UNLISTED_WRONG_FR = (
    "La validation croisée à k plis découpe les données en k parties et entraîne k modèles, chacun sur une seule partie, "
    "puis teste chaque modèle sur la partie même qui a servi à l'entraîner. Le score final est le meilleur des k scores, "
    "puisque c'est le modèle qu'on garde. Un k plus grand laisse moins de données à chaque modèle, donc l'estimation devient "
    "plus optimiste, et k égal à un correspond au leave-one-out. On s'en sert surtout pour accélérer l'entraînement sur de "
    "gros jeux de données."
)


@needs_reader
def test_the_double_reading_doubts_a_french_wrong_answer_the_french_reading_alone_let_pass() -> None:
    question = PERSONA.question("tml-kfold")
    reference = RUBRIC.questions["tml-kfold"].reference_answer
    once = reader.probability(question.text.get("fr"), reference, UNLISTED_WRONG_FR, "en")  # read as written only
    assert once is not None and once > scoring.DOUBT_BELOW["en"]  # the single reading saw nothing to doubt
    found = scoring.assess(
        thread=UNLISTED_WRONG_FR, latest=UNLISTED_WRONG_FR, question=question, rubric=RUBRIC, language="fr",
        min_words=PERSONA.min_answer_words,
    )
    assert not found.contradictions and not found.misconceptions  # the lists see nothing wrong here
    assert found.doubted is not None
    assert all(s.score <= scoring.DOUBT_CAP for s in found.scores if RUBRIC.criterion(s.criterion_id).offline == "content")


@needs_reader
def test_the_double_reading_does_not_doubt_a_correct_french_explanation() -> None:
    found = _assess(RIGHT["fr"], "fr")
    assert found.doubted is None and all(s.score >= 4 for s in found.scores)
