"""Warnings for a rubric's phrases that the offline scorer reads as less than they say (pure).

A phrase is matched on the stems of its content words: function words, one-letter words and
the digits of a number are not read. A misconception reduced to one stem fires on any sentence
that asserts that word ("cooperate with each other" is "cooper"); "auc of 0.3 is useless" is
"auc useless". And a reference answer is true by construction: where the offline scorer reads it
as stating a mistake, a candidate who says the same would be called wrong. `interviewer personas
validate` prints these, so a rubric author sees them."""

from __future__ import annotations

from collections.abc import Iterator

from interviewer.assessment.text import detect_language, phrase, stop_words, tokens
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import KeyPoint, Misconception, Rubric

LANGUAGES: tuple[Language, ...] = ("en", "fr")


# French one-letter words that are verbs or pronouns ("il y a"): saying nothing a phrase needs.
_FUNCTION_LETTERS = {"en": frozenset(), "fr": frozenset({"a", "y"})}


def _unread(text: str, language: Language) -> list[str]:
    """Words of the phrase that carry meaning yet leave no stem behind: a symbol ("k", "p") or
    the digits of a number ("0.5" is read as nothing)."""
    skip = stop_words(language) | _FUNCTION_LETTERS[language]
    return [w for w in tokens(text) if w not in skip and len(w.strip("'")) <= 1]


def _items(rubric: Rubric) -> Iterator[tuple[str, KeyPoint | Misconception]]:
    for question_id, key in rubric.questions.items():
        where = f"questions.{question_id}"
        yield from ((f"{where}.key_points[{i}]", p) for i, p in enumerate(key.key_points))
        yield from ((f"{where}.misconceptions[{i}]", m) for i, m in enumerate(key.misconceptions))
        for topic in key.topics:
            at = f"{where}.topics.{topic.id}"
            yield from ((f"{at}.key_points[{i}]", p) for i, p in enumerate(topic.key_points))
            yield from ((f"{at}.misconceptions[{i}]", m) for i, m in enumerate(topic.misconceptions))


def phrase_warnings(rubric: Rubric) -> list[str]:
    """One line per phrase read as less than it says."""
    found: list[str] = []
    for where, item in _items(rubric):
        for language in LANGUAGES:
            for text in getattr(item, language):
                required = phrase(text, language).required
                unread = _unread(text, language)
                if isinstance(item, Misconception) and len(required) < 2:
                    found.append(f"{where}.{language} {text!r}: a mistake read from one word ({', '.join(sorted(required))}); any sentence asserting it matches")
                elif unread:
                    found.append(f"{where}.{language} {text!r}: {', '.join(unread)} not read (one-letter words and digits are skipped)")
    return found


def reference_warnings(persona: Persona, rubric: Rubric) -> list[str]:
    """One line per mistake the offline scorer finds in a reference answer of the persona's
    questions (lists only, without the models: what a rule or a phrase misreads)."""
    from interviewer.assessment.scoring import assess

    found: list[str] = []
    for question in persona.questions:
        key = rubric.questions.get(question.id)
        if key is None or not key.reference_answer:
            continue
        language: Language = detect_language(key.reference_answer) or "en"
        read = assess(
            thread=key.reference_answer, latest=key.reference_answer, question=question, rubric=rubric, language=language,
            min_words=1, use_model=False,
        )
        for kind, findings in (("contradicting", read.contradictions), ("stating the misconception", read.misconceptions)):
            found += [
                f"questions.{question.id}.reference_answer: {f.quote[:80]!r} is read as {kind} {f.about!r}; a candidate saying the same would be called wrong"
                for f in findings
            ]
    return found
