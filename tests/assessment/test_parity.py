"""French parity: the same answer in French and in English scores alike on every criterion, and
hedges, negations and misconceptions are heard in both languages."""

from __future__ import annotations

import pytest

from interviewer.assessment.scoring import assess
from interviewer.catalog.loading import Catalog

# (round, question, English answer, the same answer in French)
SAME_ANSWERS = [
    (
        "manager-fit", "mf-mistake",
        "During my internship I shipped a data pipeline that silently dropped a tenth of the rows, because I did not test the join on real data. "
        "It was my mistake and I took responsibility for it with my manager. I fixed the join, reran the experiments, and warned the team that "
        "last week's numbers were wrong. The corrected results changed one conclusion. Since then I always compare row counts before and after every join.",
        "Pendant mon stage, j'ai livré un pipeline de données qui perdait silencieusement un dixième des lignes, parce que je n'avais pas testé la "
        "jointure sur de vraies données. C'était mon erreur et j'en ai pris la responsabilité auprès de mon manager. J'ai corrigé la jointure, relancé "
        "les expériences, et prévenu l'équipe que les chiffres de la semaine précédente étaient faux. Les résultats corrigés ont changé une conclusion. "
        "Depuis, je compare toujours le nombre de lignes avant et après chaque jointure.",
    ),
    (
        "technical-ml", "tml-likelihood",
        "The likelihood is the probability of the data as a function of the parameters. Maximum likelihood picks the parameters that maximise it. "
        "With independent samples we maximise the log-likelihood, a sum of logs. With Gaussian noise the negative log-likelihood is the mean squared error.",
        "La vraisemblance est la probabilité des données vue comme une fonction des paramètres. Le maximum de vraisemblance choisit les paramètres qui la "
        "maximisent. Avec des échantillons indépendants on maximise la log-vraisemblance, une somme des logs. Avec un bruit gaussien, la log-vraisemblance "
        "négative est l'erreur quadratique moyenne.",
    ),
    (
        "technical-ml", "tml-likelihood",
        "The likelihood is not the probability of the data. Maximum likelihood does not pick the parameters that maximise it.",
        "La vraisemblance n'est pas la probabilité des données. Le maximum de vraisemblance ne choisit pas les paramètres qui la maximisent.",
    ),
]

HEDGES = [
    ("I'm not sure, I think it's maybe related to the probability of the data, but I don't really know.",
     "Je ne suis pas sûr, je pense que c'est peut-être lié à la probabilité des données, mais je ne sais pas vraiment."),
    ("I guess it could be something about parameters, I can't remember exactly.",
     "J'imagine que ça a un rapport avec les paramètres, je ne me rappelle plus exactement."),
    ("I'd be guessing, probably something with a product of probabilities?",
     "Je dirais au hasard, probablement un produit de probabilités ?"),
]


def scored(catalog: Catalog, persona_id: str, question_id: str, text: str, language: str):  # type: ignore[no-untyped-def]
    persona = catalog.persona(persona_id)
    return assess(
        thread=text, latest=text, question=persona.question(question_id), rubric=catalog.rubric_for(persona),
        language=language, min_words=persona.min_answer_words,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("persona_id", "question_id", "english", "french"), SAME_ANSWERS)
def test_the_same_answer_scores_alike_in_both_languages(catalog: Catalog, persona_id: str, question_id: str, english: str, french: str) -> None:
    en = {s.criterion_id: s.score for s in scored(catalog, persona_id, question_id, english, "en").scores}
    fr = {s.criterion_id: s.score for s in scored(catalog, persona_id, question_id, french, "fr").scores}
    assert en.keys() == fr.keys()
    assert all(abs(en[c] - fr[c]) <= 0.5 for c in en), (en, fr)


@pytest.mark.parametrize(("english", "french"), HEDGES)
def test_hedges_are_heard_in_both_languages(catalog: Catalog, english: str, french: str) -> None:
    assert scored(catalog, "technical-ml", "tml-likelihood", english, "en").hedges
    assert scored(catalog, "technical-ml", "tml-likelihood", french, "fr").hedges


def test_a_complete_mistake_story_owns_the_error_in_french(catalog: Catalog) -> None:
    french = SAME_ANSWERS[0][3]
    result = scored(catalog, "manager-fit", "mf-mistake", french, "fr")
    assert "owns it" in result.covered_key_points
    assert all(s.score >= 4 for s in result.scores if s.criterion_id != "communication")


# Inverted dropout scales during training, so nothing is rescaled at inference: saying so is right
# (the rubric's own level-5 example says it), in both languages.
INVERTED_DROPOUT = {
    "en": (
        "Dropout switches each unit off at random with probability p during training, so the network cannot rely on a few units and "
        "co-adaptation is reduced; it acts as a regulariser, like an ensemble of subnetworks. With inverted dropout the kept activations are "
        "divided by 1 - p during training, so at inference dropout is simply turned off, with no rescaling needed."
    ),
    "fr": (
        "Le dropout désactive aléatoirement chaque unité avec une probabilité p pendant l'entraînement, ce qui empêche la co-adaptation ; "
        "c'est une régularisation, comme un ensemble de sous-réseaux. Avec le dropout inversé, les activations gardées sont divisées par 1 - p "
        "pendant l'entraînement, puis à l'inférence on désactive simplement le dropout, sans remise à l'échelle."
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_rescaling_at_inference_is_not_a_mistake_with_inverted_dropout(catalog: Catalog, language: str) -> None:
    found = scored(catalog, "technical-ml", "tml-dropout", INVERTED_DROPOUT[language], language)
    assert not found.contradictions and not found.misconceptions
    assert "off at inference, with activations rescaled (inverted dropout)" in found.covered_key_points
