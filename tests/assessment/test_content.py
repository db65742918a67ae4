"""What an answer says about a question: stated, contradicted or only named key points,
misconceptions, the reference's claims, and paraphrase; in both languages."""

from __future__ import annotations

import pytest

from interviewer.assessment import semantic
from interviewer.assessment.content import measure
from interviewer.assessment.scoring import level_of
from interviewer.catalog.fields import Localized
from interviewer.catalog.rubrics import KeyPoint, Misconception

POINTS = [
    KeyPoint(label="dropout zeroes units at random during training", en=["turns off neurons", "zeroes units at random"], fr=["éteint des neurones", "met des neurones à zéro"]),
    KeyPoint(label="nothing is dropped at inference", en=["inference nothing is dropped", "disabled at inference"], fr=["désactivé en inférence", "rien n'est éteint en inférence"]),
]
MISCONCEPTIONS = [
    Misconception(
        en=["dropout stays active at inference"], fr=["dropout reste actif en inférence"],
        correction=Localized(en="At inference dropout is off; activations are rescaled.", fr="En inférence le dropout est désactivé ; les activations sont remises à l'échelle."),
    )
]
QUESTION = "What is dropout?"


def run(text: str, language: str = "en"):  # type: ignore[no-untyped-def]
    return measure(text, question_text=QUESTION, key_points=POINTS, reference_answer=None, language=language, misconceptions=MISCONCEPTIONS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "During training, dropout turns off neurons at random. At inference time it is disabled at inference, and the activations are rescaled."),
        ("fr", "Pendant l'entraînement, le dropout éteint des neurones au hasard. Il est désactivé en inférence et les activations sont remises à l'échelle."),
    ],
)
def test_explained_key_points_are_covered(language: str, text: str) -> None:
    m = run(text, language)
    assert len(m.covered) == 2 and not m.contradictions and m.content == 1.0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Dropout never turns off neurons; it only adds noise to the weights."),
        ("fr", "Le dropout n'éteint pas des neurones ; il ajoute seulement du bruit aux poids."),
    ],
)
def test_a_negated_key_point_is_a_contradiction_not_credit(language: str, text: str) -> None:
    m = run(text, language)
    assert not m.covered and m.contradictions and m.content == 0.0
    assert m.contradictions[0].quote in text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Dropout turns off neurons during training, and dropout stays active at inference exactly the same way."),
        ("fr", "Le dropout éteint des neurones pendant l'entraînement, et le dropout reste actif en inférence de la même façon."),
    ],
)
def test_a_misconception_is_caught_with_its_correction(language: str, text: str) -> None:
    m = run(text, language)
    [finding] = m.misconceptions
    assert finding.quote in text and finding.correction and m.wrong


def test_denying_a_misconception_is_not_stating_it() -> None:
    assert not run("Dropout does not stay active at inference: it is disabled at inference.").misconceptions


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Turns off neurons, disabled at inference, regularisation, ensembles, noise."),
        ("fr", "Éteint des neurones, désactivé en inférence, régularisation, ensembles, bruit."),
    ],
)
def test_naming_key_points_in_a_list_earns_nothing(language: str, text: str) -> None:
    m = run(text, language)
    assert not m.covered and len(m.listed) == 2 and m.content == 0.0


def test_repeating_the_rubric_labels_earns_nothing() -> None:
    points = [
        KeyPoint(label="explains how it works internally", en=["internally", "works by"], fr=["en interne", "fonctionne en"]),
        KeyPoint(label="gives the training objective and procedure", en=["training objective", "loss function"], fr=["fonction objectif", "fonction de perte"]),
    ]
    m = measure(
        "My answer explains how it works internally and gives the training objective and procedure.",
        question_text="Present an algorithm you know well.", key_points=points, reference_answer=None, language="en",
    )
    assert not m.covered and m.content == 0.0


REFERENCE = "Dropout turns off each neuron with probability p at each training step. This forces the network not to rely on a few neurons, which regularises it."


def reference_quality(text: str) -> float:
    return measure(text, question_text=QUESTION, key_points=[], reference_answer=REFERENCE, language="en").quality


def test_a_negated_reference_scores_below_a_correct_half() -> None:
    negated = "Dropout does not turn off each neuron with probability p at each training step. This does not force the network not to rely on a few neurons, which does not regularise it."
    half = "Dropout turns off each neuron with probability p at each training step."
    assert reference_quality(negated) < reference_quality(half) < reference_quality(REFERENCE)


