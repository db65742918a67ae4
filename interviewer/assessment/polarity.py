"""Whether a sentence states a claim or its contrary: negation scope and opposites (pure).

The cues are data (`data/negation.yaml`, `data/opposites.yaml`), in both languages. A sentence
is cut into clauses at punctuation, at words that end a negation's scope ("but", "mais") and at
words that open a condition ("if", "si", also data); a clause with an odd number of negation cues
is negated. A phrase found in a negated clause, or found with one of its words replaced by that word's opposite, is contradicted, not covered;
except where the negation falls on a verb that would change or lose the phrase ("without changing
the argmax"), where a word of degree qualifies it ("isn't fully expanded"), where a restricted claim
says the opposite word ("depends only through"), or where another form of the word stands beside its
opposite ("maximum likelihood is minimising"): there the sentence says nothing certain of the phrase.
A negation after a verb of checking ("I check it isn't leakage") is what is checked, not a denial.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from interviewer.assessment.cues import NE, PREVENT_WINDOW, cues, opposites
from interviewer.assessment.reversal import compared, reversed_stems
from interviewer.assessment.text import Phrase, Sentence, stop_words, tokens
from interviewer.catalog.fields import Language

# How far back a French "ne" may stand before the particle that makes it negate ("ne ... plus").
_NE_WINDOW = 4
# How many content words a negation reaches across to deny a lone term ("does not use a sigmoid": 1).
TERM_REACH = 2
# The word that introduces the second term of a comparison ("denser than oil", "plus dense que l'huile").
_COMPARISON: dict[str, str] = {"en": "than", "fr": "que"}
_CLAUSE_PUNCTUATION = re.compile(r"[,;:()\[\]—–]|\s-\s")
# Marks after which a new statement begins, as at the start of a sentence.
_STATEMENT_PUNCTUATION = re.compile(r"[;:]")
# A short aside in brackets belongs to its clause: cutting at "gas (carbon dioxide) is produced"
# would leave "is produced" without its subject, and "if gas" a condition about nothing.
_ASIDE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
ASIDE_MAX_WORDS = 4


def _starts(words: tuple[str, ...], sequences: dict[str, tuple[tuple[str, ...], ...]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Each (position, sequence) where one of the word sequences starts in `words`."""
    for i, word in enumerate(words):
        for sequence in sequences.get(word, ()):
            if words[i : i + len(sequence)] == sequence:
                yield i, sequence


def negation_positions(words: tuple[str, ...], language: Language) -> list[int]:
    """Indices of the words that negate, ignoring fixed phrases that do not ("not only", "sans doute")."""
    c = cues(language)
    skip = {j for i, sequence in _starts(words, c.ignored) for j in range(i, i + len(sequence))}
    found: list[int] = []
    for i, w in enumerate(words):
        if i in skip:
            continue
        if w in c.words or any(w.endswith(s) for s in c.suffixes):
            found.append(i)
        elif w in c.after_ne and any(x in NE for x in words[max(0, i - _NE_WINDOW) : i]):
            found.append(i)
        elif w in c.preventing_particles and c.prevents(words, i):
            found.append(i)
    return found


def _prevention_named(sentence: Sentence, clause: Clause, words: frozenset[str] | set[str], position: int, language: Language) -> bool:
    """The negation before `position` is the particle of a verb of preventing that the phrase names
    itself: "prevents units from co-adapting" states "prevents co-adaptation"."""
    opened = _scope_opened(sentence, clause, position, language)
    c = cues(language)
    if opened is None or sentence.words[opened] not in c.preventing_particles:
        return False
    window = range(max(clause.start, opened - PREVENT_WINDOW), opened)
    return any(sentence.words[i] in c.preventing and sentence.word_stems[i] in words for i in window)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    stems: frozenset[str]
    # How many negation cues the clause holds, and which of its words they cover: a cue covers
    # the words after it to the end of the clause ("cannot overfit and has no limits").
    negations: int = 0
    negated_words: frozenset[int] = frozenset()
    # A comparison ("X is denser than Y"): the stems before and after "than" in the clause.
    compared: tuple[frozenset[str], frozenset[str]] | None = None
    # The clause is a condition ("if none is defined"); "unless" opens a negated one.
    condition: bool = False
    negative_condition: bool = False
    # The clause opens with a scope breaker ("while", "whereas", "donc"): a new statement begins.
    breaks: bool = False
    # The clause opens with a comparison ("unlike bagging, ..."): it speaks of the other thing.
    compares: bool = False

    @property
    def negated(self) -> bool:
        return self.negations > 0

    @property
    def condition_negated(self) -> bool:
        return self.negated != self.negative_condition


