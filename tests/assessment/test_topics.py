"""A question whose subject the candidate chooses ("present an algorithm you know well"): the
key points are the parts of a good answer, the facts are those of the subject it names first,
and an answer about a subject the scorer has no facts for is not assessed on content; in both
languages."""

from __future__ import annotations

import json

import pytest

from interviewer.assessment.content import measure
from interviewer.assessment.topics import topic_named
from interviewer.assessment.text import sentences
from interviewer.assessment.scoring import assess
from interviewer.catalog.fields import Localized, Phrases
from interviewer.catalog.personas import Question
from interviewer.catalog.rubrics import KeyPoint, Misconception, QuestionKey, Topic
from interviewer.catalog.loading import load_catalog
from interviewer.ops.settings import PROJECT_ROOT

PARTS = [
    KeyPoint(label="states the problem it solves", en=["used for", "clustering", "classification"], fr=["sert à", "clustering", "classification"]),
    KeyPoint(label="names its limitations", en=["limitation", "does not work", "fails when"], fr=["limite", "ne fonctionne pas", "échoue"]),
]
KMEANS = Topic(
    id="k-means",
    names=Phrases(en=["k-means"], fr=["k-means", "k-moyennes"]),
    key_points=[
        KeyPoint(label="groups unlabelled points into k clusters", en=["unsupervised", "groups of points"], fr=["non supervisé", "groupes de points"]),
        KeyPoint(label="assigns each point to its nearest centroid", en=["nearest centroid", "closest centroid"], fr=["centroïde le plus proche"]),
    ],
    misconceptions=[
        Misconception(
            en=["finds the global optimum"], fr=["trouve l'optimum global"],
            correction=Localized(en="It finds a local minimum only.", fr="Il ne trouve qu'un minimum local."),
        )
    ],
)
TREE = Topic(
    id="decision-tree",
    names=Phrases(en=["decision tree"], fr=["arbre de décision"]),
    key_points=[KeyPoint(label="splits on one feature at a time", en=["splits on a feature"], fr=["coupe sur une variable"])],
)
QUESTION = "Present an algorithm you know well."


def run(text: str, language: str = "en"):  # type: ignore[no-untyped-def]
    return measure(
        text, question_text=QUESTION, key_points=PARTS, reference_answer=None, language=language,  # type: ignore[arg-type]
        chosen_from=[TREE, KMEANS], use_model=False,
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "K-means is used for clustering: it is unsupervised. It assigns each point to the nearest centroid. "
               "Its limitation is that it does not work on elongated clusters, unlike a decision tree."),
        ("fr", "Les k-moyennes servent au clustering : c'est non supervisé. Chaque point va au centroïde le plus proche. "
               "Sa limite est qu'il ne fonctionne pas sur des clusters allongés, contrairement à un arbre de décision."),
    ],
)
def test_the_subject_named_first_is_the_one_whose_facts_are_checked(language: str, text: str) -> None:
    m = run(text, language)
    assert m.topic is KMEANS and not m.unknown_topic
    # "does not work" names a limitation: a negation in a part of the answer contradicts nothing.
    assert not m.contradictions and not m.misconceptions
    assert all(p in m.covered for p in PARTS + KMEANS.key_points) and m.content == 1.0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "K-means is used for classification. A point never goes to the nearest centroid, and it always finds the global optimum. "
               "Its limitation is the memory."),
        ("fr", "Les k-moyennes servent à la classification. Un point ne va jamais au centroïde le plus proche, et il trouve l'optimum global. "
               "Sa limite est la mémoire."),
    ],
)
def test_a_fluent_wrong_presentation_earns_nothing_for_its_structure(language: str, text: str) -> None:
    m = run(text, language)
    assert m.topic is KMEANS
    assert m.misconceptions
    # A sentence is corrected once: as the misconception it states, not also as the point it denies.
    assert not {c.quote for c in m.contradictions} & {f.quote for f in m.misconceptions}
    # Both parts of a presentation are there, but its facts are wrong: the content is nil.
    assert all(p in m.covered for p in PARTS) and m.content == 0.0


def test_the_parts_without_the_facts_earn_nothing() -> None:
    m = run("K-means is used for clustering. Its limitation is speed.")
    assert m.topic is KMEANS and all(p in m.covered for p in PARTS) and m.content == 0.0


def test_an_answer_naming_no_known_subject_leaves_its_facts_unchecked() -> None:
    m = run("Naive Bayes is used for classification. Its limitation is the independence assumption.")
    assert m.topic is None and m.unknown_topic and not m.facts


def test_without_topics_nothing_changes() -> None:
    m = measure("K-means does not work on elongated clusters.", question_text=QUESTION, key_points=PARTS,
                reference_answer=None, language="en", use_model=False)
    assert m.topic is None and not m.unknown_topic and m.contradictions


def test_a_stated_misconception_costs_more_than_a_covered_point_earns() -> None:
    right = run("K-means is used for clustering. It is unsupervised and assigns each point to the nearest centroid. Its limitation is speed.")
    wrong = run("K-means is used for clustering. It is unsupervised and assigns each point to the nearest centroid. Its limitation is speed. "
                "It finds the global optimum.")
    assert right.content == 1.0 and wrong.misconceptions and wrong.content <= 0.5