@pytest.mark.parametrize(
    ("language", "on_topic", "off_topic"),
    [
        ("en", "Dropout turns off neurons at random during training.", [
            "By the way, I really enjoyed my holidays in Spain last summer with my family.",
            "The weather there was sunny and warm every single day of the trip.",
        ]),
        ("fr", "Le dropout éteint des neurones au hasard pendant l'entraînement.", [
            "Au fait, j'ai adoré mes vacances en Espagne l'été dernier avec ma famille.",
            "Il a fait beau et chaud chaque jour du voyage.",
        ]),
    ],
)
def test_the_sentences_read_as_off_topic_are_kept_to_be_named(language: str, on_topic: str, off_topic: list[str]) -> None:
    m = run(" ".join([on_topic, *off_topic]), language)
    assert m.focus < 0.8 and not m.repetitive
    assert [s.text for s in m.off_topic] == off_topic


CONSTRUCTOR_REFERENCE = (
    "If no constructor is provided, the compiler provides one by default. "
    "If a constructor is defined for a class, the compiler does not create a default constructor."
)


@pytest.mark.parametrize(
    ("answer", "contradicts"),
    [
        # The same rule from the other side: no contradiction, whatever the negations.
        ("The compiler creates a default constructor when we do not define one.", False),
        ("Unless a constructor is defined, the compiler creates a default one.", False),
        # A condition alone asserts nothing.
        ("When no constructor was specified in the class.", False),
        # Under the same condition, the contrary claim; or the condition turned round alone.
        ("If a constructor is defined for a class, the compiler creates a default constructor.", True),
        ("The compiler does not provide one by default if no constructor is provided.", True),
        ("The compiler provides one by default if a constructor is provided.", True),
    ],
)
def test_a_claim_made_under_a_condition_contradicts_only_under_the_same_condition(answer: str, contradicts: bool) -> None:
    m = measure(
        answer, question_text="When does C++ create a default constructor?", key_points=[],
        reference_answer=CONSTRUCTOR_REFERENCE, language="en",
    )
    assert bool(m.contradictions) is contradicts
    assert (m.quality == 0) is contradicts


@pytest.mark.parametrize(
    ("answer", "contradicts"),
    [
        ("A prediction counts as a true positive when the actual class is 1.", False),
        # The same claim under the opposite condition is wrong; both turned round is the same rule.
        ("A prediction counts as a true positive when the actual class is not 1.", True),
        ("A prediction does not count as a true positive when the actual class is not 1.", False),
    ],
)
def test_a_claim_is_read_with_its_condition(answer: str, contradicts: bool) -> None:
    reference = "A prediction counts as a true positive when the actual class is 1. It counts as a false positive when the actual class is 0."
    m = measure(answer, question_text="What is a true positive?", key_points=[], reference_answer=reference, language="en")
    assert bool(m.contradictions) is contradicts


@pytest.mark.parametrize(
    ("language", "reference", "negated", "restated"),
    [
        ("en", "If gas (carbon dioxide) is produced, the food contains acid.",
         "If gas is not produced, the food contains acid.", "When gas is produced, the food contains acid."),
        ("fr", "Si du gaz (du dioxyde de carbone) est produit, l'aliment contient de l'acide.",
         "Si le gaz n'est pas produit, l'aliment contient de l'acide.", "Quand du gaz est produit, l'aliment contient de l'acide."),
    ],
)
def test_a_short_aside_in_brackets_stays_in_its_clause(language: str, reference: str, negated: str, restated: str) -> None:
    # Cut at the brackets, "if gas" was a condition about nothing and the turned condition went unread.
    def contradicted(answer: str) -> bool:
        return bool(measure(answer, question_text="How can you tell whether a food contains acid?", key_points=[],
                            reference_answer=reference, language=language).contradictions)  # type: ignore[arg-type]

    assert contradicted(negated)
    assert not contradicted(restated)


@pytest.mark.parametrize(
    ("language", "fronted", "denying"),
    [
        ("en", "Without negative sampling, the softmax over the whole vocabulary would cost too much.",
         "Word2vec is trained without negative sampling."),
        ("fr", "Sans échantillonnage négatif, le softmax sur tout le vocabulaire coûterait trop cher.",
         "Word2vec est entraîné sans échantillonnage négatif."),
    ],
)
def test_a_sentence_opening_with_without_states_a_condition_not_a_denial(language: str, fronted: str, denying: str) -> None:
    point = KeyPoint.model_validate({
        "label": "negative sampling replaces the full softmax", "en": ["negative sampling"], "fr": ["échantillonnage négatif"],
    })

    def contradicted(answer: str) -> bool:
        m = measure(answer, question_text="Present word2vec.", key_points=[point], reference_answer=None, language=language)  # type: ignore[arg-type]
        return bool(m.contradictions)

    assert not contradicted(fronted)
    assert contradicted(denying)