def _scope_starts(words: tuple[str, ...], language: Language) -> list[int]:
    """Where a negation's scope starts: at the cue, or at a French "ne" whose particle follows."""
    cue_positions = negation_positions(words, language)
    starts = []
    for n in cue_positions:
        ne = [i for i in range(max(0, n - _NE_WINDOW), n) if words[i] in NE]
        starts.append(ne[-1] if ne else n)
    return starts


@lru_cache(maxsize=20_000)
def clauses(sentence: Sentence, language: Language) -> list[Clause]:
    """The sentence cut where a negation's scope ends, each with its polarity (cached: every
    phrase of every key point asks about the same sentences)."""
    words, word_stems = sentence.words, sentence.word_stems
    if not words:
        return []
    cuts = {0, len(words)}
    # Punctuation cuts: count the words before each mark.
    text = sentence.text
    asides = {at for m in _ASIDE.finditer(text) if len(tokens(m.group(1))) <= ASIDE_MAX_WORDS for at in (m.start(), m.end() - 1)}
    for mark in _CLAUSE_PUNCTUATION.finditer(text):
        if mark.start() not in asides:
            cuts.add(len(tokens(text[: mark.start()])))
    marked = set(cuts)
    c = cues(language)
    # "is therefore a linear function": a consequence adverb inside a clause opens no new one.
    inside = {i for i in range(1, len(words)) if words[i] in c.adverbs and i not in cuts and words[i - 1] not in c.adverbs_after}
    breakers = {i for i, _ in _starts(words, c.scope_breakers)} - inside
    # "when the classes are balanced and every error costs the same": "and" before a new subject
    # opens a new statement, but under the same condition as the clause it is joined to.
    joined = {i for i, sequence in _starts(words, c.scope_breakers) if sequence[0] in c.coordinating} - marked
    compares = {i for i, _ in _starts(words, c.comparisons)}
    cuts |= breakers | compares
    conditions = {i for i, _ in _starts(words, c.conditions)}
    negative_conditions = {i for i, _ in _starts(words, c.negative_conditions)}
    # At the start of the sentence, or of a statement after ";" or ":" (which begins like one).
    marks = [(m.group(), len(tokens(text[: m.start()]))) for m in _STATEMENT_PUNCTUATION.finditer(text)]
    fronts = {0} | {at for _, at in marks}
    # After ";" the first clause's subject carries over only to a pronoun ("...; it is the posterior"):
    # "L2 shrinks the weights; L1 sets many to zero" says nothing of L2 zeroing weights.
    statements = {at for mark, at in marks if mark == ";" and at < len(words) and words[at] not in c.pronouns}
    conditions |= {at for at in fronts if at < len(words) and any(words[at : at + len(cue)] == cue for cue in c.fronted_conditions.get(words[at], ()))}
    cuts |= conditions | negative_conditions
    # A prefix cue ("non supervisé") negates the next word only; any other cue, the rest of its clause.
    prefixed = {n + 1 for n in negation_positions(words, language) if words[n] in c.prefixes}
    starts = [start for cue, start in zip(negation_positions(words, language), _scope_starts(words, language), strict=True)
              if words[cue] not in c.prefixes]
    bounds = sorted(cuts)
    found: list[Clause] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        if end <= start:
            continue
        # A particle of preventing negates only in the clause of its verb ("prevents overfitting; from
        # training onwards the loss falls" denies nothing after the semicolon).
        inside = [n for n in starts if start <= n < end and (words[n] not in c.preventing_particles or (c.prevention_verb(words, n) or -1) >= start)]
        # A cue covers the rest of its clause; a particle of preventing, only its verb's phrase: "it
        # stops units from co-adapting and acts like an ensemble" denies no ensemble.
        covered = frozenset(i for n in inside for i in range(n, c.reach(words, n, end)))
        covered |= {n for n in prefixed if start <= n < end}
        marker = next((i for i in range(start, end) if words[i] == _COMPARISON[language]), None)
        compared = None
        if marker is not None:
            stop = stop_words(language)
            sides = (range(start, marker), range(marker + 1, end))
            before, after = (frozenset(word_stems[i] for i in side if words[i] not in stop) for side in sides)
            compared = (before, after)
        under = bool(found) and start in joined and found[-1].condition
        found.append(Clause(
            start, end, frozenset(word_stems[start:end]), len(inside), covered, compared,
            condition=start in conditions or start in negative_conditions or under,
            negative_condition=start in negative_conditions or (under and found[-1].negative_condition),
            breaks=start in breakers or start in compares or start in statements,
            compares=start in compares or bool(found and found[-1].compares and words[start] in c.relatives),
        ))
    return found


