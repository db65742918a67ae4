"""Fit the offline scorer's reference-answer weights (interviewer/assessment/content.py) on human grades.

The dev halves of several graded sets are pooled, each set weighing the same whatever its size,
so the fit is not tuned to one dataset. Least squares of the grade (scaled to 0-1) on the
signals of content.ReferenceSignals (the contradiction penalty is fixed, not fitted: graded sets
hold too few confident contradictions to weigh it), then the power that maps the mix onto the
grade (least squares again), cross-validated by question: each question's answers are
scored by a fit that never saw that question. Prints the cross-validated figures for each
question baseline tried, then the weights and the power to copy into reference.py. Test halves
are never read.

    .venv/bin/python bench/devset/fit.py /tmp/devset/mohler-dev.jsonl bench/devset/beetle-dev.jsonl \\
        bench/devset/scientsbank-cap25-dev.jsonl [--cache /tmp/signals.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from interviewer.assessment import content, evaluation, reader
from interviewer.assessment import reference

FOLDS = 5
SEED = 11
BASELINES = (0.5, 0.7, 0.85, 1.0)
RIDGE = 1e-3
LOW, HIGH = 0.0, 5.0

Row = dict[str, object]


def signals_of(path: Path, *, use_model: bool) -> list[Row]:
    """The signals and focus of every answer of a graded file, as content.measure reads them."""
    rows: list[Row] = []
    for item in evaluation.load_graded(path, scale=(LOW, HIGH)):
        m = content.measure(
            item.answer, question_text=item.question, key_points=[], reference_answer=item.reference_answer,
            language="en", use_model=use_model,
        )
        assert m.reference is not None
        read = reader.probability(item.question, item.reference_answer, item.answer) if use_model else None
        rows.append({"question": item.question, "score": item.score, "focus": m.focus, "reader": read, **asdict(m.reference)})
    return rows


def row_signals(row: Row) -> dict[str, object]:
    return {k: row[k] for k in ("lexical", "new_words", "contradicted", "whole", "recall", "baseline")}


def features(row: Row, baseline_share: float, names: list[str]) -> list[float]:
    signals = reference.ReferenceSignals(**row_signals(row))
    zero = baseline_share * signals.baseline
    found = signals.features() | {
        k: max(0.0, (float(v) - zero) / (1 - zero)) for k, v in (("whole", signals.whole), ("recall", signals.recall)) if v is not None
    }
    if row.get("reader") is not None:
        found["reader"] = float(row["reader"])  # type: ignore[arg-type]
    return [found[name] for name in names]


def fit(sets: list[list[Row]], share: float, names: list[str]) -> dict[str, float]:
    """Weighted least squares with an intercept, each set's answers sharing one unit of weight;
    the weights are then divided by their sum, so an answer sharing nothing with the reference
    earns 0 and the reference itself about 1. Neither the ranking of answers nor a correlation
    changes: only the intercept (graders' credit for any attempt) is left out."""
    xs, ys, ws = [], [], []
    for rows in sets:
        for row in rows:
            xs.append([1.0, *features(row, share, names)])
            ys.append((float(row["score"]) - LOW) / (HIGH - LOW))  # type: ignore[arg-type]
            ws.append(1.0 / len(rows))
    x, y, w = np.array(xs), np.array(ys), np.sqrt(np.array(ws))
    a, b = x * w[:, None], y * w
    coef = np.linalg.solve(a.T @ a + RIDGE * np.eye(x.shape[1]), a.T @ b)[1:]
    return dict(zip(names, (round(float(c / coef.sum()), 3) for c in coef), strict=True))


def mix(row: Row, weights: dict[str, float], share: float, names: list[str]) -> float:
    """The fitted mix less the contradiction penalty, clipped to 0-1: the value before calibration."""
    value = sum(weights[n] * x for n, x in zip(names, features(row, share, names), strict=True))
    value -= reference.REFERENCE_CONTRADICTION_PENALTY * float(row["contradicted"])  # type: ignore[arg-type]
    return max(0.0, min(1.0, value))


def focus_share(row: Row) -> float:
    return min(1.0, float(row["focus"]) / content.FOCUS_FULL)  # type: ignore[arg-type]


def predict(row: Row, weights: dict[str, float], share: float, names: list[str], power: float = 1.0) -> float:
    # As Measure.quality: the calibrated value, scaled down by off-topic filler.
    return mix(row, weights, share, names) ** power * focus_share(row)


def calibration(sets: list[list[Row]], weights: dict[str, float], share: float, names: list[str]) -> float:
    """The power p minimising the squared error of mix**p to the grade (0-1), each set weighing the
    same: 0 and the reference's 1 stay put, the credit between follows the graders."""
    powers = np.round(np.arange(0.2, 1.51, 0.01), 2)
    error = np.zeros(len(powers))
    for rows in sets:
        mixed = np.array([mix(r, weights, share, names) for r in rows])
        focus = np.array([focus_share(r) for r in rows])
        grade = (np.array([float(r["score"]) for r in rows]) - LOW) / (HIGH - LOW)  # type: ignore[arg-type]
        error += ((mixed[None, :] ** powers[:, None] * focus - grade) ** 2).mean(axis=1)
    return float(powers[int(np.argmin(error))])


def cross_validated(sets: list[list[Row]], share: float, names: list[str]) -> list[list[float]]:
    """Each answer scored by a fit on every other set and on the other folds of its own set's questions."""
    predicted: list[list[float]] = []
    for k, rows in enumerate(sets):
        questions = sorted({str(r["question"]) for r in rows})
        random.Random(SEED).shuffle(questions)
        fold = {q: i % FOLDS for i, q in enumerate(questions)}
        values = [0.0] * len(rows)
        for f in range(FOLDS):
            train = [other if j != k else [r for r in rows if fold[str(r["question"])] != f] for j, other in enumerate(sets)]
            weights = fit(train, share, names)
            power = calibration(train, weights, share, names)
            for i, row in enumerate(rows):
                if fold[str(row["question"])] == f:
                    values[i] = predict(row, weights, share, names, power)
        predicted.append(values)
    return predicted


def figures(rows: list[Row], values: list[float]) -> str:
    items = [evaluation.GradedAnswer(question=str(r["question"]), answer="", score=float(r["score"])) for r in rows]  # type: ignore[arg-type]
    pairs, agreement = evaluation.pairwise_agreement(items, values, min_gap=evaluation.PAIR_MARGIN * (HIGH - LOW))
    r = evaluation.pearson(values, [i.score for i in items])
    return f"pairwise {agreement:.3f} ({pairs} pairs), Pearson {r:.3f}"


def _unseen_by_reader(name: str, rows: list[Row]) -> list[Row]:
    """A SemEval dev half's answers to the questions the reader was not trained on; other sets whole."""
    from cross_finetune import DEVSET, SEMEVAL_DEV, kept_out

    if name not in SEMEVAL_DEV:
        return rows
    # The split is drawn over both SemEval dev halves together, as in training.
    trained_on = [(n, json.loads(line)) for n in SEMEVAL_DEV for line in (DEVSET / n).open(encoding="utf-8")]
    held = kept_out({(n, r["question"]) for n, r in trained_on if r.get("reference_answer")})
    return [r for r in rows if (name, str(r["question"])) in held]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="+", help="dev halves of graded sets (JSONL, grades 0-5)")
    parser.add_argument("--cache", type=Path, help="keep the measured signals in this JSON file between runs")
    parser.add_argument("--reader", action="store_true", help=(
        "also fit the weights with the learned reader's chance (assessment/reader.py) as a fifth signal, on the "
        "questions it never saw: a SemEval dev half keeps only the questions cross_finetune.py kept out of training"))
    args = parser.parse_args(argv)
    cached = json.loads(args.cache.read_text()) if args.cache and args.cache.exists() else {}
    for path in args.files:
        for mode in ("model", "lexical"):
            key = f"{path.name}:{mode}"
            if key not in cached:
                cached[key] = signals_of(path, use_model=mode == "model")
    if args.cache:
        args.cache.write_text(json.dumps(cached))
    modes = [
        ("model", ["lexical", "new_words", "whole", "recall"], BASELINES),
        ("lexical", ["lexical", "new_words"], (0.0,)),
    ]
    if args.reader:
        modes.insert(0, ("reader", ["lexical", "new_words", "whole", "recall", "reader"], (reference.QUESTION_BASELINE,)))
    for mode, names, shares in modes:
        sets = [cached[f"{p.name}:{'lexical' if mode == 'lexical' else 'model'}"] for p in args.files]
        if mode == "reader":
            # An empty answer has no reading: those rows are scored without the reader.
            sets = [[r for r in _unseen_by_reader(p.name, rows) if r.get("reader") is not None] for p, rows in zip(args.files, sets, strict=True)]
            print("reader: answers the reader never saw, per set: " + ", ".join(str(len(rows)) for rows in sets))
        for share in shares:
            print(f"{mode}, question baseline {share}, cross-validated by question:")
            for path, rows, values in zip(args.files, sets, cross_validated(sets, share, names), strict=True):
                print(f"  {path.name}: {figures(rows, values)}")
        share = shares[-1] if mode == "lexical" else reference.QUESTION_BASELINE
        weights = fit(sets, share, names)
        print(f"  weights fitted on all dev sets (baseline {share}): {weights}, power {calibration(sets, weights, share, names)}")
        if mode == "reader":
            continue  # not kept in reference.py: see the README, "A learned reader"
        kept = reference.MODEL_WEIGHTS if mode == "model" else reference.LEXICAL_WEIGHTS
        print(f"  the power for the weights kept in reference.py: {calibration(sets, kept, share, names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