@pytest.mark.parametrize(
    ("language", "reference", "keywords"),
    [
        ("en", "Fabric A is smoother and has a finer texture. Fabric B is rougher and has a coarser texture.",
         "fabric smoother finer texture rougher coarser"),
        ("fr", "Le tissu A est plus lisse et a une texture plus fine. Le tissu B est plus rugueux et a une texture plus grossière.",
         "tissu lisse texture fine rugueux grossière"),
    ],
)
def test_a_short_string_of_the_references_words_earns_less_than_its_correct_first_half(language: str, reference: str, keywords: str) -> None:
    def quality(text: str) -> float:
        return measure(text, question_text="What do the rubbings tell us about the two fabrics?", key_points=[],
                       reference_answer=reference, language=language).quality  # type: ignore[arg-type]

    first_half = reference.split(". ")[0] + "."
    assert quality(keywords) < quality(first_half)


@pytest.mark.parametrize("use_model", [True, False])
def test_restating_the_question_earns_less_than_saying_what_the_reference_adds(use_model: bool) -> None:
    question = "What does dropout do to the neurons of a network during training?"

    def quality(text: str) -> float:
        return measure(text, question_text=question, key_points=[], reference_answer=REFERENCE, language="en", use_model=use_model).quality

    restated = "Dropout does something to the neurons of a network during training."
    explained = "Each unit is switched off with probability p at every step, so no unit can be relied on: it regularises."
    assert quality(restated) < quality(explained)


@pytest.mark.skipif(not semantic.available(), reason="the embedding model is not installed")
def test_a_complete_answer_in_other_words_than_the_reference_reaches_level_4() -> None:
    # Calibrated on human grades: before, this answer (a grader's 5 of 5) sat at level 3, "partially correct".
    paraphrase = (
        "During training, every unit is switched off at random with some probability, so the network cannot "
        "depend on a handful of units; that acts as a regulariser."
    )
    assert level_of(reference_quality(paraphrase)) >= 4
    assert level_of(reference_quality("It is a layer in neural networks.")) <= 2


@pytest.mark.parametrize("use_model", [True, False])
def test_calibration_keeps_nothing_at_zero_and_the_reference_at_full_credit(use_model: bool) -> None:
    def quality(text: str) -> float:
        return measure(text, question_text=QUESTION, key_points=[], reference_answer=REFERENCE, language="en", use_model=use_model).quality

    assert quality("I like pizza and football on sundays.") == 0.0
    assert quality(REFERENCE) == pytest.approx(1.0)


def test_the_reference_signals_without_the_model_are_words_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_SEMANTIC", "off")
    m = measure("Dropout turns off each neuron with probability p.", question_text=QUESTION, key_points=[], reference_answer=REFERENCE, language="en")
    assert m.reference is not None and m.reference.whole is None and m.reference.recall is None
    assert m.reference.lexical > 0 and m.reference.value > 0


@pytest.mark.skipif(not semantic.available(), reason="the embedding model is not installed")
def test_a_paraphrase_sharing_no_word_with_the_key_point_is_credited() -> None:
    point = KeyPoint(label="the model predicts the probability of a class", en=["probability of a class"], fr=["probabilité d'une classe"])
    m = measure(
        "It outputs how likely the input is to belong to each class.",
        question_text="What does logistic regression output?", key_points=[point], reference_answer=None, language="en",
    )
    assert m.paraphrased == [point] and m.content > 0


