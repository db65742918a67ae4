"""The rubric recited back to its own scorer: for every question with key points, in every round and
both languages, three content-free answers made of the rubric's words, scored offline as the
report scores them (the overall held at the rubric's `mistake_cap` when every content criterion is
2 or less). The issue's bar: a bare list of the rubric's key points scores under 2.5.

- `labels`: the key points' labels joined by commas ("the mistake, owns it, what they did about it,
  the lesson."); then one per line, numbered, as sentences, joined by "and", and after a lead-in
  ("The key points are: ...");
- `bullets`: each key point's first phrase in the answer's language, one bullet line each; then numbered;
- `every phrase`: all the key points' phrases joined by semicolons.

Prints, per round and recital, how many score 2.5 or more, then each of them. To measure older
code, put it first on the path:
`git archive REV | tar -x -C /tmp/before && PYTHONPATH=/tmp/before .venv/bin/python bench/recitals.py`.

    .venv/bin/python bench/recitals.py
"""

from __future__ import annotations

from collections import Counter

from interviewer.assessment.scoring import assess
from interviewer.catalog.loading import load_catalog
from interviewer.catalog.rubrics import KeyPoint
from interviewer.feedback.overall import FELL_SHORT, capped, weighted
from interviewer.ops.settings import PROJECT_ROOT

BAR = 2.5


def recitals(points: list[KeyPoint], language: str) -> dict[str, str]:
    phrases = [list(p.fr if language == "fr" else p.en) for p in points]
    labels = [p.label for p in points]
    return {
        "labels": ", ".join(labels) + ".",
        "labels, one per line": "\n".join(labels),
        "labels, numbered": "\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1)),
        "labels, as sentences": " ".join(f"{label[0].upper()}{label[1:]}." for label in labels),
        "labels, joined by and": " and ".join(labels) + ".",
        "labels, after a lead-in": "The key points are: " + ", ".join(labels) + ".",
        "bullets": "\n".join(f"- {found[0]}" for found in phrases),
        "phrases, numbered": "\n".join(f"{n}) {found[0]}" for n, found in enumerate(phrases, 1)),
        "every phrase": "; ".join(text for found in phrases for text in found) + ".",
    }


def main() -> None:
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    scored: Counter[tuple[str, str]] = Counter()
    passed: Counter[tuple[str, str]] = Counter()
    above: list[str] = []
    for persona_id, persona in sorted(catalog.personas.items()):
        rubric = catalog.rubric_for(persona)
        for question in persona.questions:
            key = rubric.questions.get(question.id)
            if key is None or not key.key_points:
                continue
            for language in ("en", "fr"):
                for kind, text in recitals(key.key_points, language).items():
                    a = assess(thread=text, latest=text, question=question, rubric=rubric, language=language, min_words=persona.min_answer_words)  # type: ignore[arg-type]
                    scores = {s.criterion_id: s.score for s in a.scores if s.assessed}
                    if not scores:
                        continue
                    content = [v for c, v in scores.items() if rubric.criterion(c).offline == "content"]
                    held = bool(a.contradictions or a.misconceptions or a.doubted is not None or (content and max(content) <= FELL_SHORT))
                    value = capped(weighted(scores, rubric) or 0.0, held=held, rubric=rubric)
                    scored[(persona_id, kind)] += 1
                    if value >= BAR:
                        passed[(persona_id, kind)] += 1
                        above.append(f"| {persona_id} | {question.id} | {language} | {kind} | {value:.2f} |")
    print(f"\nRecitals of the rubric scoring {BAR} or more (the bar: under {BAR})\n")
    print("| round | recital | scored | 2.5 or more |\n|---|---|---|---|")
    for (persona_id, kind), n in sorted(scored.items()):
        print(f"| {persona_id} | {kind} | {n} | {passed[(persona_id, kind)]} |")
    print(f"| all | all | {sum(scored.values())} | {sum(passed.values())} |")
    if above:
        print("\n| round | question | language | recital | overall |\n|---|---|---|---|---|")
        print("\n".join(above))


if __name__ == "__main__":
    main()
