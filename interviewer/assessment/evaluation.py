"""Check that answer scores track answer quality, on data nobody here wrote.

Two evaluations, both over an injected quality function (answer -> number, higher is better),
so the offline scorer and an LLM judge are measured the same way:

- scorer: correlation and pairwise ranking agreement with human grades from a JSONL file;
- ranking: on the DSI question bank, each community reference answer must outrank weakened
  versions of itself (its first sentence, its first half, another question's answer, itself
  padded with filler, "I don't know", itself with every claim negated, a string of its
  keywords); and its correct first half must outrank the negated reference and the keywords.

The statistics are pure functions; only the two loaders read files.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from interviewer.assessment import adversarial, scoring
from interviewer.assessment.text import stop_words, words

# (question, reference answer or None, answer) -> quality; only the order of values matters.
Quality = Callable[[str, str | None, str], float]
Weakening = Literal["first_sentence", "half", "other_answer", "padded", "dont_know", "negated", "keywords"]
WEAKENINGS: tuple[Weakening, ...] = ("first_sentence", "half", "other_answer", "padded", "dont_know", "negated", "keywords")
# The correct half of the reference must also beat these: saying less but right beats saying it wrong.
BELOW_HALF: tuple[Weakening, ...] = ("negated", "keywords")
# Pairs of graded answers count when their human scores differ by at least this share of the scale.
PAIR_MARGIN = 0.4
# A weakened answer is length-matched when its word count is within this ratio of the reference's.
LENGTH_MATCH = 0.25
FILLERS = (
    "This is a really important point to keep in mind.",
    "It comes up a lot in practice, so it is worth knowing well.",
    "Many people find this topic confusing at first.",
    "I have seen this discussed in several courses and blog posts.",
    "There are a lot of details here that depend on the situation.",
    "Overall it is one of the classic topics in machine learning interviews.",
    "Getting this right makes a big difference in real projects.",
    "I think it is good to have a clear picture of it.",
)
DONT_KNOW = "I don't know."
# Human grades are bucketed by rounding for the calibration table; pairwise agreement is also
# reported at these absolute margins.
MARGINS = (1.0, 2.0)


class EvaluationError(Exception):
    """An evaluation input is unusable; the message names the file and line."""


def offline_quality(question: str, reference_answer: str | None, answer: str) -> float:
    """The offline scorer's content quality: key points are not available, the reference is."""
    return scoring.measure(
        answer, question_text=question, key_points=[], reference_answer=reference_answer, language="en"
    ).quality


# ---------------------------------------------------------------- statistics


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when either side is constant or there are fewer than 2 values."""
    if len(xs) != len(ys):
        raise ValueError("pearson: sequences differ in length")
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    return pearson(average_ranks(xs), average_ranks(ys))


# ---------------------------------------------------------------- scorer vs human grades


class GradedAnswer(BaseModel):
    """One line of a graded-answers file; other fields (ids, notes, sources) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    question: str
    reference_answer: str | None = None
    answer: str
    score: float
    kind: str | None = None


@dataclass(frozen=True)
class ScorerEvaluation:
    answers: int
    pearson: float | None
    spearman: float | None
    pairs: int
    pairwise: float | None
    margin: float
    # Human grade bucket -> (answers, mean predicted value).
    calibration: dict[float, tuple[int, float]]
    # Absolute margin -> (pairs, agreement).
    by_margin: dict[float, tuple[int, float | None]]
    # (kind, kind) -> (pairs, agreement) for lines that carry a kind.
    by_kind: dict[tuple[str, str], tuple[int, float | None]]


def load_graded(path: Path, *, scale: tuple[float, float]) -> list[GradedAnswer]:
    low, high = scale
    if high <= low:
        raise EvaluationError(f"--scale: MAX ({high:g}) must be above MIN ({low:g})")
    items: list[GradedAnswer] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = GradedAnswer.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            reason = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise EvaluationError(f"{path}:{number}: {reason}") from exc
        if not low <= item.score <= high:
            raise EvaluationError(f"{path}:{number}: score {item.score:g} is outside the scale {low:g}-{high:g} (set --scale MIN MAX)")
        items.append(item)
    if not items:
        raise EvaluationError(f"{path}: no graded answers")
    return items


