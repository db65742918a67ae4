"""Finding the glossary's entries in a text: every entry named is found, and only those."""

from __future__ import annotations

from interviewer.assessment.glossary import glossary, glossary_entries_in


def test_every_glossary_entry_named_in_a_text_is_found_whatever_its_spelling() -> None:
    # The entries' own names and aliases, inside sentences, in both languages: the literal
    # pre-check that skips most patterns must never skip one that matches.
    for entry in glossary():
        for name in (entry.name, *entry.aliases):
            for text in (f"I would use {name} here.", f"J'utiliserais {name.upper()} ici."):
                assert entry in glossary_entries_in(text), (entry.name, text)


def test_the_pre_check_finds_exactly_what_every_pattern_would() -> None:
    texts = [entry.definition for entry in glossary()] + [
        "An RL agent in a POMDP reads past_key_values; ML models, t-SNE and k-means.",
        "Un agent d'apprentissage par renforcement et une fonction de valeur.",
    ]
    for text in texts:
        assert glossary_entries_in(text) == [e for e in glossary() if e.pattern.search(text)], text
