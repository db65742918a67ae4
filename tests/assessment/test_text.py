"""Sentence splitting and phrase matching, which quotes and scores rest on."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("language, text, first", [
    ("en", "Text labelled in BIO, B-PER, I-PER, O, etc. The catch is that words are split.", "Text labelled in BIO, B-PER, I-PER, O, etc."),
    ("fr", "Au format BIO, B-PER, I-PER, O, etc. Le piège, c'est le découpage.", "Au format BIO, B-PER, I-PER, O, etc."),
])
def test_etc_ends_a_sentence_before_a_capital_only(language: str, text: str, first: str) -> None:
    assert [s.text for s in sentences(text, language)][0] == first  # type: ignore[arg-type]
    assert len(sentences("Precision, recall, etc. are better here.", "en")) == 1


def test_a_variable_p_ends_a_sentence_and_p_before_a_page_number_does_not() -> None:
    text = "Each unit is dropped with probability p. The others are scaled up. See p. 12 for the proof."
    assert [s.text for s in sentences(text, "en")] == [
        "Each unit is dropped with probability p.", "The others are scaled up.", "See p. 12 for the proof.",
    ]


def test_no_abbreviates_number_only_before_a_numeral() -> None:
    text = "No. John changed 2 variables at once. See No. 5 for the fair test."
    assert [s.text for s in sentences(text, "en")] == ["No.", "John changed 2 variables at once.", "See No. 5 for the fair test."]
    assert [s.text for s in sentences("Non. Il a changé 2 variables. Voir no. 5.", "fr")] == ["Non.", "Il a changé 2 variables.", "Voir no. 5."]


def test_an_answer_agreeing_with_a_reference_that_opens_with_no_is_not_a_contradiction() -> None:
    from interviewer.assessment import content

    reference = "No. John changed 2 variables at the same time, so John can not know which one caused the change."
    m = content.measure(
        "No, because he changed 2 variables.", question_text="Did John do a fair test?", key_points=[],
        reference_answer=reference, language="en",
    )
    assert m.reference is not None and m.reference.contradicted == 0 and m.reference.lexical > 0


@pytest.mark.parametrize(
    ("language", "keywords", "terse"),
    [
        ("en", "circuit complete electrical pathway broken", "Gradient descent minimises loss."),
        ("fr", "circuit complet chemin électrique coupé", "Dropout régularise fortement."),
    ],
)
def test_five_words_without_a_function_word_are_a_string_of_keywords(language: str, keywords: str, terse: str) -> None:
    # Nothing is said of them; a terse sentence of four words still says something.
    [found] = sentences(keywords, language)  # type: ignore[arg-type]
    assert found.is_list
    [said] = sentences(terse, language)  # type: ignore[arg-type]
    assert not said.is_list


@pytest.mark.parametrize(
    ("language", "dense", "keywords"),
    [
        (
            "en",
            "A random forest trains deep, decorrelated trees independently on bootstrap samples with random feature subsets "
            "and averages them, which mainly reduces variance and needs little tuning.",
            "bagging bootstrap samples random feature subsets deep trees majority vote variance reduction out-of-bag error "
            "feature importance parallel training decorrelated trees averaging predictions",
        ),
        (
            "fr",
            "Le boosting ajoute séquentiellement des arbres peu profonds, chacun ajusté au gradient négatif de la perte, "
            "pondéré par un petit taux d'apprentissage, réduisant surtout le biais mais exigeant un arrêt précoce.",
            "bagging échantillons bootstrap sous-ensembles aléatoires de variables arbres profonds vote majoritaire réduction "
            "de variance erreur out-of-bag importance des variables entraînement parallèle",
        ),
    ],
)
def test_a_dense_explaining_sentence_is_not_a_list_and_a_string_of_terms_is(language: str, dense: str, keywords: str) -> None:
    # Technical prose has few function words; a string of terms has almost none.
    [said] = sentences(dense, language)  # type: ignore[arg-type]
    assert not said.is_list
    [listed] = sentences(keywords, language)  # type: ignore[arg-type]
    assert listed.is_list


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", "Problem it solves, how it works internally, training objective and procedure, limitations or failure cases, cost or complexity."),
        ("fr", "Problème résolu, fonctionnement interne, fonction objectif et procédure d'entraînement, limites ou cas d'échec, coût ou complexité."),
    ],
)
def test_an_enumeration_of_short_terms_is_a_list_in_either_language(language: str, labels: str) -> None:
    # French takes a word more per term, so its items may be a word longer.
    [found] = sentences(labels, language)  # type: ignore[arg-type]
    assert found.is_list


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "- shoot too far\n- takes more time\n- stuck\n- warmup"),
        ("fr", "- dépasse le minimum\n- prend plus de temps\n- bloqué\n- warmup"),
    ],
)
def test_short_bullet_lines_in_a_run_are_one_list(language: str, text: str) -> None:
    assert all(s.is_list for s in sentences(text, language))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Two short bullets are not yet a run; bullets that make a full clause are statements.
        ("en", "- takes more time\n- it gets stuck"),
        ("en", "- A rate that is too large overshoots the minimum and diverges\n- A rate that is too small converges slowly\n- I add a warmup so that the first steps are stable"),
        ("fr", "- Un pas trop grand dépasse le minimum et diverge\n- Un pas trop petit converge lentement\n- Le warmup stabilise les premiers pas"),
    ],
)
def test_bullets_that_say_something_are_not_a_list(language: str, text: str) -> None:
    assert not any(s.is_list for s in sentences(text, language))

