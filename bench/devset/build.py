"""Rebuild the human-graded dev sets for `interviewer eval scorer` from local checkouts.

Standard library only. Each set becomes one JSONL file of graded answers
({"id", "question", "reference_answer", "answer", "score", "kind", "source"}, scores on 0-5)
plus a dev/test split made by question, so weights fitted on dev are reported on unseen questions.

    python bench/devset/build.py mohler PATH      # PATH: a checkout holding mohler_dataset_edited.csv
    python bench/devset/build.py semeval PATH     # PATH: a checkout holding SemEval-2013 Task 7 XML files
    options: --out DIR (default /tmp/devset), --seed N, --dev-share F,
             --max-per-question N (a seeded sample of N answers per question, written as NAME-capN)

Sources and licences: see bench/devset/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

SEED = 11
DEV_SHARE = 0.6
MOHLER_FILE = "mohler_dataset_edited.csv"

# SemEval-2013 Task 7 labels on the 0-5 scale; None drops the answer (not about the question's domain).
# 2-way files only say correct/incorrect; 5-way files keep the finer labels.
SEMEVAL_SCORES: dict[str, float | None] = {
    "correct": 5.0,
    "partially_correct_incomplete": 3.0,
    "contradictory": 1.0,
    "irrelevant": 1.0,
    "non_domain": None,
    "incorrect": 0.0,
}

Record = dict[str, object]


def _clean(text: str | None) -> str:
    # The sources carry stray double spaces and line breaks inside answers.
    return " ".join((text or "").split())


# ---------------------------------------------------------------- Mohler / Texas (UNT CS data structures)


def mohler_records(checkout: Path) -> list[Record]:
    """Two graders' 0-5 grades averaged; the file's own averaged column is kept as is."""
    found = [checkout] if checkout.is_file() else sorted(checkout.rglob(MOHLER_FILE))
    if not found:
        raise SystemExit(f"{checkout}: no {MOHLER_FILE} found")
    records: list[Record] = []
    with found[0].open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), 1):
            answer = _clean(row["student_answer"])
            if not answer:
                continue
            records.append({
                "id": f"mohler-{row['id']}-{number}",
                "question": _clean(row["question"]),
                "reference_answer": _clean(row["desired_answer"]),
                "answer": answer,
                "score": float(row["score_avg"]),
                "source": f"mohler2011/{row['id']}",
            })
    return records


# ---------------------------------------------------------------- SemEval-2013 Task 7 (Beetle, SciEntsBank)


def _corpus_of(path: Path) -> str | None:
    parts = [p.lower() for p in path.parts]
    if "beetle" in parts:
        return "beetle"
    if "scientsbank" in parts:
        return "scientsbank"
    return None


def _split_of(path: Path) -> str:
    for part in path.parts:
        if part.startswith("test-unseen-"):
            return part.removeprefix("test-")
    return "train"


def _reference(root: ET.Element) -> str:
    # Beetle lists several reference answers; the first BEST one is the canonical answer.
    refs = root.findall("./referenceAnswers/referenceAnswer")
    best = [r for r in refs if r.get("category", "BEST") == "BEST"] or refs
    return _clean(best[0].text) if best else ""


def semeval_records(checkout: Path) -> dict[str, list[Record]]:
    by_corpus: dict[str, list[Record]] = {"beetle": [], "scientsbank": []}
    seen: set[tuple[str, str]] = set()
    # The finest label scheme first, so an answer present in several schemes keeps its 5-way label.
    for path in sorted(checkout.rglob("*.xml"), key=lambda p: ("5way" not in str(p).lower(), str(p))):
        corpus = _corpus_of(path.relative_to(checkout))
        if corpus is None:
            continue
        root = ET.parse(path).getroot()
        if root.tag != "question":
            continue
        question = _clean(root.findtext("questionText"))
        reference = _reference(root)
        split = _split_of(path.relative_to(checkout))
        for node in root.findall("./studentAnswers/studentAnswer"):
            label = node.get("accuracy", "")
            if label not in SEMEVAL_SCORES:
                raise SystemExit(f"{path}: unknown label {label!r}")
            score = SEMEVAL_SCORES[label]
            answer = _clean(node.text)
            key = (corpus, node.get("id", ""))
            # The same answer id can sit in several label schemes of one release; keep it once.
            if score is None or not answer or key in seen:
                continue
            seen.add(key)
            by_corpus[corpus].append({
                "id": f"{corpus}-{node.get('id')}",
                "question": question,
                "reference_answer": reference,
                "answer": answer,
                "score": score,
                "kind": label,
                "source": f"semeval2013-task7/{corpus}/{split}/{root.get('id')}",
            })
    return {name: records for name, records in by_corpus.items() if records}


# ---------------------------------------------------------------- split and write


def split_by_question(records: list[Record], *, seed: int, dev_share: float) -> tuple[list[Record], list[Record]]:
    """Whole questions go to dev or test, so a fit on dev is never scored on a question it saw."""
    questions = sorted({str(r["question"]) for r in records})
    random.Random(seed).shuffle(questions)
    dev_questions = set(questions[: round(len(questions) * dev_share)])
    dev = [r for r in records if r["question"] in dev_questions]
    test = [r for r in records if r["question"] not in dev_questions]
    return dev, test


def cap_per_question(records: list[Record], *, limit: int, seed: int) -> list[Record]:
    """A seeded sample of at most `limit` answers per question, in the source order; keeps files small."""
    rng = random.Random(seed)
    by_question: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_question.setdefault(str(record["question"]), []).append(index)
    kept = sorted(i for indices in by_question.values() for i in (rng.sample(indices, limit) if len(indices) > limit else indices))
    return [records[i] for i in kept]


def write_jsonl(path: Path, records: Iterable[Record]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def write_set(name: str, records: list[Record], out: Path, *, seed: int, dev_share: float) -> Iterator[str]:
    dev, test = split_by_question(records, seed=seed, dev_share=dev_share)
    for suffix, part in (("", records), ("-dev", dev), ("-test", test)):
        path = out / f"{name}{suffix}.jsonl"
        count = write_jsonl(path, part)
        yield f"{path}: {count} answers, {len({r['question'] for r in part})} questions"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=("mohler", "semeval"))
    parser.add_argument("checkout", type=Path, help="local checkout (or file) holding the source data")
    parser.add_argument("--out", type=Path, default=Path("/tmp/devset"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dev-share", type=float, default=DEV_SHARE)
    parser.add_argument("--max-per-question", type=int, default=None, metavar="N")
    args = parser.parse_args(argv)
    if not args.checkout.exists():
        parser.error(f"{args.checkout}: no such file or directory")
    sets = {"mohler": mohler_records(args.checkout)} if args.dataset == "mohler" else semeval_records(args.checkout)
    if not sets:
        parser.error(f"{args.checkout}: no graded answers found")
    for name, records in sets.items():
        if args.max_per_question:
            name, records = f"{name}-cap{args.max_per_question}", cap_per_question(
                records, limit=args.max_per_question, seed=args.seed
            )
        for line in write_set(name, records, args.out, seed=args.seed, dev_share=args.dev_share):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
