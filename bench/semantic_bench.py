"""What the paraphrase signal and the learned reader cost: cold load, time per answer, and install size.

Budget (issue #11): at most 50 ms per answer on this machine, a cold load of at most 2 s, and at
most 200 MB of extra install. Each measurement runs in a fresh process so the cold load is real.
Run: .venv/bin/python bench/semantic_bench.py [answers]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The packages the signal adds to the install; tokenizers also comes with litellm.
EXTRA = ("onnxruntime", "numpy", "flatbuffers", "protobuf")


def _installed_bytes(package: str) -> int:
    try:
        files = metadata.files(package) or []
    except metadata.PackageNotFoundError:
        return 0
    return sum(f.locate().stat().st_size for f in files if f.locate().exists())


def _worker(answers: int, semantic_on: bool) -> dict[str, float]:
    """Score the first answers of the DSI bank against their references; time the load and each answer."""
    os.environ["INTERVIEWER_SEMANTIC"] = "on" if semantic_on else "off"
    from interviewer.assessment import evaluation, reader, semantic

    bank = evaluation.load_question_bank()
    started = time.perf_counter()
    # Both models load lazily on the first answer; the cold load is theirs together.
    loaded = semantic.available() and reader.available()
    load_s = time.perf_counter() - started
    items = [(q.question, q.reference_answer, evaluation.first_half(q.reference_answer)) for q in bank[:answers]]
    timings = []
    for question, reference, answer in items:
        t = time.perf_counter()
        evaluation.offline_quality(question, reference, answer)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    # A live turn: a whole answer to a rubric question with key points (the dev set's answers).
    from interviewer.assessment.scoring import assess
    from interviewer.catalog.loading import load_catalog

    catalog = load_catalog(ROOT / "personas", ROOT / "rubrics")
    persona = catalog.persona("technical-ml")
    rubric = catalog.rubric_for(persona)
    turns = []
    rows = [json.loads(line) for line in (ROOT / "bench/devset/technical-answers-3.jsonl").open(encoding="utf-8")][:answers]
    for row in rows:
        question = persona.question(row["question_id"])
        t = time.perf_counter()
        assess(thread=row["text"], latest=row["text"], question=question, rubric=rubric, language=row["language"], min_words=5)
        turns.append((time.perf_counter() - t) * 1000)
    turns.sort()
    return {
        "model_loaded": float(loaded),
        "cold_load_s": load_s,
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "mean_ms": statistics.fmean(timings),
        "turn_p50_ms": statistics.median(turns),
        "turn_p95_ms": turns[int(0.95 * (len(turns) - 1))],
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(_worker(int(sys.argv[2]), sys.argv[3] == "on")))
        return
    answers = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"offline scorer: {answers} DSI answers against their reference, and {answers} technical-round answers (the dev")
    print(f"set's) against their key points, one fresh process per mode; load average now {os.getloadavg()[0]:.1f}")
    for mode in ("off", "on"):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", str(answers), mode], capture_output=True, text=True, check=True, cwd=ROOT
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"semantic {mode:<3}  model loaded={bool(r['model_loaded'])!s:<5}  cold load {r['cold_load_s']:.2f} s  "
            f"against a reference: p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms; "
            f"a turn against key points: p50 {r['turn_p50_ms']:.1f} ms, p95 {r['turn_p95_ms']:.1f} ms"
        )
    sizes = {p: _installed_bytes(p) for p in EXTRA}
    # The model files ship inside this package (interviewer/data/embedding/).
    from interviewer.assessment import reader, semantic

    sizes["the embedding model"] = semantic._model_file().stat().st_size
    sizes["the reader"] = reader._model_file().stat().st_size
    print("extra install: " + ", ".join(f"{p} {b / 1e6:.1f} MB" for p, b in sizes.items()) + f"; total {sum(sizes.values()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
