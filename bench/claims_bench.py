"""How long reading a take-home's claims offline takes, and what it asks first, per example write-up.

Claims are read once per take-home session, at start, in a worker thread.
Run: .venv/bin/python bench/claims_bench.py [repeats]
"""

from __future__ import annotations

import statistics
import sys
import time

from interviewer.catalog.loading import load_catalog
from interviewer.interview import documents
from interviewer.interview import takehome
from interviewer.ops.settings import PROJECT_ROOT

WRITEUPS = [
    ("examples/takehomes/rl-agent.md", "en"),
    ("examples/takehomes/slm-energy.md", "en"),
    ("examples/takehomes/tickets-fr.md", "fr"),
    ("examples/takehomes/tickets-fr.pdf", "fr"),
    ("tests/data/takehomes/sentiment-lora.md", "en"),
    ("tests/data/takehomes/rag-fr.md", "fr"),
    ("tests/data/takehomes/fraud-detection.txt", "en"),
]


def main(repeats: int) -> None:
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    persona = catalog.persona("takehome-review")
    rubric = catalog.rubric_for(persona)
    takehome.extract_claims("# warm-up\n\nI used LoRA.\n")  # compiles the glossary patterns once
    for relative, language in WRITEUPS:
        path = PROJECT_ROOT / relative
        text = documents.read_document(path.name, path.read_bytes())
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            claims = takehome.extract_claims(text, language=language)
            timings.append((time.perf_counter() - started) * 1000)
        _, _, records = takehome.with_claims(persona, rubric, claims)
        asked = [f"{r['claim'][:28]} ({r['status']})" for r in records if r["question_id"]]
        statuses = {s: sum(c.status == s for c in claims) for s in ("used", "proposed", "cited", "measured")}
        print(f"{path.name:24} {len(text.split()):5} words  {len(claims):3} claims  "
              f"median {statistics.median(timings):6.1f} ms  {statuses}")
        print(f"{'':24} asked: {'; '.join(asked)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