# ---------------------------------------------------------------- through the scorer


CATALOG = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
PERSONA = CATALOG.personas["technical-ml"]
RUBRIC = CATALOG.rubric_for(PERSONA)


def test_the_shipped_round_checks_facts_of_the_usual_algorithms() -> None:
    key: QuestionKey = RUBRIC.questions["tml-present-algorithm"]
    assert len(key.topics) >= 12
    assert all(len(t.key_points) >= 4 and t.misconceptions for t in key.topics)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_content_criteria_of_an_unknown_subject_are_not_assessed_offline(language: str) -> None:
    text = {
        "en": "The Hungarian algorithm is used for assignment problems. It works by reducing the cost matrix row by row. "
              "Its limitation is a cubic complexity, compared to a greedy matching.",
        "fr": "L'algorithme hongrois sert aux problèmes d'affectation. Il fonctionne en réduisant la matrice de coûts ligne par ligne. "
              "Sa limite est une complexité cubique, par rapport à un appariement glouton.",
    }[language]
    question: Question = PERSONA.question("tml-present-algorithm")
    a = assess(thread=text, latest=text, question=question, rubric=RUBRIC, language=language, min_words=5, use_model=False)  # type: ignore[arg-type]
    by_id = {s.criterion_id: s for s in a.scores}
    assert not by_id["correctness"].assessed and not by_id["depth"].assessed
    assert by_id["correctness"].rationale.startswith("Not assessed offline")
    assert by_id["clarity"].assessed
    assert "correctness" not in a.lacking


# Presentations of each shipped topic, in both languages, written with the topics' data and checked
# against it: correct ones (two wordings), fluent wrong ones, and correct ones that use negations.
PRESENTATIONS = json.loads((PROJECT_ROOT / "tests" / "data" / "topics" / "presentations.json").read_text(encoding="utf-8"))


def overall(a) -> float:  # type: ignore[no-untyped-def]
    """The report's overall for one question: the assessed criteria, weighted."""
    assessed = [s for s in a.scores if s.assessed]
    return sum(s.score * RUBRIC.criterion(s.criterion_id).weight for s in assessed) / sum(RUBRIC.criterion(s.criterion_id).weight for s in assessed)


@pytest.mark.parametrize("case", PRESENTATIONS, ids=lambda c: f"{c['topic']}-{c['language']}-{c['kind']}")
def test_each_topic_tells_a_correct_presentation_from_a_fluent_wrong_one(case: dict[str, str]) -> None:
    question: Question = PERSONA.question("tml-present-algorithm")
    a = assess(thread=case["text"], latest=case["text"], question=question, rubric=RUBRIC, language=case["language"], min_words=5)  # type: ignore[arg-type]
    correctness = next(s for s in a.scores if s.criterion_id == "correctness")
    named = topic_named(sentences(case["text"], case["language"]), RUBRIC.questions["tml-present-algorithm"].topics, case["language"])  # type: ignore[arg-type]
    assert correctness.assessed and named is not None and named.id == case["topic"]
    if case["kind"] == "wrong":
        assert overall(a) < 2.5 and correctness.score <= 2 and (a.contradictions or a.misconceptions)
    else:
        # Right, and right with truthful negations ("it needs no labels"): nothing is called wrong.
        assert not a.contradictions and not a.misconceptions
        if case["kind"].startswith("right"):
            assert overall(a) >= 3.5


KMEANS_RIGHT = (
    "K-means is an unsupervised clustering algorithm that splits the data into k groups. It works by alternating two steps: "
    "assign each point to its nearest centroid, then move each centroid to the mean of its points, until the assignments stop changing. "
    "The objective it minimises is the within-cluster sum of squared distances. Its limitations are that k must be chosen in advance "
    "and the result depends on the initialisation, so we use k-means++ and several restarts. Each iteration costs order n times k times d."
)


def test_a_wrong_statement_costs_a_level_and_caps_the_content_at_two() -> None:
    question: Question = PERSONA.question("tml-present-algorithm")

    def correctness(text: str) -> int:
        a = assess(thread=text, latest=text, question=question, rubric=RUBRIC, language="en", min_words=5)
        return next(s.score for s in a.scores if s.criterion_id == "correctness")

    assert correctness(KMEANS_RIGHT) == 5
    # Right on every fact but one mistake: capped at 2.
    assert correctness(KMEANS_RIGHT + " It always finds the global optimum.") == 2
    # Little right and a mistake: the mistake costs the level that was left.
    assert correctness("K-means is an unsupervised clustering algorithm. It always finds the global optimum.") == 1
    # Right on every fact but two mistakes: the central claims are wrong, level 1.
    assert correctness(KMEANS_RIGHT + " It always finds the global optimum. It determines k automatically.") == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_two_wrong_sentences_bring_a_fluent_presentation_under_the_bar(language: str) -> None:
    text = {
        "en": KMEANS_RIGHT + " It always finds the global optimum. It determines k automatically.",
        "fr": "K-means est un algorithme de clustering qui partitionne les données en k groupes. Il alterne l'affectation de chaque point "
              "au centroïde le plus proche et la mise à jour des centroïdes, en minimisant la somme des distances au carré dans chaque "
              "cluster. Il trouve toujours l'optimum global. Il détermine k automatiquement.",
    }[language]
    a = assess(thread=text, latest=text, question=PERSONA.question("tml-present-algorithm"), rubric=RUBRIC, language=language, min_words=5)
    scores = {s.criterion_id: s.score for s in a.scores if s.assessed}
    assert len({f.quote for f in a.misconceptions + a.contradictions}) >= 2
    assert scores["correctness"] == 1 and scores["depth"] == 1


