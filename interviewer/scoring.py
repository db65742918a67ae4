"""Score an answer against a rubric, lexically and deterministically (no model, no I/O).

What was said (content) is measured by the question's key points and, where the rubric has
one, recall of its reference answer; how it was said (cues) by each criterion's signal
phrases. Repetition and filler lower a focus factor, so padding never raises a score.
The same analysis gives the engine its quick assessment: too short, hedging, off topic,
and which criteria still lack evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from interviewer.catalog import Criterion, KeyPoint, Language, Question, QuestionKey, Rubric
from interviewer.text import Sentence, content_stems, phrase, sentences, words

# Quality in [0, 1] maps to a 1-5 level through these lower bounds of levels 2, 3, 4, 5.
LEVEL_BOUNDS = (0.15, 0.35, 0.55, 0.75)
# A criterion scored at or below this still lacks evidence, so it deserves a follow-up.
LACKING_AT_OR_BELOW = 2
MAX_QUOTES = 2
# A quote is a sentence of the answer; one without punctuation is cut to a prefix (still a substring).
MAX_QUOTE_CHARS = 300
# What is said only inside a list of terms earns this share of the credit of an explanation.
LIST_CREDIT = 0.5

_HEDGES = {
    "en": [
        r"\bi (?:really )?(?:do not|don't|dont) know\b", r"\bno idea\b", r"\bnot sure\b",
        r"\bi (?:can't|cannot) remember\b", r"\bi forgot\b", r"\bi guess\b", r"\bmaybe\b",
        r"\bno clue\b", r"\bidk\b", r"\bdunno\b", r"\bi (?:have )?never studied\b", r"\bi haven't studied\b",
        r"\bi would (?:only )?be guessing\b",
        r"\bhard to say\b", r"\bi have never (?:heard|seen|used)\b", r"\bi(?:'ll| will)? pass\b",
    ],
    "fr": [
        r"\bje ne sais pas\b", r"\bje sais pas\b", r"\bj'sais pas\b", r"\baucune idée\b", r"\bpas sûr",
        r"\bje n'en sais rien\b", r"\bpas la moindre idée\b",
        r"\bje ne me souviens (?:pas|plus)\b", r"\bj'ai oublié\b", r"\bpeut-être\b",
        r"\bdifficile à dire\b", r"\bje n'ai jamais\b", r"\bje passe (?:mon tour|la question)\b",
    ],
}


@dataclass(frozen=True)
class CriterionScore:
    criterion_id: str
    score: int
    rationale: str
    evidence: list[str]
    flagged: bool = False


@dataclass(frozen=True)
class Assessment:
    """What the engine needs from an answer, plus the full per-criterion scores."""

    words: int
    too_short: bool
    hedges: bool
    off_topic: bool
    lacking: list[str]
    covered_key_points: list[str]
    missing_key_points: list[str]
    content: float
    focus: float
    scores: list[CriterionScore] = field(default_factory=list)


def level_of(quality: float) -> int:
    return 1 + sum(quality >= bound for bound in LEVEL_BOUNDS)


def _hedge_count(text: str, language: Language) -> int:
    lowered = text.lower().replace("’", "'")
    return sum(len(re.findall(p, lowered)) for p in _HEDGES[language])


def _hedges(text: str, word_count: int, content: float, min_words: int, language: Language) -> bool:
    # "I don't know, but I would reason like this" is honest; a hedge with nothing after it is not.
    hits = _hedge_count(text, language)
    if hits == 0:
        return False
    # With next to no content, any admission is the answer; otherwise only a dense one is.
    return content < 0.15 or (hits * 12 >= word_count and (content < 0.35 or word_count < 2 * min_words))


def _matching_sentences(phrases: list[str], found: list[Sentence], language: Language) -> list[Sentence]:
    compiled = [phrase(p, language) for p in phrases]
    return [s for s in found if any(p.found_in(s) for p in compiled)]


def _key_point_hits(
    key_points: list[KeyPoint], found: list[Sentence], language: Language
) -> tuple[list[KeyPoint], list[KeyPoint], list[Sentence], float]:
    """Covered and missing key points, the sentences that carry them (richest first), and the
    credit earned: a point only ever named inside a list of terms earns LIST_CREDIT."""
    covered, missing = [], []
    credit = 0.0
    carried: Counter[int] = Counter()
    for point in key_points:
        hits = [i for i, s in enumerate(found) if any(phrase(p, language).found_in(s) for p in point.phrases(language))]
        (covered if hits else missing).append(point)
        if hits:
            credit += 1.0 if any(not found[i].is_list for i in hits) else LIST_CREDIT
        carried.update(hits)
    ranked = sorted(carried, key=lambda i: (-carried[i], i))
    return covered, missing, [found[i] for i in ranked], credit


def _reference_recall(found: list[Sentence], reference: str | None, language: Language) -> float | None:
    if not reference:
        return None
    ref = set(content_stems(reference, language))
    if not ref:
        return None
    explained = set().union(*(s.all_stems for s in found if not s.is_list)) & ref
    listed = set().union(*(s.all_stems for s in found if s.is_list)) & ref - explained
    return (len(explained) + LIST_CREDIT * len(listed)) / len(ref)


def _focus(answer_tokens: list[str], relevant: set[str], found: list[Sentence]) -> float:
    """1.0 for a dense, non-repetitive answer; lower for filler, repetition and rambling."""
    if not answer_tokens:
        return 0.0
    counts = Counter(answer_tokens)
    # Tokens beyond a word's third use are repetition, not information.
    repeated = sum(max(0, c - 3) for c in counts.values()) / len(answer_tokens)
    distinct_sentences = len({s.text.lower() for s in found}) / max(1, len(found))
    on_topic = sum(counts[t] for t in counts if t in relevant) / len(answer_tokens)
    density = min(1.0, 0.55 + on_topic)
    return max(0.0, min(1.0, density * distinct_sentences * (1.0 - repeated)))


def _quotes(found: list[Sentence], limit: int = MAX_QUOTES) -> list[str]:
    return [s.text[:MAX_QUOTE_CHARS] for s in found[:limit]]


def merge_answers(answers: list[str], language: Language) -> str:
    """The answers to one question as one text, without sentences restated from earlier answers:
    repeating yourself after a follow-up is neither new evidence nor padding."""
    seen: set[str] = set()
    merged: list[str] = []
    for answer in answers:
        found = sentences(answer, language)
        kept = [s.text for s in found if s.text.lower() not in seen]
        seen |= {s.text.lower() for s in found}
        if kept:
            # One sentence per line, so splitting the merged text again gives the same sentences.
            merged.append("\n".join(kept))
    return "\n".join(merged)


def _criterion_score(
    criterion: Criterion,
    *,
    m: Measure,
    key_point_count: int,
    hedges: bool,
    too_short: bool,
    language: Language,
) -> CriterionScore:
    cues = criterion.signals.get(language) if criterion.signals else []
    cue_hits = _matching_sentences(cues, m.found, language)
    distinct_cues = sorted({c for c in cues if any(phrase(c, language).found_in(s) for s in cue_hits)})
    cue = min(1.0, len(distinct_cues) / 2)
    quality = (criterion.content_weight * m.content + (1 - criterion.content_weight) * cue) * m.focus
    if hedges:
        quality *= 0.5
    score = level_of(quality)
    if too_short:
        score = min(score, 3)
    # Quote what the criterion rests on: key-point sentences for content, cue sentences for manner.
    if criterion.content_weight >= 0.5:
        evidence = m.key_point_evidence or cue_hits
    else:
        evidence = cue_hits or m.key_point_evidence
    parts = [f"Level {score}."]
    if key_point_count and criterion.content_weight > 0:
        parts.append(f"Covers {len(m.covered)} of {key_point_count} key points.")
    if criterion.content_weight < 1:
        parts.append(f"Signs of {criterion.name.lower()}: {', '.join(distinct_cues[:3])}." if distinct_cues else f"No sign of {criterion.name.lower()}.")
    if m.focus < 0.8:
        parts.append("Repetition or off-topic filler lowered the score.")
    if hedges:
        parts.append("Mostly hedging, with little substance.")
    if too_short:
        parts.append("Too short to show more than level 3.")
    return CriterionScore(criterion_id=criterion.id, score=score, rationale=" ".join(parts), evidence=_quotes(evidence))


def criteria_for(question: Question, rubric: Rubric) -> list[Criterion]:
    ids = question.criteria or [c.id for c in rubric.criteria]
    return [rubric.criterion(i) for i in ids]


@dataclass(frozen=True)
class Measure:
    """What was said about a question, measured against its key points and reference answer."""

    found: list[Sentence]
    content: float
    focus: float
    relevant: frozenset[str]
    covered: list[KeyPoint]
    missing: list[KeyPoint]
    key_point_evidence: list[Sentence]

    @property
    def quality(self) -> float:
        return self.content * self.focus


def measure(
    text: str,
    *,
    question_text: str,
    key_points: list[KeyPoint],
    reference_answer: str | None,
    language: Language,
    cue_phrases: list[str] | None = None,
) -> Measure:
    found = sentences(text, language)
    tokens = content_stems(text, language)
    covered, missing, evidence, credit = _key_point_hits(key_points, found, language)
    # Reference answers are written in English; French answers are judged on bilingual key points.
    recall = _reference_recall(found, reference_answer, language) if language == "en" else None
    coverage = credit / len(key_points) if key_points else None
    if coverage is not None and recall is not None:
        content = 0.6 * coverage + 0.4 * min(1.0, recall * 1.5)
    else:
        content = coverage if coverage is not None else min(1.0, (recall or 0.0) * 1.2)
    relevant = set(content_stems(question_text, language))
    for point in key_points:
        for text_ in point.phrases(language):
            relevant |= phrase(text_, language).required
    if reference_answer:
        relevant |= set(content_stems(reference_answer, language))
    for cue in cue_phrases or []:
        relevant |= phrase(cue, language).required
    return Measure(
        found=found,
        content=content,
        focus=_focus(tokens, relevant, found),
        relevant=frozenset(relevant),
        covered=covered,
        missing=missing,
        key_point_evidence=evidence,
    )


def assess(
    *,
    thread: str,
    latest: str,
    question: Question,
    rubric: Rubric,
    language: Language,
    min_words: int,
) -> Assessment:
    """Assess everything said about a question so far (`thread`); length and hedging use `latest`."""
    key: QuestionKey | None = rubric.questions.get(question.id)
    criteria = criteria_for(question, rubric)
    m = measure(
        thread,
        question_text=question.text.get(language),
        key_points=key.key_points if key else [],
        reference_answer=key.reference_answer if key else None,
        language=language,
        cue_phrases=[p for c in criteria if c.signals for p in c.signals.get(language)],
    )
    latest_words = len(words(latest))
    too_short = latest_words < min_words
    hedges = _hedges(latest, latest_words, m.content, min_words, language)
    # Scores judge the whole thread: a failed deeper follow-up does not erase an earlier good answer.
    thread_words = len(words(thread))
    thread_hedges = _hedges(thread, thread_words, m.content, min_words, language)
    thread_stems = set(content_stems(thread, language))
    on_topic_share = len(thread_stems & m.relevant) / max(1, len(thread_stems))
    off_topic = latest_words >= min_words and not m.covered and on_topic_share < 0.12

    key_point_count = len(key.key_points) if key else 0
    scores = [
        _criterion_score(
            c, m=m, key_point_count=key_point_count, hedges=thread_hedges,
            too_short=thread_words < min_words, language=language,
        )
        for c in criteria
    ]
    if off_topic:
        scores = [CriterionScore(s.criterion_id, 1, s.rationale + " Off topic for this question.", s.evidence) for s in scores]
    lacking = [s.criterion_id for s in scores if s.score <= LACKING_AT_OR_BELOW or not s.evidence]
    return Assessment(
        words=latest_words,
        too_short=too_short,
        hedges=hedges,
        off_topic=off_topic,
        lacking=lacking,
        covered_key_points=[p.label for p in m.covered],
        missing_key_points=[p.label for p in m.missing],
        content=m.content,
        focus=m.focus,
        scores=scores,
    )


def verify_evidence(quotes: list[str], answer: str) -> tuple[list[str], bool]:
    """Keep only quotes that really occur in the answer; flag the score when any was dropped."""
    normalized = " ".join(answer.split()).lower()
    kept = [q for q in quotes if q.strip() and " ".join(q.split()).lower() in normalized]
    return kept, len(kept) != len(quotes)
