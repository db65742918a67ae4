"""How well the learned reader tells correct answers from fluent wrong ones, by language and by
reading: an English answer as written; a French answer as written, as its English gloss
(interviewer/assessment/gloss.py) and both averaged, which is what the scorer uses.

For each, over the correct and wrong answers of the given sets (questions with key points only, as
the scorer reads them): the chance that a correct answer reads above a wrong one, over all pairs and
over pairs to the same question, and how many of each kind read under the language's doubt threshold
(interviewer/assessment/scoring.py). By default the dev sets the shipped reader never trained on.

    .venv/bin/python bench/reader_readings.py [FILE.jsonl ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from interviewer.assessment import reader, scoring
from interviewer.assessment.gloss import english_gloss
from interviewer.catalog.loading import load_catalog
from interviewer.ops.settings import PROJECT_ROOT

DEVSET = Path(__file__).resolve().parent / "devset"
# The reader trained on the clean sets up to heldout-10; these came after (heldout-18 and -19 are
# left out: they are kept unread for scoring by counts).
NEVER_TRAINED_ON = [f"technical-heldout-{n}.jsonl" for n in range(11, 18)] + ["technical-parity.jsonl"]

Read = tuple[float, str, str]  # (chance, kind, question id)


def pairwise(reads: list[Read], same_question: bool) -> float:
    right = [(p, q) for p, k, q in reads if k == "right"]
    wrong = [(p, q) for p, k, q in reads if k == "wrong"]
    pairs = [(r, w) for r, qr in right for w, qw in wrong if not same_question or qr == qw]
    return sum((r > w) + 0.5 * (r == w) for r, w in pairs) / len(pairs)


def main(paths: list[Path]) -> None:
    if not reader.available():
        sys.exit("the learned reader is not installed (onnxruntime, or INTERVIEWER_SEMANTIC=off)")
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    persona = catalog.personas["technical-ml"]
    rubric = catalog.rubric_for(persona)
    readings: dict[tuple[str, str], list[Read]] = {}
    for path in paths:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows:
            key = rubric.questions.get(row["question_id"])
            if key is None or key.topics or not key.key_points or row["kind"] not in ("right", "wrong"):
                continue
            language, text = row["language"], row["text"]
            question = persona.question(row["question_id"]).text.get(language)
            # Read as English text reads it (once), then as the scorer reads the answer's language.
            found = {"as written": reader.probability(question, key.reference_answer, text)}
            if language == "fr":
                found["the gloss alone"] = reader.probability(question, key.reference_answer, english_gloss(text))
                found["both averaged (used)"] = reader.probability(question, key.reference_answer, text, "fr")
            for reading, chance in found.items():
                readings.setdefault((language, reading), []).append((chance or 0.0, row["kind"], row["question_id"]))
    print(f"sets: {', '.join(p.name for p in paths)}\n")
    print("| language | reading | correct / wrong | correct above wrong, all pairs | same question | under the doubt threshold: correct / wrong |")
    print("|---|---|---|---|---|---|")
    for (language, reading), reads in readings.items():
        threshold = scoring.DOUBT_BELOW["en" if reading == "as written" and language == "fr" else language]  # type: ignore[index]
        under = {k: sum(p < threshold for p, kind, _ in reads if kind == k) for k in ("right", "wrong")}
        n = {k: sum(kind == k for _, kind, _ in reads) for k in ("right", "wrong")}
        print(
            f"| {language} | {reading} | {n['right']} / {n['wrong']} | {pairwise(reads, False):.3f} | {pairwise(reads, True):.3f} "
            f"| {under['right']} / {under['wrong']} (under {threshold:.0%}) |"
        )


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or [DEVSET / name for name in NEVER_TRAINED_ON])
