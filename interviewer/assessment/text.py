"""Lexical analysis shared by the offline scorer: sentences, tokens, stems, phrase matching."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

import snowballstemmer

from interviewer.catalog.fields import Language

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d")
# A sentence ends at . ! ? followed by a space or the end (so 0.5 and 1.7B are not ends), or at a
# line break; "et al.", "e.g." and the like do not end one.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]»”]*(?=\s|$)|\n")
_ABBREVIATION = re.compile(r"(?:\b(?:et al|e\.g|i\.e|vs|cf|fig|eq|dr|mr|mrs|ms|approx|resp|cf)\.)$", re.IGNORECASE)
# "etc." ends its sentence when a capital follows ("B-PER, O, etc. The catch is..."); read as one,
# the next sentence's words were matched with the list's ("B" of "B-PER" with "gets the B tag").
_ETC = re.compile(r"\betc\.$", re.IGNORECASE)
_CAPITAL_NEXT = re.compile(r"\s+[^\W\d_]", re.UNICODE)
# "No." abbreviates "number" only before a numeral ("No. 5"); "No. John changed two variables"
# is an answer, then a sentence (read as one, its "no" negated the whole next claim). So do "p."
# and "pp." (page): "dropped with probability p. The rest..." ends a sentence.
_NUMBER_ABBREVIATION = re.compile(r"\b(?:no|p|pp)\.$", re.IGNORECASE)
_NUMERAL_NEXT = re.compile(r"\s*\d")
# The marks that open a bullet line.
BULLETS = ("-", "*", "•", "–")
# A list item's marker at the start of a line: a bullet, or a number ("1.", "2)").
LIST_MARKER = re.compile(rf"^\s*(?:[{re.escape(''.join(BULLETS))}]\s*|\d{{1,3}}[.)](?:\s+|$))")
# What separates the items of an enumeration written on one line.
ITEM_SEPARATOR = r"[,;/|•·]|\s-\s"
# The pseudo-cue that any numeral satisfies: concrete results are numbers.
NUMBER_CUE = "#number"


# Snowball stemmers keep state between calls: each thread gets its own (shared ones raised
# IndexError under concurrent turns).
_local = threading.local()


def _stemmer(language: Language) -> snowballstemmer.stemmer:
    stemmers: dict[str, snowballstemmer.stemmer] = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer("english" if language == "en" else "french")
    return stemmers[language]


@cache
def stop_words(language: Language) -> frozenset[str]:
    # Small function-word lists: packaged lists (stop-words) also drop domain words like "research".
    text = resources.files("interviewer.data").joinpath(f"stopwords_{language}.txt").read_text("utf-8")
    # `tokens` splits French elisions off as "d'", "l'", "qu'": function words too.
    elided = {prefix + "'" for prefix in _ELIDED}
    return frozenset(text.split()) | elided


# A turn reads the same texts many times (the answer, its sentences, the rubric's key points and
# reference): each is split and stemmed once, then served from these caches as a fresh list.
# Bounded in count and in size, so long or many answers cannot grow them without limit: at the
# bounds, about 110 MB a worker in all (2,048 texts of 2,000 characters in each cache).
_TEXTS_KEPT = 2048
MAX_CACHED_CHARS = 2000


def words(text: str) -> list[str]:
    return list(_words(text) if len(text) <= MAX_CACHED_CHARS else _words.__wrapped__(text))


@lru_cache(maxsize=_TEXTS_KEPT)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in _WORD.findall(text))


# French elisions ("l'apprentissage", "n'utilise") hide the word's stem and a negation's "ne".
_ELIDED = ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
_ELISION = re.compile(rf"^({'|'.join(_ELIDED)})'(.+)$")


def tokens(text: str) -> list[str]:
    """The words used for analysis: lower-case, with French elisions split off ("n'" then "utilise")."""
    return list(_tokens(text) if len(text) <= MAX_CACHED_CHARS else _tokens.__wrapped__(text))


@lru_cache(maxsize=_TEXTS_KEPT)
def _tokens(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for word in words(text):
        elided = _ELISION.match(word)
        found.extend([elided.group(1) + "'", elided.group(2)] if elided else [word])
    return tuple(found)


@lru_cache(maxsize=100_000)
def _stem(token: str, language: Language) -> str:
    # The pure-Python stemmer dominates scoring time, and answers reuse a small vocabulary.
    return _stemmer(language).stemWord(token)


def stems(tokens: list[str], language: Language) -> list[str]:
    return [_stem(t.strip("'"), language) for t in tokens]


def content_stems(text: str, language: Language) -> list[str]:
    """Stems of the words that carry meaning (function words removed), in order, with repeats."""
    return list(_content_stems(text, language) if len(text) <= MAX_CACHED_CHARS else _content_stems.__wrapped__(text, language))


@lru_cache(maxsize=_TEXTS_KEPT)
def _content_stems(text: str, language: Language) -> tuple[str, ...]:
    stop = stop_words(language)
    return tuple(stems([w for w in tokens(text) if w not in stop and len(w) > 1], language))


def detect_language(text: str) -> Language | None:
    """The answer's language from its function words, or None when too short or mixed to tell."""
    tokens = words(text)
    if len(tokens) < 3:
        return None
    english, french = stop_words("en"), stop_words("fr")
    en = sum(t in english for t in tokens)
    fr = sum(t in french for t in tokens)
    if len(tokens) < 6:
        # "Je ne sais pas": a short answer counts only when no word of the other language is in it.
        return "fr" if fr >= 2 and en == 0 else "en" if en >= 2 and fr == 0 else None
    # English technical words are common in French answers, so a clear margin is required.
    if fr >= 3 and fr >= 2 * en:
        return "fr"
    if en >= 3 and en >= 2 * fr:
        return "en"
    return None


