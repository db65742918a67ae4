"""Fluent but wrong variants of a reference answer, for the ranking evaluation (pure).

`negate` turns every sentence into its contrary, the way a confident wrong answer reads: an
auxiliary gets "not" ("is" -> "is not", "can" -> "cannot"), a word with a listed opposite is
swapped ("increases" -> "decreases"), or a present-tense verb becomes "does not <verb>".
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from interviewer.assessment.text import stop_words
from interviewer.catalog.fields import SAFE_LOADER

_AUXILIARIES = {
    "is": "is not", "are": "are not", "was": "was not", "were": "were not", "can": "cannot",
    "will": "will not", "should": "should not", "does": "does not", "do": "do not", "has": "does not have",
    "have": "do not have", "may": "may not", "must": "must not", "would": "would not", "could": "could not",
    "might": "might not",
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Words ending in s that are not third-person verbs.
_NOT_VERBS = re.compile(r".*(?:ss|us|is|ys|ics|ous|ness|ss)$")


@cache
def _opposite_words() -> dict[str, str]:
    text = resources.files("interviewer.data").joinpath("opposites.yaml").read_text("utf-8")
    found: dict[str, str] = {}
    for a, b in yaml.load(text, Loader=SAFE_LOADER)["en"]:
        a, b = str(a).lower(), str(b).lower()
        if " " not in a and " " not in b:
            found.setdefault(a, b)
            found.setdefault(b, a)
    return found


def _base_form(verb: str) -> str:
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("ches", "shes", "sses", "xes", "zes")):
        return verb[:-2]
    return verb[:-1]


def negate_sentence(sentence: str) -> str:
    """The sentence's contrary, or the sentence unchanged when no rule applies."""
    matches = list(_WORD.finditer(sentence))
    for m in matches:
        word = m.group(0)
        if word.lower() in _AUXILIARIES:
            replacement = _AUXILIARIES[word.lower()]
            if word[0].isupper():
                replacement = replacement[0].upper() + replacement[1:]
            return sentence[: m.start()] + replacement + sentence[m.end() :]
    opposites = _opposite_words()
    for m in matches:
        swap = opposites.get(m.group(0).lower())
        if swap:
            return sentence[: m.start()] + swap + sentence[m.end() :]
    stop = stop_words("en")
    for previous, m in zip(matches, matches[1:], strict=False):
        word = m.group(0)
        if (
            word.islower() and word.endswith("s") and len(word) > 3 and not _NOT_VERBS.match(word)
            and word not in stop and previous.group(0).lower() not in {"the", "a", "an", "of", "and", "its", "their", "these", "those", "many", "all", "some", "two", "to", "in", "for", "with", "on"}
        ):
            return sentence[: m.start()] + "does not " + _base_form(word) + sentence[m.end() :]
    return sentence


def negate(text: str) -> str:
    """Every sentence of the text turned into its contrary."""
    pieces = _SENTENCE.split(text.strip())
    return " ".join(negate_sentence(p) for p in pieces if p.strip())
