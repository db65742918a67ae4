"""How the offline scorer grades "present an algorithm you know well", the technical round's opening
question, on presentations written apart from the rubric's data (bench/devset/presentations.jsonl:
14 algorithms, English and French, each a correct complete presentation, a fluent wrong one and a
correct thin one, written for this project by someone who had not seen the rubric's topics).

Prints, per kind, the mean overall and how many meet the issue's bars (a correct complete
presentation at least 3.5; a fluent wrong one under 2.5 with correctness at most 2), and how many
English and French presentations of the same algorithm and kind differ by more than one level on
a criterion (they are written apart, not translated). To measure older code, put it first on the
path: `git archive REV | tar -x -C /tmp/before && PYTHONPATH=/tmp/before .venv/bin/python bench/presentations.py`.

    .venv/bin/python bench/presentations.py
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from interviewer.assessment.scoring import assess
from interviewer.catalog.loading import load_catalog
from interviewer.ops.settings import PROJECT_ROOT

DEVSET = Path(__file__).resolve().parent / "devset" / "presentations.jsonl"
QUESTION = "tml-present-algorithm"


def main() -> None:
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    persona = catalog.personas["technical-ml"]
    rubric = catalog.rubric_for(persona)
    question = persona.question(QUESTION)
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    results: dict[tuple[str, str, str], dict[str, int | None]] = {}
    by_kind: dict[str, list[tuple[float | None, bool]]] = {}
    for row in rows:
        a = assess(thread=row["text"], latest=row["text"], question=question, rubric=rubric, language=row["language"], min_words=persona.min_answer_words)
        # Older code has no `assessed`: every score was assessed then.
        scored = {s.criterion_id: (s.score if getattr(s, "assessed", True) else None) for s in a.scores}
        weights = {c: rubric.criterion(c).weight for c, v in scored.items() if v is not None}
        overall = sum(scored[c] * w for c, w in weights.items()) / sum(weights.values()) if weights else None  # type: ignore[operator]
        correctness = scored.get("correctness")
        if row["kind"] == "right":
            meets = overall is not None and overall >= 3.5
        elif row["kind"] == "wrong":
            meets = overall is not None and overall < 2.5 and correctness is not None and correctness <= 2
        else:
            meets = True
        by_kind.setdefault(row["kind"], []).append((overall, meets))
        results[(row["algorithm"], row["language"], row["kind"])] = scored
    print(f"\n{len(rows)} presentations of {len({r['algorithm'] for r in rows})} algorithms\n")
    print("| kind | n | mean overall | meet the bar |\n|---|---|---|---|")
    bars = {"right": "overall >= 3.5", "wrong": "overall < 2.5, correctness <= 2"}
    for kind, found in by_kind.items():
        overalls = [o for o, _ in found if o is not None]
        met = f"{sum(m for _, m in found)} ({bars[kind]})" if kind in ("right", "wrong") else "no bar"
        print(f"| {kind} | {len(found)} | {statistics.fmean(overalls):.2f} | {met} |")
    pairs = [(k, v, results[(k[0], "fr", k[2])]) for k, v in results.items() if k[1] == "en" and (k[0], "fr", k[2]) in results]
    apart = sum(any((e[c] is None) != (f[c] is None) or (e[c] is not None and abs(e[c] - f[c]) > 1) for c in e) for _, e, f in pairs)  # type: ignore[operator]
    print(f"\nEnglish and French of the same algorithm and kind more than one level apart on a criterion: {apart} of {len(pairs)}")


if __name__ == "__main__":
    main()