# A long sentence with few function words is a list of terms, not an explanation of them. The
# share: at most 0.21 in the dev sets' keyword strings (both languages); 0.35 at first (set before
# any measurement) also took 17% of long English sentences of correct answers for lists.
LIST_MIN_WORDS = 20
LIST_FUNCTION_SHARE = 0.25


@dataclass(frozen=True)
class Sentence:
    text: str
    all_stems: frozenset[str]
    has_number: bool
    # A list of terms, a heading or a string of nouns: it names things without saying anything of them.
    is_list: bool
    # The words in order and their stems (the same length), for polarity and clause analysis.
    words: tuple[str, ...] = ()
    word_stems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phrase:
    """A cue or key-point phrase reduced to the stems that must all occur in one sentence."""

    text: str
    required: frozenset[str]
    # Whether the phrase itself is negative, when read in another language than its own (lexicon.py).
    negated: bool | None = None

    def found_in(self, sentence: Sentence) -> bool:
        if self.text == NUMBER_CUE:
            return sentence.has_number
        return bool(self.required) and self.required <= sentence.all_stems


@dataclass(frozen=True)
class Held:
    """What some sentence of an answer holds: its stems and whether it gives a number."""

    stems: frozenset[str]
    numbers: bool

    @staticmethod
    def of(found: list[Sentence]) -> Held:
        return Held(frozenset().union(*(s.all_stems for s in found)), any(s.has_number for s in found))

    def sayable(self, phrases: list[Phrase]) -> list[Phrase]:
        """The phrases some sentence may hold: the others need not be looked for sentence by sentence."""
        return [p for p in phrases if (self.numbers if p.text == NUMBER_CUE else p.required <= self.stems)]


@cache
def phrase(text: str, language: Language) -> Phrase:
    content = content_stems(text, language)
    # A phrase made only of function words ("on the other hand" minus "hand") keeps all its words.
    required = content if content else stems(words(text), language)
    return Phrase(text=text, required=frozenset(required))


def _capital_next(text: str, at: int) -> bool:
    found = _CAPITAL_NEXT.match(text, at)
    return found is not None and found.group(0)[-1].isupper()


