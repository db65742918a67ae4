"""A French answer glossed word by word into English, for the learned reader (assessment/reader.py).

The reader is all-MiniLM-L6-v2 fine-tuned: an English model that also saw some French answers in
training, and it reads French less well than English (on the parity set, the same answers in both
languages, it gave less than 10% to 34 of 49 fluent wrong English answers and to 20 of their French
translations). A gloss puts the French answer's words into the English the reader knows best: each
French word or expression the bilingual lexicon (data/lexicon.yaml) renders gives its English word,
and function words come from data/gloss_fr.yaml. It is no translation (the word order stays French,
and words neither file knows stay as written), so the reader reads both the answer and its gloss.
Pure and cached.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import yaml

from interviewer.assessment.cues import NE
from interviewer.assessment.lexicon import entries
from interviewer.assessment.text import tokens
from interviewer.catalog.fields import SAFE_LOADER

# Punctuation is kept: the reader sees where sentences and clauses end.
_PUNCTUATION = re.compile(r"([.;:!?,()])")


def _form(token: str) -> str:
    """A token as the gloss matches it: without its elision's apostrophe, and singular (« variables »)."""
    word = token.strip("'")
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


@cache
def _data() -> tuple[dict[str, str], dict[str, str]]:
    text = resources.files("interviewer.data").joinpath("gloss_fr.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=SAFE_LOADER)
    return {str(k): str(v) for k, v in data["words"].items()}, {str(k): str(v) for k, v in data["after_ne"].items()}


@cache
def _by_french() -> tuple[dict[tuple[str, ...], str], int]:
    """Each French rendering of the lexicon (as forms) with one English word for it, and the longest
    rendering's length. Where several English words share a rendering, the shortest is written."""
    found: dict[tuple[str, ...], str] = {}
    for english, renderings in entries().items():
        for french in renderings:
            key = tuple(_form(t) for t in tokens(french))
            if key and (key not in found or (len(english), english) < (len(found[key]), found[key])):
                found[key] = english
    return found, max(map(len, found), default=1)


@lru_cache(maxsize=1024)
def english_gloss(text: str) -> str:
    """The French text with each word the lexicon or the function words know put in English; « ne »
    opens a negation that the next word of `after_ne` closes."""
    by_french, longest = _by_french()
    words, after_ne = _data()
    out: list[str] = []
    for piece in _PUNCTUATION.split(text):
        if _PUNCTUATION.fullmatch(piece):
            out.append(piece)
            continue
        raw = tokens(piece)
        found = [t.strip("'") for t in raw]
        forms = [_form(t) for t in found]
        negation_open = False
        i = 0
        while i < len(found):
            word = found[i]
            # An expression of the lexicon first (« pris en compte »), then a function word, then one word.
            size = next((n for n in range(min(longest, len(found) - i), 1, -1) if tuple(forms[i : i + n]) in by_french), 1)
            if size > 1:
                out.append(by_french[tuple(forms[i : i + size])])
            elif negation_open and word in after_ne:
                out.append(after_ne[word])
                negation_open = False
            elif raw[i] in NE:
                negation_open = True
            elif word in words:
                out.append(words[word])
            else:
                out.append(by_french.get((forms[i],), word))
            i += size
    return re.sub(r" +([.;:!?,)])", r"\1", " ".join(w for w in out if w))