def condition_for(sentence: Sentence, clause: Clause, language: Language) -> Clause | None:
    """The condition a clause is stated under: the condition just before it ("if X, Y"), or else
    just after it ("Y when X"); None without one."""
    found = clauses(sentence, language)
    at = found.index(clause)
    for neighbour in (found[at - 1] if at > 0 else None, found[at + 1] if at + 1 < len(found) else None):
        if neighbour is not None and neighbour.condition:
            return neighbour
    return None


@cache
def phrase_negated(text: str, language: Language) -> bool:
    """A phrase written with a negation ("does not work") states a negative claim."""
    return bool(negation_positions(tuple(tokens(text)), language))


Polarity = Literal["stated", "contradicted"]


def _scope_opened(sentence: Sentence, clause: Clause, position: int, language: Language) -> int | None:
    """Where the last negation before `position` in the clause opens its scope: a French "ne"
    comes before its verb ("n'augmente pas la variance"); None without one."""
    return max((n for n in _scope_starts(sentence.words, language) if clause.start <= n < position), default=None)


def _denies_term(sentence: Sentence, clause: Clause, position: int, language: Language) -> bool:
    """The negation before the term at `position` denies it, not a change of it: "neither step can
    increase the inertia" says the inertia never grows, nothing against the inertia."""
    opened = _scope_opened(sentence, clause, position, language)
    if opened is None:
        return True
    reversible = opposites(language)
    # The cues themselves ("never", opposite of "always") are the negation, not a change.
    cue_words = set(negation_positions(sentence.words, language))
    between = [i for i in range(opened + 1, position) if i not in cue_words and sentence.words[i] not in NE]
    if any(sentence.word_stems[i] in reversible for i in between):
        return False
    # Far from the negation, the term is part of what is denied, not its object: "Adam does not
    # store a full matrix of second derivatives like Newton" denies no Newton.
    stop = stop_words(language)
    cue = max((n for n in cue_words if n < position), default=opened)
    return sum(sentence.words[i] not in stop for i in between if i > cue) <= TERM_REACH


def _last_position(words: frozenset[str], sentence: Sentence, clause: Clause) -> int:
    """The position of the phrase's last word in the clause (the predicate usually comes last),
    where the phrase is first whole: a word said again after a negation ("linear in the
    parameters doesn't mean linear in the inputs") is not the phrase's."""
    wanted = words & clause.stems
    seen: set[str] = set()
    for i in range(clause.start, clause.end):
        if sentence.word_stems[i] in wanted:
            seen.add(sentence.word_stems[i])
            if seen == wanted:
                return i
    return clause.end - 1


def asserts(p: Phrase, sentence: Sentence, language: Language) -> bool:
    """The sentence states the phrase as its own claim: not under a condition or a purpose ("in
    order to find the global optimum"), nor of the thing it is compared with."""
    found = _phrase_clause(p, sentence, language)
    return found is not None and not found[0].condition and phrase_polarity(p, sentence, language) == "stated"


def _phrase_clause(p: Phrase, sentence: Sentence, language: Language) -> tuple[Clause, set[str]] | None:
    """The clause that says the phrase (and which of its words stand reversed), if one does."""
    required = p.required
    if not required:
        return None
    found = clauses(sentence, language)
    best: tuple[int, Clause, set[str]] | None = None
    for clause in found:
        direct = required & clause.stems
        swapped = {r for r in reversed_stems(required, direct, clause.stems, language) if not compared(r, p, sentence, clause.start, clause.end, language)}
        # A lone opposite is another topic ("regression" is not a denial of "classification").
        if len(direct) + len(swapped) == len(required) and (not swapped or direct):
            key = (len(direct), clause, swapped)
            if best is None or key[0] > best[0]:
                best = key
    if best is None:
        # Spread over clauses: the subject may come from the first clause ("logistic regression
        # solves regression, does not use a sigmoid"); the rest must sit in one later clause.
        if not required <= sentence.all_stems or len(found) < 2:
            return None
        first = found[0]
        # ... up to the first clause that opens a new statement ("while precision is poor").
        following = list(itertools.takewhile(lambda c: not c.breaks, found[1:]))
        later = [c for c in following if required <= first.stems | c.stems and (required & c.stems) - first.stems]
        if not later:
            return None
        clause = max(later, key=lambda c: len(required & c.stems))
        # Only the first clause's subject carries over: a word it denies ("kNN doesn't learn
        # parameters: ... it stores the training set") is not stated by the later clause.
        carried = required - clause.stems
        if any(sentence.word_stems[i] in carried for i in first.negated_words):
            return None
        best = (len(required & clause.stems), clause, set())
    return best[1], best[2]


