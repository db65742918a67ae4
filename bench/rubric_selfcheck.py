"""The rubrics read by their own scorer: every reference answer and every misconception's
correction is true by construction, so each contradiction or misconception the offline scorer
finds in one is a misreading (a rule that reads "X, not Y" as stating Y, or a key-point phrase too
loose to be denied safely). Prints each finding, then the counts by round, language and kind.

    .venv/bin/python bench/rubric_selfcheck.py [--persona technical-ml] [--quiet]
"""

from __future__ import annotations

import argparse
from collections import Counter

from interviewer.assessment.scoring import assess
from interviewer.catalog.loading import load_catalog
from interviewer.ops.settings import PROJECT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persona", action="append", help="only these rounds (default: every round with a rubric's questions)")
    parser.add_argument("--quiet", action="store_true", help="print the counts only")
    args = parser.parse_args()
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for persona_id in args.persona or sorted(catalog.personas):
        persona = catalog.personas[persona_id]
        rubric = catalog.rubric_for(persona)
        for question in persona.questions:
            key = rubric.questions.get(question.id)
            if key is None:
                continue
            # The reference answers are in English; corrections are written in both languages.
            texts = [("en", "reference", key.reference_answer)] if key.reference_answer else []
            for misconception in [*key.misconceptions, *(m for t in key.topics for m in t.misconceptions)]:
                texts += [(language, "correction", misconception.correction.get(language)) for language in ("en", "fr")]
            for language, kind, text in texts:
                found = assess(thread=text, latest=text, question=question, rubric=rubric, language=language, min_words=1)  # type: ignore[arg-type]
                for finding_kind, findings in (("contradiction", found.contradictions), ("misconception", found.misconceptions)):
                    for f in findings:
                        counts[(persona_id, language, kind, finding_kind)] += 1
                        if not args.quiet:
                            print(f"{question.id} [{language}, {kind}] {finding_kind}: {f.quote[:140]!r} | about: {f.about}")
    print("\n| round | language | text | read as | count |\n|---|---|---|---|---|")
    for (persona_id, language, kind, finding_kind), n in sorted(counts.items()):
        print(f"| {persona_id} | {language} | {kind} | {finding_kind} | {n} |")
    print(f"\ntotal: {sum(counts.values())} misreadings of text the rubric itself says is true")


if __name__ == "__main__":
    main()
