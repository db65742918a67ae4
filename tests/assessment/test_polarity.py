"""Negation scope and opposites: a claim stated under a negation, or with a word reversed, is its
contrary; the cues are data in both languages."""

from __future__ import annotations

import pytest

from interviewer.assessment.polarity import asserts, clauses, condition_for, cues, negation_positions, opposites, phrase_polarity
from interviewer.assessment.text import phrase, sentences, tokens


def polarity(text: str, key_phrase: str, language: str = "en") -> str | None:
    [sentence] = sentences(text, language)  # type: ignore[arg-type]
    return phrase_polarity(phrase(key_phrase, language), sentence, language)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        ("en", "It is trained by maximum likelihood.", "maximum likelihood", "stated"),
        ("en", "It is not trained by maximum likelihood.", "maximum likelihood", "contradicted"),
        ("en", "It never uses a sigmoid at the output.", "uses a sigmoid", "contradicted"),
        ("en", "Logistic regression doesn't use a sigmoid.", "uses a sigmoid", "contradicted"),
        ("en", "Regularisation increases the bias.", "increases the bias", "stated"),
        ("en", "Regularisation decreases the bias.", "increases the bias", "contradicted"),
        ("en", "It is not only fast but also accurate.", "fast", "stated"),
        # The negation's scope ends at "but": the second clause is affirmative.
        ("en", "It is not a regression model but a classification model.", "classification model", "stated"),
        ("fr", "Elle est entraînée par maximum de vraisemblance.", "maximum de vraisemblance", "stated"),
        ("fr", "Elle n'est pas entraînée par maximum de vraisemblance.", "maximum de vraisemblance", "contradicted"),
        ("fr", "Elle n'utilise jamais de sigmoïde.", "utilise une sigmoïde", "contradicted"),
        ("fr", "On l'entraîne sans descente de gradient.", "descente de gradient", "contradicted"),
        ("fr", "La régularisation diminue le biais.", "augmente le biais", "contradicted"),
        ("fr", "Il ne surapprend plus après l'arrêt précoce.", "surapprend", "contradicted"),
        ("fr", "Il y a plus de paramètres que d'exemples.", "paramètres", "stated"),
        ("fr", "C'est sans doute la méthode la plus utilisée.", "méthode la plus utilisée", "stated"),
        # "Rarely" and « rarement » deny as much in one language as in the other.
        ("en", "Pruning is rarely needed in practice.", "pruning is needed", "contradicted"),
        ("fr", "L'élagage est rarement nécessaire en pratique.", "l'élagage est nécessaire", "contradicted"),
    ],
)
def test_a_claim_and_its_contrary(language: str, text: str, key_phrase: str, expected: str) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase"),
    [
        # The opposite stands for the phrase's word, and the negation falls on the opposite.
        ("en", "The residuals do not depend on each other.", "independent residuals"),
        ("en", "The learning rate is not small.", "the learning rate is large"),
        ("fr", "Chaque résidu ne dépend pas des autres.", "résidu indépendant"),
        ("fr", "Ajouter des arbres ne diminue pas la variance.", "augmente la variance"),
    ],
)
def test_a_negated_opposite_restates_the_claim(language: str, text: str, key_phrase: str) -> None:
    assert polarity(text, key_phrase, language) == "stated"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "You do not really converge unless you decay the rate."),
        ("fr", "On ne converge pas vraiment à moins de faire décroître le taux."),
    ],
)
def test_the_negation_before_unless_does_not_reach_into_its_clause(language: str, text: str) -> None:
    key_phrase = "decay the rate" if language == "en" else "faire décroître le taux"
    assert polarity(text, key_phrase, language) == "stated"


