"""How close an answer comes to the question's reference answer: lexical recall of its content words
and, with the embedding model, whole-answer similarity and key points said in other words."""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.assessment import semantic
from interviewer.assessment.text import Sentence, content_stems, sentences
from interviewer.catalog.fields import Language
from interviewer.catalog.rubrics import KeyPoint


# Paraphrase: a sentence this similar to a key point covers it; below FLOOR similarity earns nothing.
KEY_POINT_SIMILARITY = 0.6


SEMANTIC_KEY_POINT_CREDIT = 0.75


# Against a reference answer: a linear mix of the signals in ReferenceSignals, its weights fitted by
# bench/devset/fit.py on the union of three human-graded dev sets (Mohler, Beetle, SciEntsBank),
# each set weighing the same, cross-validated by question (see the README, "Do the scores mean something?").
MODEL_WEIGHTS = {"lexical": 0.305, "new_words": 0.275, "whole": 0.332, "recall": 0.088}


# Without the embedding model: the same fit on the lexical signals alone.
LEXICAL_WEIGHTS = {"lexical": 0.702, "new_words": 0.298}


# The mix ranks answers but reads low: graded 4 of 5, an answer averaged 0.17 of the credit. This
# power maps it onto the human grade (0 stays 0, the reference stays 1), fitted by least squares on
# the same dev halves, each set weighing the same (bench/devset/fit.py).
MODEL_CALIBRATION = 0.45
LEXICAL_CALIBRATION = 0.52


# Each contradicted claim of the reference costs this many times its share. Not fitted: graded
# sets hold too few confident contradictions to weigh them, and a fluent wrong answer must lose.
REFERENCE_CONTRADICTION_PENALTY = 3.0


# Saying what the question already says earns nothing: this share of the question-reference
# similarity is the zero point of a similarity.
QUESTION_BASELINE = 0.85


@dataclass(frozen=True)
class ClaimCheck:
    """The reference answer's clauses, each supported, contradicted or not addressed by the answer."""

    supported: float
    contradicted: float
    total: float
    contradicting: list[tuple[int, str]]


def lexical_recall(
    reference: str, found: list[Sentence], counted: set[int], language: Language, question: frozenset[str] = frozenset()
) -> float:
    """Share of the reference's content words the explaining sentences use, leaving out the words
    the question already gives (unless that leaves none); a list in the answer counts only
    against a list in the reference ("name three hyperparameters")."""
    ref_sentences = sentences(reference, language)
    ref = set(content_stems(reference, language))
    ref = (ref - question) or ref
    if not ref:
        return 0.0
    said = set().union(*(set(content_stems(found[i].text, language)) for i in counted)) if counted else set()
    ref_listed = set().union(*(set(content_stems(r.text, language)) for r in ref_sentences if r.is_list)) if ref_sentences else set()
    if ref_listed:
        said |= set().union(*(set(content_stems(s.text, language)) for s in found if s.is_list)) & ref_listed
    return len(said & ref) / len(ref)


@dataclass(frozen=True)
class ReferenceSignals:
    """What an answer shares with a reference answer, the inputs of its content value. The
    similarities are raw cosines (None without the model); `baseline` is the question's own."""

    lexical: float
    new_words: float
    contradicted: float
    whole: float | None = None
    recall: float | None = None
    baseline: float = 0.0

    def above_question(self, similarity: float) -> float:
        zero = QUESTION_BASELINE * self.baseline
        return max(0.0, (similarity - zero) / (1 - zero))

    def features(self) -> dict[str, float]:
        found = {"lexical": self.lexical, "new_words": self.new_words}
        if self.whole is not None and self.recall is not None:
            found |= {"whole": self.above_question(self.whole), "recall": self.above_question(self.recall)}
        return found

    @property
    def value(self) -> float:
        features = self.features()
        with_model = "whole" in features
        weights = MODEL_WEIGHTS if with_model else LEXICAL_WEIGHTS
        # No intercept: an answer that shares nothing with the reference earns nothing.
        fitted = sum(weights[name] * x for name, x in features.items())
        raw = max(0.0, min(1.0, fitted - REFERENCE_CONTRADICTION_PENALTY * self.contradicted))
        return raw ** (MODEL_CALIBRATION if with_model else LEXICAL_CALIBRATION)


def semantic_signals(question: str, reference: str, said: list[str], language: Language) -> tuple[float, float, float] | None:
    """(whole, recall, baseline): the similarity of the explaining sentences together to the
    reference's; the mean over the reference's explaining sentences of the closest one of the
    answer; the question's similarity to the reference. None without the model. Lists meet
    lists in lexical_recall only, so a list in the reference is not left for filler to match.
    Each sentence is embedded once: "together" pools the tokens of the sentences' own runs."""
    references = [s.text for s in sentences(reference, language) if not s.is_list] or [reference]
    # Every text in one call: the ones not cached yet share runs, batched by length.
    semantic.vectors([question, *references, *said])
    together = semantic.pooled(references)
    if together is None:
        return None
    question_vector = semantic.vectors([question])
    assert question_vector is not None
    baseline = float(question_vector[0] @ together)
    closest = semantic.similarities(references, said) if said else None
    if not closest:
        return 0.0, 0.0, baseline
    answer = semantic.pooled(said)
    assert answer is not None
    return float(answer @ together), sum(max(row) for row in closest) / len(references), baseline


def reference_signals(
    question: str, reference: str, found: list[Sentence], counted: set[int], claims: ClaimCheck | None,
    language: Language, *, use_model: bool = True,
) -> ReferenceSignals:
    """Only the explaining sentences that contradict nothing earn similarity or word credit; the
    reference's words the question already gives are counted apart (`new_words` leaves them out)."""
    # A reference that is only a list ("name three hyperparameters") is met by the answer's lists.
    listed = {i for i, s in enumerate(found) if s.is_list} if all(s.is_list for s in sentences(reference, language)) else set()
    said = [found[i].text for i in sorted(counted | listed)]
    question_stems = frozenset(content_stems(question, language))
    similar = semantic_signals(question, reference, said, language) if use_model else None
    whole, recall, baseline = similar if similar is not None else (None, None, 0.0)
    return ReferenceSignals(
        lexical=lexical_recall(reference, found, counted, language),
        new_words=lexical_recall(reference, found, counted, language, question_stems),
        contradicted=claims.contradicted / claims.total if claims and claims.total else 0.0,
        whole=whole,
        recall=recall,
        baseline=baseline,
    )


def paraphrased_points(points: list[KeyPoint], found: list[Sentence], counted: set[int], language: Language) -> list[KeyPoint]:
    """Key points no phrase matched but a sentence says in other words (needs the model)."""
    said = [found[i].text for i in sorted(counted)]
    if not points or not said:
        return []
    texts = [p.label for p in points]
    matrix = semantic.similarities(texts, said)
    if matrix is None:
        return []
    return [p for p, row in zip(points, matrix, strict=True) if max(row) >= KEY_POINT_SIMILARITY]
