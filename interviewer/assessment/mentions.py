"""What an answer said, read without a model: the terms it named, its numbers, the choice it made,
its example, and how it was said (its language, a question back, "I don't know", "that's all").

The engine fills follow-up slots from this, so a probe takes up the candidate's own words and never
asks for what was already given. Pure functions over text; the glossary is the only data read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache, partial

from interviewer.assessment.glossary import folded, glossary, glossary_terms_in
from interviewer.assessment.text import content_stems, detect_language, stems, stop_words, words
from interviewer.catalog.fields import Language

# Numbers that report something: "0.93", "12%", "3x", "40 ms"; a lone year is a date, not a result.
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?\s?(?:%|x\b|ms\b|s\b|k\b|points?\b|pp\b|GB\b|MB\b)?)", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")
# "X over Y", "X instead of Y", "X rather than Y", and the French forms.
_CHOICE = re.compile(
    r"(?P<left>[\w][\w .+#/-]{0,60}?)\s+(?:over|instead of|rather than|in place of|plutôt que(?: d')?|au lieu d[eu']?|à la place d[eu']?)\s+(?P<right>[\w][\w .+#/-]{0,60})",
    re.IGNORECASE,
)
# The words without which neither pattern can match: most sentences make no choice, and the
# patterns' lazy spans are slow to fail (a quarter of the engine's reading of an answer).
_CHOICE_WORDS = ("over", "instead of", "rather than", "in place of", "plutôt que", "au lieu d", "à la place d", "preferred", "préféré", "choisi")
_PREFERRED = re.compile(r"\b(?:preferred|préféré|choisi)\s+(?P<left>[\w .+#/-]{1,40}?)\s+(?:to|à)\s+(?P<right>[\w .+#/-]{1,40})", re.IGNORECASE)
_EXAMPLE = re.compile(
    r"\b(?:for example|for instance|e\.g\.|par exemple)\b[,:]?\s*(?P<rest>[^.!?\n]{3,120})", re.IGNORECASE,
)
# "in my last project", "dans mon stage": the example is the candidate's own experience.
_OWN_EXAMPLE = re.compile(
    r"\b(?:in|at|during) my (?P<en>(?:last |previous |current )?(?:project|internship|job|team|thesis|company))\b|"
    r"\b(?:dans|lors de|pendant) (?:mon|ma) (?P<fr>(?:dernier |précédent )?(?:projet|stage|poste|équipe|thèse))\b",
    re.IGNORECASE,
)
_DONT_KNOW = re.compile(
    r"\b(?:(?:do not|don't|dont) (?:really )?know|no idea|not sure|i have no clue|never (?:heard|used|studied)|i (?:can't|cannot|don't|do not) (?:remember|recall)|"
    r"je ne sais pas|je sais pas|aucune idée|pas sûr|pas sure|je ne connais pas|je ne me souviens pas)\b",
    re.IGNORECASE,
)
# A question put to the interviewer: second person, or about the role, the team, the round.
_ADDRESSED = re.compile(
    r"\b(?:you|your|yours|vous|votre|vos|tu|ton|ta|tes|team|role|position|internship|job|company|salary|remote|"
    r"équipe|poste|stage|entreprise|salaire|télétravail|is it|is there|are there|est-ce|y a-t-il)\b",
    re.IGNORECASE,
)
_CLARIFY = re.compile(
    r"\b(?:mean|meant|clarify|rephrase|repeat|again|understand the question|which one|"
    r"veux dire|voulez dire|entendez|préciser|reformuler|répéter|comprends pas la question)\b",
    re.IGNORECASE,
)
# The end of a presentation: "That's all." / "C'est tout."
_DONE = re.compile(
    r"\b(?:that'?s all|that is all|that'?s it|i'?m done|i am done|nothing (?:else|more) to add|that concludes|"
    r"c'est tout|j'ai terminé|j'ai fini|rien à ajouter|rien d'autre)\b",
    re.IGNORECASE,
)
# Technical tokens the glossary may not know: acronyms and names with inner capitals or digits.
_TECH_TOKEN = re.compile(r"\b(?:[A-Z][a-z]*[A-Z][\w-]*|[A-Z]{2,}[\w-]*|[A-Za-z]+-?\d[\w.-]*)\b")
# Words too common in answers to be worth repeating back (in either language).
_BLAND = frozenset(
    """
    think would could should really actually basically something things thing people because
    answer question example important different always usually probably maybe approach method
    using used working worked project problem better good great pense vraiment quelque chose
    choses exemple important différent toujours souvent peut-être approche méthode utilisé projet
    problème mieux bien aussi donc alors parce whether which where there their about matters
    remember mentioned honest details since instead contre really course together point without within
    between through across against during before after above below under while whereas however therefore
    several others present
    key
    """.split()
)
_CHOOSING = frozenset("chose choose chosen picked pick used use went with opted prefer preferred selected choisi pris utilisé préféré opté".split())
_CLAUSE = frozenset("since because as which that so and but car parce puisque qui donc mais et".split())
_VERB_ENDINGS = ("ing", "ed", "ly")
WORD_MIN_LETTERS = 5
# Stems in the glossary's prose that are ordinary words, not terms of the field.
_GENERIC_STEMS = frozenset("make made give given take taken use used using work works need needs mean means matter remember mention built build show shows found".split())
QUESTION_MAX_WORDS = 60


@dataclass(frozen=True)
class Said:
    """What one answer gave, as the candidate wrote it."""

    numbers: list[str] = field(default_factory=list)
    choice: tuple[str, str] | None = None
    example: str | None = None
    dont_know: bool = False
    asks_question: bool = False
    done: bool = False
    language: Language | None = None
    # The terms are read only when asked for (a probe's slots): a third of the engine's time on an answer.
    read_terms: Callable[[], list[str]] = field(default=list, repr=False, compare=False)

    @cached_property
    def terms(self) -> list[str]:
        """The terms the answer names, glossary entries first (see terms_in)."""
        return self.read_terms()

    def slots(self) -> dict[str, str]:
        """Values for the probe slots this answer can fill."""
        filled: dict[str, str] = {}
        if self.terms:
            filled["term"] = self.terms[0]
        if self.choice:
            filled["choice"], filled["alternative"] = self.choice
        if self.numbers:
            filled["number"] = self.numbers[0]
        if self.example:
            filled["example"] = self.example
        return filled

    def gave(self) -> set[str]:
        """What a probe must not ask for again (see catalog.Asks)."""
        given: set[str] = set()
        if self.numbers:
            given.add("result")
        if self.example:
            given.add("example")
        if self.choice:
            given.add("choice")
        if self.dont_know:
            # "Is that always true?" makes no sense after "I don't know".
            given.update({"truth", "precision", "choice"})
        return given


@cache
def domain_stems() -> frozenset[str]:
    """Stems of the field's vocabulary: the glossary's names, aliases, key terms and definitions."""
    found: set[str] = set()
    for entry in glossary():
        phrases = [entry.name, *entry.aliases, entry.definition]
        phrases += [p for term in entry.key_terms for variants in term.values() for p in variants]
        for language in ("en", "fr"):
            found.update(content_stems(" ".join(phrases), language))  # type: ignore[arg-type]
    return frozenset(s for s in found if len(s) >= 4) - _GENERIC_STEMS


@lru_cache(maxsize=64)
def vocabulary_of(texts: tuple[str, ...]) -> frozenset[str]:
    """Stems of a round's own words (its questions and topics), in both languages."""
    found: set[str] = set()
    for language in ("en", "fr"):
        found.update(content_stems(" ".join(texts), language))  # type: ignore[arg-type]
    return frozenset(s for s in found if len(s) >= 4) - _GENERIC_STEMS