@pytest.mark.parametrize(
    ("language", "text", "presented"),
    [
        # A comparison names the other subject.
        ("en", "Unlike linear regression, which predicts a number, logistic regression is a classifier.", "logistic-regression"),
        ("fr", "Contrairement à la régression linéaire, la régression logistique est un classifieur.", "logistic-regression"),
        # A word that announces the subject wins over a subject named before it.
        ("en", "A single decision tree overfits easily, so I will present the random forest.", "random-forest"),
        ("fr", "Un arbre de décision seul surapprend, donc je vais vous présenter la forêt aléatoire.", "random-forest"),
        # A name inside a longer one is part of it.
        ("en", "A convolutional neural network is made for images.", "cnn"),
        ("fr", "Un réseau de neurones récurrent traite des séquences.", "rnn"),
    ],
)
def test_the_subject_presented_is_told_from_the_ones_it_is_compared_with(language: str, text: str, presented: str) -> None:
    named = topic_named(sentences(text, language), RUBRIC.questions["tml-present-algorithm"].topics, language)  # type: ignore[arg-type]
    assert named is not None and named.id == presented



def _assess(text: str, language: str = "en"):  # type: ignore[no-untyped-def]
    question: Question = PERSONA.question("tml-present-algorithm")
    return assess(thread=text, latest=text, question=question, rubric=RUBRIC, language=language, min_words=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I don't know."),
        ("en", "I do not really know any algorithm well enough to present one, sorry, I would rather skip this question."),
        ("fr", "Je ne sais pas, je préfère passer cette question."),
    ],
)
def test_an_answer_that_presents_nothing_is_scored_not_left_unassessed(language: str, text: str) -> None:
    a = _assess(text, language)
    content = [s for s in a.scores if s.criterion_id in ("correctness", "depth")]
    assert content and all(s.assessed and s.score == 1 for s in content)


@pytest.mark.parametrize(
    "text",
    [
        # The subject is unknown; the known one is only compared with, or named in passing.
        "Mean shift is a mode-seeking clustering algorithm. Unlike k-means, it finds clusters of arbitrary shape and is robust to outliers. "
        "It works by moving each point towards the mean of its neighbours within a bandwidth until it reaches a density peak. Its limitation "
        "is that one bandwidth does not fit clusters of different scales, and its cost is quadratic in the number of points.",
        "I will present mean shift, which finds clusters of arbitrary shape that k-means cannot. It works by moving each point towards the "
        "mean of its neighbours within a bandwidth. Its limitation is that one bandwidth does not fit clusters of different scales.",
    ],
)
def test_an_unknown_subject_is_not_judged_by_the_facts_of_one_it_mentions(text: str) -> None:
    a = _assess(text)
    assert not a.misconceptions and not a.contradictions
    assert not next(s for s in a.scores if s.criterion_id == "correctness").assessed


def test_a_later_sentence_does_not_change_the_subject_presented() -> None:
    text = (
        "A random forest averages many decision trees trained on bootstrap samples, each split drawn from a random subset of features. "
        "I picked it over a single decision tree, whose variance present in every split makes it overfit."
    )
    assert topic_named(sentences(text, "en"), RUBRIC.questions["tml-present-algorithm"].topics, "en").id == "random-forest"  # type: ignore[union-attr]


def test_a_name_is_matched_as_words_not_as_a_stem() -> None:
    # "transforms" is not the transformer; "recurrence" is not a recurrent network.
    text = "UMAP transforms the data into two dimensions with a recurrence on the neighbour probabilities."
    assert topic_named(sentences(text, "en"), RUBRIC.questions["tml-present-algorithm"].topics, "en") is None


def test_a_comparison_still_shows_the_part_of_a_presentation_it_is() -> None:
    a = _assess(KMEANS_RIGHT + " Unlike DBSCAN, it cannot find clusters of arbitrary shape.")
    assert "compares with an alternative" in a.covered_key_points and not a.contradictions


def test_one_wrong_sentence_costs_once_whatever_it_breaks() -> None:
    question: Question = PERSONA.question("tml-present-algorithm")
    key = RUBRIC.questions["tml-present-algorithm"]
    once = measure(KMEANS_RIGHT + " It always finds the global optimum.", question_text=question.text.en, key_points=key.key_points,
                   reference_answer=None, language="en", misconceptions=key.misconceptions, chosen_from=key.topics, use_model=False)
    assert once.misconceptions and 0.5 < once.content < 1.0
