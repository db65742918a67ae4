"""A French answer glossed into English for the learned reader: the lexicon's words and the function
words in English, negations kept, punctuation kept, and unknown words left as written."""

from __future__ import annotations

from interviewer.assessment import lexicon
from interviewer.assessment.gloss import english_gloss


def test_lexicon_words_and_function_words_come_out_in_english() -> None:
    gloss = english_gloss("La méthode stocke les données d'entraînement et vote entre les voisins.")
    assert gloss.startswith("the method")
    assert "data" in gloss and "and" in gloss and "between" in gloss
    assert gloss.endswith(".")
    # Plurals and feminine forms of a listed word are read as the word.
    assert "feature" in english_gloss("les variables")


def test_an_expression_of_the_lexicon_is_read_whole() -> None:
    # The longest French rendering wins: « plus proches voisins » is one English term, not "more close neighbours".
    assert "plus proches voisins" in lexicon.entries()["k-nn"]
    assert english_gloss("les plus proches voisins") == "the k-nn"


def test_a_negation_stays_a_negation() -> None:
    # What the reader most needs: a denied claim must not read as the claim.
    assert english_gloss("Le modèle ne converge pas.") == "the model converges not."
    assert "no longer" in english_gloss("La méthode ne marche plus en grande dimension.")
    assert "more" in english_gloss("Il faut plus de données.")  # « plus » without « ne » is "more"
    assert "never" in english_gloss("Le gradient ne s'annule jamais.")
    assert "only" in english_gloss("Elle n'est utile que pour la classification.")


def test_words_neither_file_knows_stay_as_written() -> None:
    assert "zorglub" in english_gloss("Le zorglub converge.")
    assert english_gloss("") == ""


def test_every_entry_of_the_table_is_a_word_not_a_yaml_boolean() -> None:
    # YAML reads bare on/yes/no as booleans: « sur » must gloss as "on", « aucun » as "no".
    assert english_gloss("sur aucun point") == "on no point"
    assert "we" in english_gloss("on entraîne")