def _spans(text: str) -> list[str]:
    """The text cut into sentences; each piece is an exact substring of the text."""
    pieces: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        piece = text[start : end.end()]
        if end.group(0) != "\n" and (
            _ABBREVIATION.search(piece)
            or (_NUMBER_ABBREVIATION.search(piece) and _NUMERAL_NEXT.match(text, end.end()))
            or (_ETC.search(piece) and not _capital_next(text, end.end()))
        ):
            continue
        pieces.append(text[start : end.end()])
        start = end.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def sentences(text: str, language: Language) -> list[Sentence]:
    return list(_sentences(text, language) if len(text) <= MAX_CACHED_CHARS else _sentences.__wrapped__(text, language))


@lru_cache(maxsize=_TEXTS_KEPT)
def _sentences(text: str, language: Language) -> tuple[Sentence, ...]:
    found: list[Sentence] = []
    for raw in _spans(text):
        found_tokens = tokens(raw)
        if not found_tokens:
            continue
        found_stems = stems(found_tokens, language)
        found.append(
            Sentence(
                text=raw,
                all_stems=frozenset(found_stems),
                has_number=bool(_NUMBER.search(raw)),
                is_list=is_list(raw, found_tokens, language),
                words=tuple(found_tokens),
                word_stems=tuple(found_stems),
            )
        )
    return tuple(_bullet_runs(found, language))


# Bullet lines this many in a row, each as short as an enumeration's items, are one list.
BULLET_RUN_MIN = 3


def _bullet_runs(found: list[Sentence], language: Language) -> list[Sentence]:
    """Short bullet lines in a run are an enumeration spread over lines ("- warmup / - stuck / - curvature")."""
    short = [s.text.startswith(BULLETS) and len(s.words) <= ENUMERATION_MAX_ITEM_WORDS[language] for s in found]
    listed = in_runs(short, BULLET_RUN_MIN)
    return [replace(s, is_list=True) if i in listed else s for i, s in enumerate(found)]


def in_runs(flags: list[bool], minimum: int, passable: list[bool] | None = None) -> set[int]:
    """The indices of the flagged items in runs of at least `minimum` in a row; a `passable` item
    neither counts nor ends a run."""
    found: set[int] = set()
    run: list[int] = []
    for i, flag in enumerate([*flags, False]):
        if flag:
            run.append(i)
        elif not (passable and i < len(flags) and passable[i]):
            if len(run) >= minimum:
                found.update(run)
            run = []
    return found


# A sentence whose words are this rarely function words names terms without relating them.
KEYWORDS_FUNCTION_SHARE = 0.0
KEYWORDS_MIN_WORDS = 5
# Comma-separated fragments this short are an enumeration, not clauses.
ENUMERATION_MIN_ITEMS = 4
# French takes a word more for the same term ("procédure d'entraînement", "training procedure").
ENUMERATION_MAX_ITEM_WORDS: dict[Language, int] = {"en": 4, "fr": 5}


def is_list(raw: str, found_tokens: list[str], language: Language) -> bool:
    """True for a list of terms, a string of keywords or a heading: nothing is said about them."""
    stop = stop_words(language)
    function_share = sum(t in stop for t in found_tokens) / len(found_tokens)
    if len(found_tokens) >= LIST_MIN_WORDS and function_share < LIST_FUNCTION_SHARE:
        return True
    if len(found_tokens) >= KEYWORDS_MIN_WORDS and function_share <= KEYWORDS_FUNCTION_SHARE:
        return True
    items = [i for i in re.split(ITEM_SEPARATOR, raw) if words(i)]
    if len(items) >= ENUMERATION_MIN_ITEMS and max(len(words(i)) for i in items) <= ENUMERATION_MAX_ITEM_WORDS[language]:
        return True
    # A bullet line or heading without a verb-bearing function word.
    return raw.lstrip().startswith(("#", *BULLETS)) and function_share < LIST_FUNCTION_SHARE