def test_a_phrase_written_with_a_negation_is_stated_by_a_negative_sentence() -> None:
    # The limitation "does not work" is what the candidate says, not its contrary.
    assert polarity("The model does not work when classes overlap.", "does not work") == "stated"


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "non" before a word is a prefix: it negates that word, not the rest of the clause.
        ("fr", "C'est une méthode non supervisée de réduction de dimension.", "réduction de dimension", "stated"),
        ("fr", "C'est une méthode non supervisée de réduction de dimension.", "supervisé", "contradicted"),
        ("fr", "Chaque neurone applique une activation non linéaire à la somme pondérée.", "somme pondérée", "stated"),
        # "par pas" is "per step": no negation.
        ("fr", "La SGD est moins chère par pas mais plus bruitée.", "moins chère", "stated"),
        ("en", "It is a non linear model that reduces the variance.", "reduces the variance", "stated"),
        ("en", "It is a non linear model that reduces the variance.", "linear", "contradicted"),
    ],
)
def test_a_prefix_negation_covers_the_next_word_only(language: str, text: str, key_phrase: str, expected: str) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase"),
    [
        # A condition, a purpose or a concession asserts nothing: a negation there denies nothing.
        ("en", "Averaging only reduces variance if the trees are not too correlated.", "correlated trees"),
        ("en", "Alerts are deduplicated so that the team does not suffer from alert fatigue.", "alert fatigue"),
        ("en", "Even when it does not diverge, training may settle in a poor region.", "diverges"),
        ("fr", "Même sans diverger, l'entraînement peut se stabiliser dans une mauvaise zone.", "diverge"),
        ("fr", "On regroupe les alertes pour que l'équipe ne souffre pas de fatigue d'alerte.", "fatigue d'alerte"),
        # The French counterparts of "provided that", "whenever" and "in case".
        ("en", "Averaging reduces the variance provided that the trees are not too correlated.", "trees correlated"),
        ("fr", "La moyenne réduit la variance à condition que les arbres ne soient pas trop corrélés.", "arbres corrélés"),
        ("en", "We clip the gradient whenever the gradient does not explode.", "gradient explodes"),
        ("fr", "On coupe le gradient chaque fois que le gradient n'explose pas.", "gradient explose"),
        ("en", "We retrain in case there is no labelled data.", "labelled data"),
        ("fr", "On réentraîne dans le cas où il n'y a pas de données étiquetées.", "données étiquetées"),
    ],
)
def test_a_negated_condition_purpose_or_concession_denies_nothing(language: str, text: str, key_phrase: str) -> None:
    assert polarity(text, key_phrase, language) is None


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # The subject of the first clause carries to the predicates listed after it...
        ("en", "Logistic regression solves regression, does not use a sigmoid, cannot overfit.", "logistic regression overfits", "contradicted"),
        # ... but not past a clause that opens a new statement.
        ("en", "The ROC curve plots the true positive rate against the false positive rate, so the AUC can look good while precision is poor.",
         "the roc curve plots precision", None),
        ("fr", "La courbe ROC trace le taux de vrais positifs, donc l'AUC peut sembler bonne alors que la précision est mauvaise.",
         "la courbe roc trace la précision", None),
        ("fr", "Le coût est quadratique en la longueur, c'est pour ça que des approximations linéaires de l'attention existent.",
         "le coût de l'attention est linéaire", None),
        # What the first clause denies does not carry over to the next one.
        ("en", "kNN doesn't learn parameters: it is lazy, it stores the training set.", "learns parameters during training", None),
        ("fr", "Le kNN n'apprend aucun paramètre : il est paresseux, il stocke le jeu d'entraînement.", "apprend des paramètres pendant l'entraînement", None),
    ],
)
def test_a_phrase_spread_over_clauses_stops_where_a_new_statement_begins(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A word said again after a negation is not the phrase's: the phrase was whole before it.
        ("en", "Linear in the parameters doesn't mean linear in the inputs.", "linear in the parameters", "stated"),
        ("fr", "Linéaire en les paramètres ne veut pas dire linéaire en les entrées.", "linéaire en les paramètres", "stated"),
        ("en", "The model is not linear in the parameters.", "linear in the parameters", "contradicted"),
        ("fr", "Le modèle n'est pas linéaire en les paramètres.", "linéaire en les paramètres", "contradicted"),
    ],
)
def test_a_phrase_is_read_where_it_is_first_said(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase"),
    [
        ("en", "A common misconception is that RLHF teaches the model new knowledge.", "rlhf teaches new knowledge"),
        ("fr", "Une idée reçue est que le RLHF apprend de nouvelles connaissances au modèle.", "le rlhf apprend de nouvelles connaissances"),
        ("en", "People often think that dropout is used at test time.", "dropout is used at test time"),
        ("fr", "On croit souvent que le dropout est utilisé au test.", "le dropout est utilisé au test"),
    ],
)
def test_a_belief_reported_to_correct_it_is_not_asserted(language: str, text: str, key_phrase: str) -> None:
    [sentence] = sentences(text, language)  # type: ignore[arg-type]
    assert not asserts(phrase(key_phrase, language), sentence, language)  # type: ignore[arg-type]
    # The same claim said outright is asserted.
    [plain] = sentences(text.split("que ", 1)[-1] if language == "fr" else text.split(" is that ")[-1].split("think that ")[-1], language)  # type: ignore[arg-type]
    assert asserts(phrase(key_phrase, language), plain, language)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "therefore" / "donc" inside a clause is an adverb: the claim is one clause...
        ("en", "The predicted probability is therefore a linear function of the features.", "the probability is a linear function", "stated"),
        ("fr", "La probabilité prédite est donc une fonction linéaire des variables.", "la probabilité est une fonction linéaire", "stated"),
        # ... while after a comma or "and" / "et" it opens a new one, and ends a negation's scope.
        ("en", "The model is not linear, therefore the probability is a linear function.", "the probability is a linear function", "stated"),
        ("fr", "Le modèle n'est pas linéaire et donc la probabilité est une fonction linéaire.", "la probabilité est une fonction linéaire", "stated"),
    ],
)
def test_a_consequence_adverb_inside_a_clause_does_not_cut_it(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A lone term is denied by a negation that reaches it...
        ("en", "K-means has no inertia.", "inertia", "contradicted"),
        ("en", "Logistic regression does not use a sigmoid.", "sigmoid", "contradicted"),
        ("fr", "La régression logistique n'utilise pas de sigmoïde.", "sigmoïde", "contradicted"),
        ("fr", "Le k-means n'a pas d'inertie.", "inertie", "contradicted"),
        # ... not by one that denies a change of it: the term is named, not denied.
        ("en", "Neither step can increase the inertia.", "inertia", None),
        ("fr", "Aucune étape ne peut augmenter l'inertie.", "inertie", None),
        ("en", "Adding trees does not raise the variance.", "variance", None),
        ("fr", "Ajouter des arbres n'augmente pas la variance.", "variance", None),
        # ... nor by one far from it, whose object it is only part of.
        ("en", "Adam does not store a full matrix of second derivatives like Newton.", "newton", None),
        ("fr", "Adam ne stocke pas une matrice complète de dérivées secondes comme Newton.", "newton", None),
        ("en", "Adam does not use momentum.", "momentum", "contradicted"),
        ("fr", "Adam n'utilise pas de momentum.", "momentum", "contradicted"),
    ],
)
def test_a_negation_denies_a_lone_term_not_a_change_of_it(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase"),
    [
        # A clause opened by a comparison is about the other thing: it states and denies nothing.
        ("en", "K-means needs no labels, unlike supervised classification.", "supervised classification"),
        ("fr", "Contrairement à la classification supervisée, le k-means n'a pas besoin d'étiquettes.", "classification supervisée"),
    ],
)
def test_a_comparison_speaks_of_the_other_thing(language: str, text: str, key_phrase: str) -> None:
    assert polarity(text, key_phrase, language) is None


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A relative clause right after a comparison belongs to it...
        ("en", "Unlike bagging, which reduces variance, boosting mostly reduces bias.", "reduces variance", None),
        ("fr", "Contrairement au bagging, qui réduit la variance, le boosting réduit surtout le biais.", "réduit la variance", None),
        # ... while "whereas", "alors que" open the answer's own claim.
        ("en", "K-means needs k in advance, whereas it is also sensitive to outliers.", "sensitive to outliers", "stated"),
        ("fr", "Il faut fixer k, alors qu'il reste sensible à l'initialisation.", "sensible à l'initialisation", "stated"),
    ],
)
def test_a_comparison_covers_its_relative_clause_and_no_more(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


def test_a_purpose_asserts_nothing_either_way() -> None:
    [sentence] = sentences("We restart k-means several times in order to find the global optimum.", "en")
    assert not asserts(phrase("finds the global optimum", "en"), sentence, "en")


def test_a_lone_opposite_is_another_topic_not_a_denial() -> None:
    # "Logistic regression" names regression; it does not deny "classification".
    assert polarity("Logistic regression is widely used.", "classification") is None


def test_french_elisions_split_so_ne_pas_is_one_negation() -> None:
    assert tokens("n'utilise pas") == ["n'", "utilise", "pas"]
    words = tuple(tokens("Elle n'utilise pas de sigmoïde"))
    assert len(negation_positions(words, "fr")) == 1


def test_clauses_end_at_punctuation_and_scope_breakers() -> None:
    [sentence] = sentences("L2 does not produce zeros, but it shrinks weights.", "en")
    found = clauses(sentence, "en")
    assert [c.negated for c in found] == [True, False]


@pytest.mark.parametrize(
    ("language", "text", "negated"),
    [
        ("en", "The compiler makes one when none is defined.", True),
        ("en", "If a class defines one, the compiler makes none.", False),
        ("en", "Unless a constructor is defined, the compiler makes one.", True),
        ("en", "The compiler makes one.", None),
        ("fr", "Le compilateur en crée un lorsqu'aucun n'est défini.", True),
        ("fr", "Si la classe en définit un, le compilateur n'en crée pas.", False),
        ("fr", "À moins qu'un constructeur soit défini, le compilateur en crée un.", True),
        ("fr", "À moins de définir un constructeur, on en obtient un par défaut.", True),
        ("fr", "Le compilateur en crée un.", None),
    ],
)
def test_the_condition_a_claim_is_made_under(language: str, text: str, negated: bool | None) -> None:
    """"When none is defined" is a negated condition, "unless" too; a plain claim has none."""
    [sentence] = sentences(text, language)  # type: ignore[arg-type]
    found = clauses(sentence, language)  # type: ignore[arg-type]
    [claim] = [c for c in found if not c.condition]
    condition = condition_for(sentence, claim, language)  # type: ignore[arg-type]
    assert (None if condition is None else condition.condition_negated) is negated
    assert len(found) == (1 if negated is None else 2)


def test_a_condition_holds_for_the_claim_beside_it_not_the_whole_sentence() -> None:
    [sentence] = sentences("If none is defined, the compiler makes one; the class then compiles.", "en")
    found = clauses(sentence, "en")
    assert [condition_for(sentence, c, "en") for c in found if not c.condition] == [found[0], None]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_cue_and_opposite_data_exist_in_both_languages(language: str) -> None:
    assert cues(language).words and cues(language).scope_breakers and cues(language).ignored
    assert cues(language).conditions and cues(language).negative_conditions
    assert len(opposites(language)) >= 40


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A negated verb that would change or lose its object keeps it: nothing is denied...
        ("en", "Taking the log turns the product into a sum without changing the argmax.", "argmax", None),
        ("fr", "On passe au logarithme, qui transforme le produit en somme sans changer l'argmax.", "argmax", None),
        ("en", "Use a smaller learning rate so you don't wipe out the pretrained features.", "pretrained features", None),
        ("fr", "On ajuste le réseau avec un petit taux d'apprentissage, qui n'efface pas les poids pré-entraînés.", "poids pré-entraînés", None),
        # ... while a negated verb that uses or has it still denies it.
        ("en", "The model does not use the pretrained features.", "pretrained features", "contradicted"),
        ("fr", "Le modèle n'utilise pas les poids pré-entraînés.", "poids pré-entraînés", "contradicted"),
        # Wasting or touching something is a change of it too: "without wasting data" keeps the data.
        ("en", "K-fold estimates generalisation without wasting data on a single validation split.", "data", None),
        ("fr", "La validation croisée estime la généralisation sans gaspiller de données.", "données", None),
        ("en", "A new architecture is a new class in a registry, without touching the trainer.", "trainer", None),
        ("fr", "Ajouter une architecture, c'est enregistrer une classe sans toucher au Trainer.", "trainer", None),
    ],
)
def test_a_negated_change_keeps_its_object(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "Depends only through" agrees with "independent": a restricted claim is not reversed...
        ("en", "The future depends on the past only through the present state.", "independent of the past", None),
        ("fr", "Le futur ne dépend du passé qu'à travers l'état présent.", "indépendant du passé", None),
        # ... an unrestricted one is.
        ("en", "The future depends on the past.", "independent of the past", "contradicted"),
        ("fr", "Le futur dépend du passé.", "indépendant du passé", "contradicted"),
    ],
)
def test_a_restricted_claim_with_the_opposite_word_is_not_its_contrary(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # Another form of the phrase's word beside its opposite relates the two, it reverses nothing...
        ("en", "So maximum likelihood for w is minimising the squared errors.", "maximise the likelihood", None),
        ("fr", "Donc le maximum de vraisemblance revient à minimiser les carrés des erreurs.", "maximiser la vraisemblance", None),
        # ... the opposite alone still reverses the claim.
        ("en", "The model minimises the likelihood.", "maximise the likelihood", "contradicted"),
        ("fr", "Le modèle minimise la vraisemblance.", "maximiser la vraisemblance", "contradicted"),
    ],
)
def test_an_opposite_beside_another_form_of_the_word_is_no_reversal(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A word of degree after the negation qualifies the claim: nothing is denied...
        ("en", "Expansion: at a node that isn't fully expanded, add a child.", "expand a node", None),
        ("fr", "À un nœud qui n'est pas complètement développé, on ajoute un enfant.", "nœud développé", None),
        ("en", "Accuracy is not always a good metric.", "accuracy is a good metric", None),
        ("fr", "L'accuracy n'est pas toujours une bonne métrique.", "l'accuracy est une bonne métrique", None),
        # ... unless the word of degree is the phrase's own: then the negation denies it.
        ("en", "Accuracy is not always a good metric.", "accuracy is always a good metric", "contradicted"),
        ("fr", "L'accuracy n'est pas toujours une bonne métrique.", "l'accuracy est toujours une bonne métrique", "contradicted"),
    ],
)
def test_a_negation_qualified_by_a_word_of_degree_denies_nothing(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "and" before a new subject ends the negation's scope...
        ("en", "The symmetry is never broken and each layer behaves like a single neuron.", "like a single neuron", "stated"),
        ("fr", "La symétrie n'est jamais brisée et chaque couche se comporte comme un seul neurone.", "comme un seul neurone", "stated"),
        # ... "and" before another verb of the same subject does not.
        ("en", "It cannot overfit and has a single neuron.", "has a single neuron", "contradicted"),
        ("fr", "Il ne surapprend pas et utilise un seul neurone.", "utilise un seul neurone", "contradicted"),
    ],
)
def test_and_before_a_new_subject_ends_a_negation(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "without" denies its own phrase...
        ("en", "The encoder is trained without labels and converges fast.", "trained with labels", "contradicted"),
        ("fr", "L'encodeur est entraîné sans étiquettes et converge vite.", "étiquettes", "contradicted"),
        # ... not the verb joined after it by "and", which the sentence's subject does.
        ("en", "Ridge shrinks all the weights without zeroing them and spreads the weight across correlated features.",
         "spreads the weight across correlated features", "stated"),
        ("fr", "La L2 rétrécit tous les poids sans les annuler et répartit le poids entre variables corrélées.",
         "répartit le poids entre variables corrélées", "stated"),
    ],
)
def test_without_denies_its_own_phrase_not_the_verb_joined_after_it(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # After ";" a statement with a subject of its own says nothing of the first clause's subject...
        ("en", "L2 shrinks the weights; L1 sets many of them exactly to zero.", "l2 sets weights exactly to zero", None),
        ("fr", "La L2 réduit les poids ; la L1 en met beaucoup exactement à zéro.", "la L2 met les poids exactement à zéro", None),
        # ... one that opens with a pronoun still speaks of it.
        ("en", "The likelihood is a function of the parameters; it is the posterior over the parameters.", "likelihood is the posterior", "stated"),
        ("fr", "La vraisemblance est une fonction des paramètres ; c'est la loi a posteriori des paramètres.",
         "la vraisemblance est la loi a posteriori", "stated"),
    ],
)
def test_after_a_semicolon_the_subject_carries_over_only_to_a_pronoun(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "without" opening a statement after ";" or ":" is a condition, as at a sentence's start...
        ("en", "The dot product has variance d; without scaling the logits grow with d.", "logits grow with d", None),
        ("fr", "Le produit scalaire a une variance d ; sans normalisation les logits croissent avec d.", "logits croissent avec d", None),
        # ... inside a clause it denies.
        ("en", "The dot product has variance d, and the model trains without scaling.", "scaling", "contradicted"),
        ("fr", "Le produit scalaire a une variance d, et le modèle s'entraîne sans normalisation.", "normalisation", "contradicted"),
    ],
)
def test_without_opening_a_statement_is_a_condition(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A negation after a verb of checking is what is checked: the check is stated...
        ("en", "Before fixing anything I check it isn't leakage between the splits.", "check for leakage", "stated"),
        ("fr", "Avant de corriger quoi que ce soit, je vérifie qu'il n'y a pas de fuite entre les jeux.", "vérifie la fuite", "stated"),
        # ... and another phrase of the checked clause is neither stated nor denied.
        ("en", "I make sure the test set is not used for tuning.", "used for tuning", None),
        ("fr", "Je m'assure que le jeu de test n'est pas utilisé pour le réglage.", "utilisé pour le réglage", None),
        # A negated check still denies it, and a negation with no check before it still denies.
        ("en", "I never check for leakage before training.", "check for leakage", "contradicted"),
        ("fr", "Je ne vérifie jamais la fuite avant l'entraînement.", "vérifie la fuite", "contradicted"),
        ("en", "There is no leakage to check between the splits.", "leakage", "contradicted"),
        ("fr", "Il n'y a pas de fuite entre les jeux.", "fuite", "contradicted"),
    ],
)
def test_a_negation_after_a_verb_of_checking_is_what_is_checked(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # "and" before a new subject opens a new statement, still under the condition it is joined to...
        ("en", "Accuracy is fine when the classes are balanced and every error costs the same.", "errors have different costs", None),
        ("en", "The model is fine when the data is clean and each feature does not drift.", "feature drifts", None),
        ("fr", "Le modèle convient quand les données sont propres et chaque variable ne dérive pas.", "variable dérive", None),
        # ... and without a condition, that statement still denies.
        ("en", "The data is clean and each feature does not drift.", "feature drifts", "contradicted"),
        ("fr", "Les données sont propres et chaque variable ne dérive pas.", "variable dérive", "contradicted"),
    ],
)
def test_a_clause_joined_by_and_stays_under_its_condition(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A verb of preventing denies the verb after its particle: the mask is no misconception...
        ("en", "A causal mask prevents each position from attending to future tokens.", "attends to future tokens", "contradicted"),
        ("fr", "Un masque causal empêche chaque position de regarder les jetons futurs.", "regarde les jetons futurs", "contradicted"),
        # ... a negated prevention lets it happen, and neither states nor denies it...
        ("en", "Weight decay does not stop the model from overfitting on its own.", "the model overfits", None),
        ("fr", "La régularisation n'empêche pas le modèle de surapprendre à elle seule.", "le modèle surapprend", None),
        # ... a phrase that names the prevention itself is stated, and the particle denies only its verb's phrase...
        ("en", "It prevents units from co-adapting.", "prevents co-adaptation", "stated"),
        ("fr", "Ça empêche les unités de se co-adapter.", "empêche la co-adaptation", "stated"),
        ("en", "It stops units from co-adapting and acts like an ensemble of thinned networks.", "acts like an ensemble", "stated"),
        ("fr", "Ça empêche les unités de se co-adapter et agit comme un ensemble de sous-réseaux.", "agit comme un ensemble", "stated"),
        # ... a negated prevention that the phrase names is still denied...
        ("en", "Dropout does not prevent co-adaptation.", "prevents co-adaptation", "contradicted"),
        ("fr", "Le dropout n'empêche pas le surapprentissage.", "empêche le surapprentissage", "contradicted"),
        # ... a particle reaches no further than its verb's clause, and a noun after it is no verb...
        ("en", "It prevents overfitting; from training onwards the loss falls.", "the loss falls", "stated"),
        ("fr", "Le dropout empêche le surapprentissage de notre modèle.", "notre modèle", "stated"),
        ("fr", "Le dropout empêche la fuite de mémoire.", "fuite de mémoire", "stated"),
        # ... "keep ... from" retains rather than prevents...
        ("en", "Batch norm keeps the running statistics from training.", "running statistics from training", "stated"),
        # ... and without a verb after the particle, what is prevented is left as said.
        ("en", "A time-based split prevents data leakage from the future.", "data leakage", "stated"),
        ("fr", "Le découpage temporel empêche la fuite de données du futur.", "fuite de données", "stated"),
    ],
)
def test_a_verb_of_preventing_denies_the_verb_after_its_particle(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A comparison claims a difference, not the contrary level: the actor-critic's variance is
        # lower than REINFORCE's, which says nothing against REINFORCE's high variance.
        ("fr", "Les méthodes acteur-critique échangent un peu de biais contre une variance beaucoup plus faible.", "forte variance", None),
        ("fr", "REINFORCE a une variance plus faible.", "forte variance", None),
        ("en", "The more different your target domain is, the more layers you can freeze.", "similar domain", None),
        # The level itself is still its contrary, and a comparison still reverses a comparison.
        ("fr", "REINFORCE a une variance faible.", "forte variance", "contradicted"),
        ("en", "REINFORCE has low variance.", "high variance", "contradicted"),
        ("fr", "Le modèle a une variance plus élevée.", "variance plus faible", "contradicted"),
    ],
)
def test_a_comparison_is_not_the_contrary_of_a_level(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected
