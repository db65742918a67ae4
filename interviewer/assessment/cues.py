"""Negation cues and opposites, read once per language from the bilingual data files
(`data/negation.yaml`, `data/opposites.yaml`): what interviewer.assessment.polarity reads claims with."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from interviewer.assessment.text import stems, tokens
from interviewer.catalog.fields import Language, SAFE_LOADER

# A French particle that negates only after "ne"/"n'" ("ne ... plus").
NE = {"ne", "n'"}
# How far before its particle a verb of preventing is looked for: at most 5 words of object
# between them ("prevents each position from").
PREVENT_WINDOW = 6


@dataclass(frozen=True)
class Cues:
    """One language's negation cues, as data."""

    words: frozenset[str]
    after_ne: frozenset[str]
    suffixes: tuple[str, ...]
    # Word sequences, looked up by their first word: a sentence is scanned once, not once per sequence.
    scope_breakers: dict[str, tuple[tuple[str, ...], ...]]
    ignored: dict[str, tuple[tuple[str, ...], ...]]
    # Words that open a condition ("if"), and those that open a negated one ("unless").
    conditions: dict[str, tuple[tuple[str, ...], ...]]
    negative_conditions: dict[str, tuple[tuple[str, ...], ...]]
    # Words that open a condition only at the start of a sentence ("without X, Y would ...").
    fronted_conditions: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # Cues that negate only the word after them, as a prefix ("non supervisé", "non linear").
    prefixes: frozenset[str] = frozenset()
    # Words that open a clause about the other thing ("unlike bagging"), and the relative pronouns
    # that carry it on ("unlike bagging, which reduces variance").
    comparisons: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    relatives: frozenset[str] = frozenset()
    # Scope breakers that are adverbs inside a clause ("est donc", "is therefore"): they open a new
    # clause only at its start (after punctuation) or after one of `adverbs_after` ("and so").
    adverbs: frozenset[str] = frozenset()
    adverbs_after: frozenset[str] = frozenset()
    # Words that make a negation right before them partial ("not always", "isn't fully").
    degree: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # Stems of verbs whose negation keeps their object ("without changing the argmax").
    preserving: frozenset[str] = frozenset()
    # Words that restrict a claim ("only"), and French ones that do so after "ne" ("ne ... que").
    restrictive: frozenset[str] = frozenset()
    restrictive_after_ne: frozenset[str] = frozenset()
    # Words that make the next one a comparison ("plus faible"): a difference, not a level.
    comparatives: frozenset[str] = frozenset()
    # Stems of verbs of checking: a negation after one is what is checked ("check it isn't leakage").
    verifying: frozenset[str] = frozenset()
    # Conjunctions that join two clauses under one condition ("when A and B").
    coordinating: frozenset[str] = frozenset()
    # Verbs of preventing, the particle after their object ("prevents X from"), and what the next
    # word must look like for the particle to deny it (a verb: "from attending", « de regarder »).
    preventing: frozenset[str] = frozenset()
    preventing_particles: frozenset[str] = frozenset()
    prevented_endings: tuple[str, ...] = ()
    prevented_words: frozenset[str] = frozenset()
    # Words with a verb's ending that are not verbs (« de notre modèle », « de mémoire »).
    not_prevented: frozenset[str] = frozenset()
    # Cues that deny only their own phrase ("without", « sans »), not a verb joined after it by "and".
    phrase_cues: frozenset[str] = frozenset()
    # Subject pronouns: a statement after ";" that opens with one is still about the first clause's subject.
    pronouns: frozenset[str] = frozenset()
    # Stems of phrases that name what a sentence describes as a mistake ("is a classic leak"): it warns, it does not state.
    naming_mistake: tuple[frozenset[str], ...] = ()

    def prevention_verb(self, words: tuple[str, ...], i: int) -> int | None:
        """Where the verb of preventing is whose particle is at `i`, when a verb follows that
        particle ("prevents each position from attending", « empêche chaque position de regarder »)
        and the verb is not itself negated; None otherwise."""
        after = words[i + 1] if i + 1 < len(words) else ""
        verb_like = after in self.prevented_words or (
            after not in self.not_prevented and any(after.endswith(e) and len(after) > len(e) + 1 for e in self.prevented_endings)
        )
        if not verb_like:
            return None
        verb = next((j for j in range(i - 1, max(-1, i - PREVENT_WINDOW - 1), -1) if words[j] in self.preventing), None)
        if verb is None:
            return None
        # "does not stop the model from overfitting", « n'empêche pas de » prevent nothing: the
        # negated verb is read as a negated change (polarity._preserved), not as two denials.
        near = words[max(0, verb - 3) : verb] + words[verb + 1 : verb + 2]
        if any(w in self.words or w in NE or any(w.endswith(x) for x in self.suffixes) for w in near):
            return None
        return verb

    def prevents(self, words: tuple[str, ...], i: int) -> bool:
        return self.prevention_verb(words, i) is not None

    def reach(self, words: tuple[str, ...], n: int, end: int) -> int:
        """Where the negation at `n` stops covering words: the end of its clause, or for a particle
        of preventing or a phrase cue, the next coordinating conjunction ("from co-adapting and acts
        like ...", « sans les annuler et répartit le poids »)."""
        if words[n] not in self.preventing_particles and words[n] not in self.phrase_cues:
            return end
        return next((i for i in range(n + 1, end) if words[i] in self.coordinating), end)


def _load(name: str) -> Any:
    text = resources.files("interviewer.data").joinpath(name).read_text("utf-8")
    return yaml.load(text, Loader=SAFE_LOADER)


def _texts(items: list[Any], where: str) -> list[str]:
    # YAML reads a bare `no` or `non` as a boolean: the data file must quote such words.
    bad = [i for i in items if not isinstance(i, str)]
    if bad:
        raise ValueError(f"{where}: {bad} are not strings; quote them in the YAML file")
    return items


def _item_tokens(item: str) -> tuple[str, ...]:
    # An elided last word ("lorsqu'") is a token only before a word: tokenise it before one.
    return tuple(tokens(item + "x"))[:-1] if item.endswith("'") else tuple(tokens(item))


def _by_first_word(items: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for item in _texts(items, "negation.yaml"):
        words = _item_tokens(item)
        if words:
            index.setdefault(words[0], []).append(words)
    return {first: tuple(sequences) for first, sequences in index.items()}


@cache
def cues(language: Language) -> Cues:
    data = _load("negation.yaml")[language]
    preventing = data.get("preventing", {})
    return Cues(
        words=frozenset(w for c in _texts(data["cues"], "negation.yaml") for w in tokens(c) if w not in NE),
        after_ne=frozenset(w for c in _texts(data.get("after_ne", []), "negation.yaml") for w in tokens(c)),
        suffixes=tuple(data.get("suffixes", [])),
        scope_breakers=_by_first_word(data.get("scope_breakers", [])),
        ignored=_by_first_word(data.get("ignore", [])),
        conditions=_by_first_word(data.get("conditions", [])),
        negative_conditions=_by_first_word(data.get("negative_conditions", [])),
        fronted_conditions=_by_first_word(data.get("fronted_conditions", [])),
        prefixes=frozenset(w for c in _texts(data.get("prefixes", []), "negation.yaml") for w in tokens(c)),
        comparisons=_by_first_word(data.get("comparisons", [])),
        relatives=frozenset(w for c in _texts(data.get("relatives", []), "negation.yaml") for w in tokens(c)),
        adverbs=frozenset(w for c in _texts(data.get("adverbs", []), "negation.yaml") for w in tokens(c)),
        adverbs_after=frozenset(w for c in _texts(data.get("adverbs_after", []), "negation.yaml") for w in tokens(c)),
        degree=_by_first_word(data.get("degree", [])),
        preserving=frozenset(stems([w for c in _texts(data.get("preserving", []), "negation.yaml") for w in tokens(c)], language)),
        restrictive=frozenset(w for c in _texts(data.get("restrictive", []), "negation.yaml") for w in tokens(c)),
        restrictive_after_ne=frozenset(w for c in _texts(data.get("restrictive_after_ne", []), "negation.yaml") for w in _item_tokens(c)),
        comparatives=frozenset(w for c in _texts(data.get("comparatives", []), "negation.yaml") for w in tokens(c)),
        coordinating=frozenset(w for c in _texts(data.get("coordinating", []), "negation.yaml") for w in tokens(c)),
        phrase_cues=frozenset(w for c in _texts(data.get("phrase_cues", []), "negation.yaml") for w in tokens(c)),
        pronouns=frozenset(w for c in _texts(data.get("pronouns", []), "negation.yaml") for w in _item_tokens(c)),
        naming_mistake=tuple(frozenset(stems(tokens(c), language)) for c in _texts(data.get("naming_mistake", []), "negation.yaml")),
        verifying=frozenset(stems([w for c in _texts(data.get("verifying", []), "negation.yaml") for w in tokens(c)], language)),
        preventing=frozenset(w for c in _texts(preventing.get("verbs", []), "negation.yaml") for w in tokens(c)),
        preventing_particles=frozenset(w for c in _texts(preventing.get("particles", []), "negation.yaml") for w in _item_tokens(c)),
        prevented_endings=tuple(_texts(preventing.get("next_endings", []), "negation.yaml")),
        prevented_words=frozenset(w for c in _texts(preventing.get("next_words", []), "negation.yaml") for w in _item_tokens(c)),
        not_prevented=frozenset(w for c in _texts(preventing.get("not_verbs", []), "negation.yaml") for w in tokens(c)),
    )


@cache
def opposites(language: Language) -> dict[str, frozenset[str]]:
    """Stem -> the stems of its opposites ("increas" -> {"decreas"})."""
    pairs: dict[str, set[str]] = {}
    for a, b in _load("opposites.yaml")[language]:
        a, b = _texts([a, b], "opposites.yaml")
        sa, sb = stems(tokens(a), language), stems(tokens(b), language)
        # Only single words: the scorer works on word stems.
        if len(sa) == 1 and len(sb) == 1 and sa != sb:
            pairs.setdefault(sa[0], set()).add(sb[0])
            pairs.setdefault(sb[0], set()).add(sa[0])
    return {k: frozenset(v) for k, v in pairs.items()}