def pairwise_agreement(
    items: Sequence[GradedAnswer], predicted: Sequence[float], *, min_gap: float
) -> tuple[int, float | None]:
    """Share of same-question pairs, human scores at least `min_gap` apart, ordered the same way.
    A tie in predicted scores counts as half: the scorer did not tell the two answers apart."""
    agreed, pairs = 0.0, 0
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            a, b = items[i], items[j]
            if a.question != b.question or abs(a.score - b.score) < min_gap:
                continue
            pairs += 1
            human = a.score - b.score
            model = predicted[i] - predicted[j]
            agreed += 0.5 if model == 0 else float((human > 0) == (model > 0))
    return pairs, (agreed / pairs if pairs else None)


def calibration(items: Sequence[GradedAnswer], predicted: Sequence[float]) -> dict[float, tuple[int, float]]:
    """Human grade (rounded) -> how many answers and their mean predicted value."""
    buckets: dict[float, list[float]] = {}
    for item, value in zip(items, predicted, strict=True):
        buckets.setdefault(float(round(item.score)), []).append(value)
    return {k: (len(v), sum(v) / len(v)) for k, v in sorted(buckets.items())}


def pairwise_by_kind(
    items: Sequence[GradedAnswer], predicted: Sequence[float]
) -> dict[tuple[str, str], tuple[int, float | None]]:
    """For each pair of kinds, how often the better-graded answer of a same-question pair scores higher."""
    kinds = sorted({i.kind for i in items if i.kind})
    results: dict[tuple[str, str], tuple[int, float | None]] = {}
    for a_index, a in enumerate(kinds):
        for b in kinds[a_index:]:
            chosen = [k for k, i in enumerate(items) if i.kind in (a, b)]
            sub = [items[k] for k in chosen]
            values = [predicted[k] for k in chosen]
            agreed, pairs = 0.0, 0
            for i in range(len(sub)):
                for j in range(i + 1, len(sub)):
                    x, y = sub[i], sub[j]
                    if x.question != y.question or {x.kind, y.kind} != {a, b} or x.score == y.score:
                        continue
                    pairs += 1
                    model = values[i] - values[j]
                    agreed += 0.5 if model == 0 else float((x.score > y.score) == (model > 0))
            if pairs:
                results[(a, b)] = (pairs, agreed / pairs)
    return results


def evaluate_scorer(
    items: Sequence[GradedAnswer], quality: Quality, *, scale: tuple[float, float], margin: float = PAIR_MARGIN,
    predicted: Sequence[float] | None = None,
) -> ScorerEvaluation:
    if predicted is None:
        predicted = [quality(i.question, i.reference_answer, i.answer) for i in items]
    human = [i.score for i in items]
    min_gap = margin * (scale[1] - scale[0])
    pairs, agreement = pairwise_agreement(items, predicted, min_gap=min_gap)
    return ScorerEvaluation(
        answers=len(items),
        pearson=pearson(predicted, human),
        spearman=spearman(predicted, human),
        pairs=pairs,
        pairwise=agreement,
        margin=min_gap,
        calibration=calibration(items, predicted),
        by_margin={m: pairwise_agreement(items, predicted, min_gap=m) for m in MARGINS},
        by_kind=pairwise_by_kind(items, predicted),
    )


# ---------------------------------------------------------------- reference vs weakened answers


@dataclass(frozen=True)
class BankQuestion:
    id: str
    question: str
    reference_answer: str


@dataclass(frozen=True)
class RankingPair:
    question_id: str
    kind: Weakening
    reference_words: int
    weakened_words: int
    won: bool
    # The answer that must win: the reference itself, or its correct first half.
    stronger: Literal["reference", "half"] = "reference"

    @property
    def length_matched(self) -> bool:
        return abs(self.weakened_words - self.reference_words) <= LENGTH_MATCH * self.reference_words


