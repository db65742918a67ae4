"""What an answer said, read without a model: the material follow-ups take up."""

from __future__ import annotations

from dataclasses import replace

from interviewer.assessment import mentions


def test_terms_numbers_choice_and_example_are_read_from_the_answer() -> None:
    said = mentions.read_answer(
        "I chose XGBoost over a transformer because the data was tabular. It reached 0.93 AUC in 2021, "
        "a 12% lift. For example, in my last project we ranked support tickets.",
        language="en", question="Present an algorithm of your choice.",
    )
    assert said.terms[0] == "XGBoost" and "transformer" in said.terms
    assert said.numbers == ["0.93", "12%"], "a year is a date, not a result"
    assert said.choice == ("XGBoost", "transformer")
    assert said.example == "your last project"
    assert said.gave() >= {"result", "example", "choice"}


def test_french_choice_and_example() -> None:
    said = mentions.read_answer(
        "J'ai choisi la régression logistique plutôt que les forêts aléatoires, par exemple un filtre anti-spam, simple à expliquer.",
        language="fr",
    )
    assert said.choice == ("régression logistique", "forêts aléatoires")
    assert said.example == "un filtre anti-spam"
    assert said.language == "fr"


def test_ordinary_words_are_not_taken_for_terms() -> None:
    said = mentions.read_answer("Maybe, I think, but I don't remember the details, it really matters.", language="en")
    assert said.terms == []
    assert said.dont_know and "truth" in said.gave(), "after 'I don't know', never 'is that always true?'"


def test_language_question_back_and_end_of_presentation() -> None:
    assert mentions.detect_language("Je pense que la régularisation aide contre le surapprentissage du modèle.") == "fr"
    assert mentions.detect_language("I think regularisation helps the model against overfitting.") == "en"
    assert mentions.detect_language("XGBoost, AUC.") is None
    assert mentions.asks_question("Sorry, what do you mean by calibration? Is it about probabilities?")
    assert not mentions.asks_question("Calibration is about probabilities. Does it matter? Yes, for decisions, because costs differ.")
    assert mentions.read_answer("And that's all.", language="en").done
    assert mentions.read_answer("Voilà, c'est tout pour ma présentation.", language="fr").done


def test_a_repeated_answer_is_noticed() -> None:
    first = "Bagging trains trees on bootstrap samples and averages them, which reduces the variance of the forest."
    assert mentions.repeats(first + " ", [first], language="en")
    assert not mentions.repeats("Boosting fits trees one after another on the residual errors of the ensemble.", [first], language="en")


def test_slots_are_filled_or_the_template_is_refused() -> None:
    slots = {"choice": "XGBoost", "alternative": "a transformer"}
    assert mentions.fill("You chose {choice} over {alternative}.", slots) == "You chose XGBoost over a transformer."
    assert mentions.fill("Where does {number} come from?", slots) is None
    assert mentions.slots_of("{term} and {number}") == {"term", "number"}


def test_a_hedge_ending_in_a_question_mark_is_not_a_question_to_the_interviewer() -> None:
    assert not mentions.asks_question("Honestly I'm not sure, maybe something with the prior?")
    assert mentions.asks_question("Is the internship remote?")
    assert mentions.asks_to_clarify("Sorry, could you clarify what you mean by posterior here?")
    assert not mentions.asks_to_clarify("Is the internship remote?")


def test_a_choice_made_with_a_pronoun_names_the_technique_said_before() -> None:
    said = mentions.read_answer("I'll present random forests. I chose them over gradient boosting for fraud.", language="en")
    assert said.choice == ("random forests", "gradient boosting")


def test_terms_never_span_punctuation() -> None:
    said = mentions.read_answer("The trees are decorrelated, averaging them reduces the variance.", language="en")
    assert not any("," in t or "decorrelated averaging" in t for t in said.terms)




def test_a_choice_is_read_whatever_the_case_of_its_connecting_words() -> None:
    # The quick pre-check before the choice patterns must not miss what they match case-blind.
    for text in ("I chose XGBoost INSTEAD OF a transformer.", "I chose XGBoost İnstead of a transformer.", "I chose XGBoost Over a transformer."):
        assert mentions.read_answer(text, language="en").choice == ("XGBoost", "transformer"), text
    assert mentions.read_answer("J'ai choisi XGBoost PLUTÔT QUE un transformer.", language="fr").choice is not None


def test_an_answers_terms_are_read_once_and_only_when_a_probe_needs_them() -> None:
    said = mentions.read_answer("I chose XGBoost over a random forest because boosting handled the imbalance.", language="en")
    reads: list[int] = []
    lazy = replace(said, read_terms=lambda: reads.append(1) or ["XGBoost"])
    assert not reads and lazy.choice == ("XGBoost", "random forest")  # the engine's other readings need no terms
    assert lazy.slots()["term"] == "XGBoost" and lazy.terms == ["XGBoost"]
    assert reads == [1]
    assert said.terms[0] == "XGBoost"