@cache
def _stop_words_with_english(language: Language) -> frozenset[str]:
    # English terms turn up in French answers too: built once, not on every answer.
    return frozenset(stop_words(language) | stop_words("en"))


def terms_in(text: str, *, language: Language, avoid: str = "", vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Terms the text names, glossary entries first, then technical tokens, then salient words;
    terms also in `avoid` (the question) come last, since repeating those proves no listening."""
    avoid_lower = avoid.lower()
    ordered: list[str] = [t for _, t in sorted(glossary_terms_in(text))]
    ordered += [m.group(0) for m in _TECH_TOKEN.finditer(text)]
    stop = _stop_words_with_english(language)
    field_stems = domain_stems()

    known: dict[str, bool] = {}

    def salient(token: str) -> bool:
        # Only words of the field are worth repeating back: "baseline" is, "remember" is not.
        if token not in known:
            known[token] = not (len(token) < WORD_MIN_LETTERS or token in stop or token in _BLAND or not token.isalpha()) and any(
                stem in field_stems or stem in vocabulary for stem in (stems([token], language)[0], stems([token], "en")[0])
            )
        return known[token]

    counts: dict[str, int] = {}
    tokens = words(text)
    spaced = " ".join(text.lower().replace("’", "'").split())

    def partner(word: str) -> bool:
        # A neighbour that can complete a term: a content word, not a verb form or an adverb.
        if salient(word):
            return True
        plain = word.isalpha() and len(word) >= 3 and word not in stop and word not in _BLAND
        return plain and not word.endswith(_VERB_ENDINGS)

    def adjacent(first: str, second: str) -> bool:
        # Two words make one term only when nothing but a space separates them ("decorrelated, averaging" does not).
        return f"{first} {second}" in spaced
    for i, token in enumerate(tokens):
        if not salient(token):
            continue
        # Two field words side by side name one thing: "first week", "research lab", "data drift".
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        before = tokens[i - 1] if i > 0 else ""
        if partner(after) and not token.endswith(_VERB_ENDINGS) and adjacent(token, after):
            token = f"{token} {after}"
        elif partner(before) and adjacent(before, token):
            token = f"{before} {token}"
        counts[token] = counts.get(token, 0) + 1
    # Names before verb forms ("variance" before "reduces"), then the most repeated, then the longest.
    ordered += sorted(counts, key=lambda t: (t.endswith(_VERB_ENDINGS + ("s",)) and " " not in t, -counts[t], -len(t)))
    unique: list[str] = []
    seen: set[str] = set()
    for term in ordered:
        key = term.lower()
        if key in seen or any(key in s for s in seen):
            continue
        seen.add(key)
        unique.append(term)
    fresh = [t for t in unique if t.lower() not in avoid_lower]
    return fresh + [t for t in unique if t.lower() in avoid_lower]


def _trim(phrase: str, language: Language, *, keep: str) -> str:
    """A short noun phrase from one side of a choice: the words next to the marker."""
    tokens = phrase.strip(" ,;:").split()
    stop = stop_words(language) | stop_words("en") | _CHOOSING
    if keep == "end":
        # "in my project I chose X over Y": the choice is what follows the verb.
        verb = max((i for i, t in enumerate(tokens) if t.lower() in _CHOOSING), default=-1)
        tokens = tokens[verb + 1:]
    tokens = tokens[-4:] if keep == "end" else tokens[:4]
    # Drop function words at the far edge, so "I used a random forest" gives "random forest".
    while tokens and tokens[0].lower() in stop:
        tokens = tokens[1:]
    while tokens and tokens[-1].lower() in stop:
        tokens = tokens[:-1]
    if keep == "start":
        cut = next((i for i, t in enumerate(tokens) if i > 0 and (t.lower() in stop or t.lower() in _CLAUSE)), len(tokens))
        tokens = tokens[:cut]
    return " ".join(tokens).strip(" .,")


def _choice(text: str, language: Language) -> tuple[str, str] | None:
    said_so_far = ""
    for sentence in re.split(r"(?<=[.!?\n;])", text):
        lowered = folded(sentence)
        match = (_PREFERRED.search(sentence) or _CHOICE.search(sentence)) if any(w in lowered for w in _CHOICE_WORDS) else None
        if match:
            left = _trim(match.group("left"), language, keep="end")
            right = _trim(match.group("right"), language, keep="start")
            if not left:
                # "I chose them over boosting": "them" is the last technique named before.
                named = sorted(glossary_terms_in(said_so_far + sentence[: match.start("right")]))
                left = named[-1][1] if named else ""
            if left and right and left.lower() != right.lower():
                return left, right
        said_so_far += sentence
    return None


def _example(text: str) -> str | None:
    """The example the answer gave, as a short phrase to name it back."""
    own = _OWN_EXAMPLE.search(text)
    if own:
        return f"your {own.group('en')}" if own.group("en") else f"votre {own.group('fr')}"
    match = _EXAMPLE.search(text)
    if not match:
        return None
    # Up to the first comma: "for example, a spam filter, which..." names "a spam filter".
    rest = re.split(r"[,;:(]", match.group("rest"))[0]
    phrase = " ".join(rest.split()[:6]).strip()
    return phrase or None


def numbers_in(text: str) -> list[str]:
    found = [m.group(1).strip() for m in _NUMBER.finditer(text)]
    # A bare single digit is a count or a list marker ("1. MSE"), not a result; a year is a date.
    return [n for n in found if not _YEAR.match(n) and not re.fullmatch(r"\d", n)]


def asks_question(text: str) -> bool:
    """A question back to the interviewer rather than an answer: short, mostly questions, and
    addressed to them ("could you...", "is the role remote?"); "maybe the prior?" is a hedge."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+|\n", text.strip()) if p.strip()]
    if not parts or len(words(text)) > QUESTION_MAX_WORDS or _DONT_KNOW.search(text.replace("’", "'")):
        return False
    asked = sum(p.endswith("?") for p in parts)
    return parts[-1].endswith("?") and asked * 2 >= len(parts) and bool(_ADDRESSED.search(text.replace("’", "'")))