@dataclass(frozen=True)
class RankingEvaluation:
    questions: int
    pairs: list[RankingPair]

    @staticmethod
    def _accuracy(pairs: list[RankingPair]) -> float | None:
        return sum(p.won for p in pairs) / len(pairs) if pairs else None

    @property
    def accuracy(self) -> float | None:
        return self._accuracy(self.pairs)

    def by_kind(self) -> dict[Weakening, tuple[int, float | None]]:
        """Reference against each weakening."""
        return {
            k: (len(ps), self._accuracy(ps))
            for k in WEAKENINGS
            for ps in [[p for p in self.pairs if p.kind == k and p.stronger == "reference"]]
        }

    def below_half(self) -> dict[Weakening, tuple[int, float | None]]:
        """The correct first half against the negated reference and the keywords."""
        return {
            k: (len(ps), self._accuracy(ps))
            for k in BELOW_HALF
            for ps in [[p for p in self.pairs if p.kind == k and p.stronger == "half"]]
        }

    def length_matched(self) -> tuple[int, float | None]:
        matched = [p for p in self.pairs if p.length_matched and p.stronger == "reference"]
        return len(matched), self._accuracy(matched)


def load_question_bank() -> list[BankQuestion]:
    """The DSI questions that have a community reference answer (see data/ATTRIBUTION.md)."""
    text = resources.files("interviewer.data").joinpath("dsi_theory_qa.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [BankQuestion(r["id"], r["question"], r["reference_answer"]) for r in rows if r["reference_answer"]]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text.strip()) if s.strip()]


def first_sentence(text: str) -> str:
    return _sentences(text)[0] if _sentences(text) else ""


def first_half(text: str) -> str:
    """The first half of the reference's sentences: correct, but incomplete."""
    found = _sentences(text)
    return " ".join(found[: max(1, len(found) // 2)])


def padded(text: str, seed: int = 0) -> str:
    """The answer followed by varied filler sentences until its length doubles."""
    target = len(words(text))
    added: list[str] = []
    i = seed
    while sum(len(words(f)) for f in added) < max(target, 3 * len(words(FILLERS[0]))):
        added.append(FILLERS[i % len(FILLERS)])
        i += 1
    return text.strip() + " " + " ".join(added)


def keywords(text: str) -> str:
    """The reference's own content words, in order, as one string: vocabulary without a claim."""
    stop = stop_words("en")
    seen = dict.fromkeys(w for w in words(text) if w not in stop and len(w) > 2 and not w.isdigit())
    return " ".join(seen)


def _closest_in_length(bank: Sequence[BankQuestion], index: int) -> BankQuestion:
    # The other question's answer closest in length, so this weakening cannot be won on length.
    target = len(words(bank[index].reference_answer))
    others = [q for i, q in enumerate(bank) if i != index and q.question != bank[index].question]
    return min(others, key=lambda q: abs(len(words(q.reference_answer)) - target))


def weakened_answers(bank: Sequence[BankQuestion], index: int) -> list[tuple[Weakening, str]]:
    reference = bank[index].reference_answer
    weakened: list[tuple[Weakening, str]] = []
    first = first_sentence(reference)
    # A one-sentence reference has no shorter first sentence or half to compare with.
    if first and first != reference.strip():
        weakened.append(("first_sentence", first))
    half = first_half(reference)
    if half != first:
        weakened.append(("half", half))
    weakened.append(("other_answer", _closest_in_length(bank, index).reference_answer))
    weakened.append(("padded", padded(reference, seed=index)))
    weakened.append(("dont_know", DONT_KNOW))
    weakened.append(("negated", adversarial.negate(reference)))
    weakened.append(("keywords", keywords(reference)))
    return weakened


def evaluate_ranking(bank: Sequence[BankQuestion], quality: Quality) -> RankingEvaluation:
    pairs: list[RankingPair] = []
    for index, item in enumerate(bank):
        base = quality(item.question, item.reference_answer, item.reference_answer)
        weakened = weakened_answers(bank, index)
        scores = {kind: quality(item.question, item.reference_answer, answer) for kind, answer in weakened}
        reference_words = len(words(item.reference_answer))
        for kind, answer in weakened:
            pairs.append(RankingPair(item.id, kind, reference_words, len(words(answer)), base > scores[kind]))
        # Saying half of it right must beat saying all of it wrong, or only naming its words.
        half = first_half(item.reference_answer)
        if half and half != item.reference_answer.strip():
            half_score = quality(item.question, item.reference_answer, half)
            for kind, answer in weakened:
                if kind in BELOW_HALF:
                    pairs.append(
                        RankingPair(item.id, kind, len(words(half)), len(words(answer)), half_score > scores[kind], "half")
                    )
    return RankingEvaluation(questions=len(bank), pairs=pairs)