RISK = KeyPoint(
    label="weights too large or too small make the signals explode or vanish", en=["signals explode", "signals vanish"],
    fr=["les signaux explosent", "les signaux disparaissent"], contradictable=False,
)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The goal of a good initialisation is to keep the variance constant, so signals neither vanish nor explode."),
        ("fr", "Avec une bonne initialisation, la variance reste constante d'une couche à l'autre : les signaux n'explosent pas et ne disparaissent pas."),
    ],
)
def test_a_risk_named_as_what_is_avoided_is_not_a_contradiction(language: str, text: str) -> None:
    """A key point marked `contradictable: false` is a risk good answers name as what they avoid."""
    m = measure(text, question_text=QUESTION, key_points=[RISK], reference_answer=None, language=language)  # type: ignore[arg-type]
    assert not m.contradictions and m.covered == [RISK]
    claim = RISK.model_copy(update={"contradictable": True})
    assert measure(text, question_text=QUESTION, key_points=[claim], reference_answer=None, language=language).contradictions  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Dropout turns off neurons at random. Letting dropout stay active at inference is a classic mistake."),
        ("fr", "Le dropout éteint des neurones au hasard. Laisser le dropout rester actif en inférence, c'est une erreur classique."),
        # "common mistake" has its French words too, not only « classique ».
        ("en", "Dropout turns off neurons at random. Letting dropout stay active at inference is a common mistake."),
        ("fr", "Le dropout éteint des neurones au hasard. Laisser le dropout rester actif en inférence, c'est une erreur fréquente."),
    ],
)
def test_a_sentence_that_names_the_mistake_as_a_mistake_does_not_state_it(language: str, text: str) -> None:
    assert run(text, language).misconceptions == []


MISTAKE_POINTS = [
    KeyPoint(label="owns it", en=["my fault"], fr=["ma faute"]),
    KeyPoint(label="what they did about it", en=["told my manager"], fr=["prévenu mon responsable"]),
    KeyPoint(label="the lesson", en=["since then"], fr=["depuis"]),
]


@pytest.mark.parametrize(
    ("language", "story", "digression"),
    [
        ("en", (
            "I pushed a preprocessing change without running the test suite, and it dropped ten percent of the rows. "
            "It was my fault: I skipped the test suite to save time. "
            "I told my manager, reverted the change and added a test that counts the rows. "
            "Since then I run the whole test suite before any preprocessing change."
        ), "By the way, I really enjoyed my holidays in Spain last summer with my family."),
        ("fr", (
            "J'ai poussé une modification du prétraitement sans lancer la suite de tests, et elle a supprimé dix pour cent des lignes. "
            "C'était ma faute : j'avais sauté la suite de tests pour gagner du temps. "
            "J'ai prévenu mon responsable, annulé la modification et ajouté un test qui compte les lignes. "
            "Depuis, je lance toute la suite de tests avant chaque modification du prétraitement."
        ), "Au fait, j'ai adoré mes vacances en Espagne l'été dernier avec ma famille."),
    ],
)
def test_a_story_keeps_to_the_question_without_its_words(language: str, story: str, digression: str) -> None:
    """The sentences that set a story up share its words, not the question's ("tell me about a
    mistake"): they belong to the account that states the key points; a digression does not."""
    def read(text: str):  # type: ignore[no-untyped-def]
        return measure(text, question_text="Tell me about a mistake you made.", key_points=MISTAKE_POINTS, reference_answer=None, language=language)  # type: ignore[arg-type]

    told = read(story)
    assert len(told.covered) == 3 and not told.off_topic
    assert [s.text for s in read(f"{story} {digression}").off_topic] == [digression]


DOMAINS = [KeyPoint(
    label="transfer fails across distant domains",
    en=["similar domain", "different domains lead to negative transfer"],
    fr=["domaine semblable", "des domaines différents mènent à un transfert négatif"],
)]


@pytest.mark.parametrize(
    ("language", "stating", "reversing"),
    [
        ("en", "Fine-tuning helps with little data, though different domains lead to negative transfer.", "Pretraining on a different domain works best."),
        ("fr", "Le fine-tuning aide avec peu de données, mais des domaines différents mènent à un transfert négatif.", "Le transfert marche mieux entre des domaines différents."),
    ],
)
def test_a_sentence_stating_the_point_in_more_words_does_not_contradict_it_by_an_opposite(language: str, stating: str, reversing: str) -> None:
    # "different" is the opposite of the short phrase's "similar": alone it reverses the point; said
    # in a sentence that states the point in more words, it is part of that statement.
    def read(text: str):  # type: ignore[no-untyped-def]
        return measure(text, question_text="When does transfer learning help?", key_points=DOMAINS, reference_answer=None, language=language, use_model=False)  # type: ignore[arg-type]

    stated = read(stating)
    assert [p.label for p in stated.covered] == [DOMAINS[0].label] and not stated.contradictions
    assert read(reversing).contradictions