def phrase_polarity(p: Phrase, sentence: Sentence, language: Language) -> Polarity | None:
    """Whether the sentence states the phrase, states its contrary, or says nothing certain of it."""
    found = _phrase_clause(p, sentence, language)
    if found is None:
        return None
    clause, swapped = found
    required = p.required
    # The opposites standing for reversed words ("dépend" for "indépendants") carry a negation too.
    standing = {o for r in swapped for o in opposites(language).get(r, frozenset()) if o in clause.stems}
    position = _last_position(required | standing, sentence, clause)
    negated_here = position in clause.negated_words and not _prevention_named(sentence, clause, required | standing, position, language)
    if negated_here and (checker := _checked(sentence, clause, position, language)) is not None:
        # "I check it isn't leakage": the negation is what is checked; a phrase that names the
        # check ("check for leakage") is stated, any other is neither stated nor denied.
        return "stated" if checker in required else None
    if negated_here and _preserved(sentence, clause, required | standing, position, language):
        # "without changing the argmax", "so you don't wipe out the pretrained features": what is
        # denied is a change to the phrase's words, which affirms them rather than denying them.
        return None
    if negated_here and _qualified(sentence, clause, required | standing, position, language):
        # "a node that isn't fully expanded", "not always": the negation qualifies, it does not deny.
        return None
    if swapped and _restricted(sentence, clause, language):
        # "depends on the past only through the present state" agrees with "independent of the
        # past": a restricted claim may say the opposite word and mean the same thing.
        return None
    if negated_here and len(required) == 1 and not swapped and not _denies_term(sentence, clause, position, language):
        # A lone term is a name, not a claim: "neither step can increase the inertia" denies the
        # increase (a word with an opposite), and says nothing against the inertia.
        return None
    negative = p.negated if p.negated is not None else phrase_negated(p.text, language)
    if negative and not negated_here:
        # "does not work" is not denied by "it works": the sentence may say something else entirely.
        return None
    contrary = negated_here != negative
    if len(swapped) % 2 == 1:
        contrary = not contrary
    if clause.compares:
        # "Unlike bagging, which reduces variance": a claim about the other thing.
        return None
    if contrary and clause.condition:
        # A condition or a purpose asserts nothing: "it only helps if the trees are not correlated",
        # "so that the team does not drown in alerts" deny neither.
        return None
    return "contradicted" if contrary else "stated"


def _preserved(sentence: Sentence, clause: Clause, words: frozenset[str] | set[str], position: int, language: Language) -> bool:
    """A verb whose negation keeps its object ("change", "lose") or lets it happen ("does not stop
    the model from overfitting") stands between the negation and the phrase's word at `position`,
    and is not part of the phrase."""
    opened = _scope_opened(sentence, clause, position, language)
    if opened is None:
        return False
    c = cues(language)
    preserving = c.preserving - words
    return any(
        sentence.word_stems[i] in preserving or (sentence.words[i] in c.preventing and sentence.word_stems[i] not in words)
        for i in range(opened + 1, position)
    )


def _checked(sentence: Sentence, clause: Clause, position: int, language: Language) -> str | None:
    """The stem of a verb of checking ("check", « vérifie ») that the negation before `position`
    follows in its clause, itself not negated; None when there is none."""
    opened = _scope_opened(sentence, clause, position, language)
    if opened is None:
        return None
    verifying = cues(language).verifying
    first_cue = min((n for n in _scope_starts(sentence.words, language) if clause.start <= n), default=opened)
    return next((sentence.word_stems[i] for i in range(clause.start, min(opened, first_cue)) if sentence.word_stems[i] in verifying), None)


def _qualified(sentence: Sentence, clause: Clause, words: frozenset[str] | set[str], position: int, language: Language) -> bool:
    """The negation before the phrase's word at `position` is followed by a word of degree ("not
    always", "pas forcément") that is not itself part of the phrase ("is always a good metric")."""
    cue = max((n for n in negation_positions(sentence.words, language) if clause.start <= n < position), default=None)
    if cue is None:
        return False
    after = sentence.words[cue + 1 :]
    degree = cues(language).degree
    return any(after[: len(d)] == d and not set(sentence.word_stems[cue + 1 : cue + 1 + len(d)]) & words for d in degree.get(after[0] if after else "", ()))


def _restricted(sentence: Sentence, clause: Clause, language: Language) -> bool:
    """The clause restricts its claim: "only", "seulement", or a French "ne ... que"."""
    c = cues(language)
    words = sentence.words
    for i in range(clause.start, clause.end):
        if words[i] in c.restrictive:
            return True
        if words[i] in c.restrictive_after_ne and any(w in NE for w in words[max(clause.start, i - _NE_WINDOW) : i]):
            return True
    return False