def asks_to_clarify(text: str) -> bool:
    """A question about the interviewer's own question: what it means, or to hear it again."""
    return asks_question(text) and bool(_CLARIFY.search(text.replace("’", "'")))


def read_answer(text: str, *, language: Language, question: str = "", vocabulary: frozenset[str] = frozenset()) -> Said:
    """Everything the engine uses about one answer; `vocabulary` (stems) adds the round's own words to the field's."""
    detected = detect_language(text)
    reading: Language = detected or language
    return Said(
        read_terms=partial(terms_in, text, language=reading, avoid=question, vocabulary=vocabulary),
        numbers=numbers_in(text),
        choice=_choice(text, reading),
        example=_example(text),
        dont_know=bool(_DONT_KNOW.search(text.replace("’", "'"))),
        asks_question=asks_question(text),
        done=bool(_DONE.search(text.replace("’", "'"))),
        language=detected,
    )


def repeats(text: str, earlier: list[str], *, language: Language, threshold: float = 0.8) -> bool:
    """True when the answer says again what an earlier answer said (same content words)."""
    mine = frozenset(content_stems(text, language))
    if len(mine) < 5:
        return False
    for previous in earlier:
        # Earlier answers come back at every turn: content_stems serves them from its cache.
        theirs = frozenset(content_stems(previous, language))
        if theirs and len(mine & theirs) / len(mine | theirs) >= threshold:
            return True
    return False


def fill(template: str, slots: dict[str, str]) -> str | None:
    """The template with its slots filled, or None if it names a slot the answer cannot fill."""
    needed = re.findall(r"\{(\w+)\}", template)
    if any(name not in slots for name in needed):
        return None
    return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)], template)


def slots_of(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", template))
