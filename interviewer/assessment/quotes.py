"""Check a model's quote against the text it was shown, and return the candidate's own words.

The model sees candidate text made inert (`prompts.as_data`: `<` `>` escaped, headings defused), so
a faithful quote of code or LaTeX may carry `&lt;` where the candidate typed `<`. Both sides are
brought to one form (entities decoded, whitespace collapsed, case folded, typographic quote marks
straightened) and the quote is mapped back onto the original answer, so what is stored is always a
span of what the candidate said. Pure.
"""

from __future__ import annotations

import html

# Typographic marks a model may substitute for the candidate's, and the defused heading mark.
_EQUIVALENT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\uff03": "#", "\u00a0": " ",
})
# Marks a model wraps around a quote; then, failing that, the dots it uses to elide its ends.
_QUOTE_MARKS = " \t\n\"'“”‘’«»`"
_ELISION = _QUOTE_MARKS + ".…"


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` in the comparison form, and for each of its characters the index it came from."""
    out: list[str] = []
    origin: list[int] = []
    previous_space = True
    for index, char in enumerate(text):
        char = char.translate(_EQUIVALENT)
        if char.isspace():
            if previous_space:
                continue
            out.append(" ")
            origin.append(index)
            previous_space = True
            continue
        for folded in char.casefold():
            out.append(folded)
            origin.append(index)
        previous_space = False
    while out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def locate(quote: str, answer: str) -> str | None:
    """The span of `answer` that `quote` reproduces (as shown to the model), or None if it does not."""
    haystack, origin = _folded(answer)
    plain = html.unescape(quote)
    for candidate in (plain.strip(_QUOTE_MARKS), plain.strip(_ELISION)):
        wanted, _ = _folded(candidate)
        at = haystack.find(wanted) if len(wanted) >= 2 else -1
        if at >= 0:
            return answer[origin[at] : origin[at + len(wanted) - 1] + 1]
    return None


def verified(quotes: list[str], answer: str) -> tuple[list[str], bool]:
    """The quotes found in `answer`, as the candidate wrote them, and whether any was dropped."""
    kept = [span for q in quotes if isinstance(q, str) and (span := locate(q, answer))]
    return list(dict.fromkeys(kept)), len(kept) != len(quotes)
