"""A learned reading of a whole answer: how likely a grader would call it correct.

A cross-encoder (all-MiniLM-L6-v2 fine-tuned by bench/devset/cross_finetune.py on graded answers)
reads the question, with its reference answer when there is one, together with the candidate's
answer, and gives the probability that a grader would call the answer correct. It ships as a
quantized ONNX file beside the embedding model (data/embedding/, see data/ATTRIBUTION.md), loads once
per process and lazily after its checksum is verified, and is off, like the embedding model, with
INTERVIEWER_SEMANTIC=off or when onnxruntime is missing: `probability()` then returns None.

What it cannot do: point at the wrong sentence. It reads the answer as a whole, so the scorer
uses it to doubt an answer, never to quote a mistake.

A French answer is read twice, as written and as an English gloss (assessment/gloss.py), and the two
readings' log-odds are averaged: the model knows English best, and the gloss alone reads less well
than both together. On the French answers of the dev sets it never trained on (heldout-11 to -17
and the parity set, 392 correct and 392 wrong), the chance that a correct answer reads above a wrong
one rose from 0.897 to 0.941 (the gloss alone: 0.926).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from interviewer.assessment import semantic
from interviewer.assessment.gloss import english_gloss
from interviewer.catalog.fields import Language

MODEL_FILE = "embedding/minilm-l6-reader-int8.onnx"
# The sha256 of the ONNX file we tested with; another file is refused, never run.
MODEL_SHA256 = "2bf885a55886ded4ceb3d17e896a1f4047b4ff61bf36bb37a2a2503bbe951974"
# all-MiniLM-L6-v2 is an English model, but this reader was also trained on French answers: on the
# clean sets heldout-11 and -12, reading French held 31 -> 40 and 35 -> 39 of 49 fluent wrong
# French answers, and doubted 2 and 3 of 49 correct ones (none before).
LANGUAGES = frozenset({"en", "fr"})
# Question, reference and answer together; a longer answer is read up to here.
MAX_TOKENS = 256
_CACHE_SIZE = 5_000


class ReaderInput(NamedTuple):
    """What the reader reads: the question, its reference answer if any, the answer and its language."""

    question: str
    reference: str | None
    answer: str
    language: Language = "en"


@dataclass
class _Reader:
    session: Any
    tokenizer: Any


_lock = threading.Lock()
# Log-odds by (question with reference, answer or gloss).
_seen: OrderedDict[tuple[str, str], float] = OrderedDict()


def first_text(question: str, reference: str | None) -> str:
    """What the reader sees before the answer: the question, then its reference answer if any."""
    return f"{question}\n{reference}" if reference else question


def _model_file() -> Path:
    return Path(str(resources.files("interviewer.data").joinpath(MODEL_FILE)))


_lazy = semantic.Lazy(lambda: _Reader(semantic.open_session(_model_file(), MODEL_SHA256), semantic.tokenizer(MAX_TOKENS)), "the learned reader")


def _get() -> _Reader | None:
    return _lazy.get()


def available() -> bool:
    return _get() is not None


def probability(question: str, reference: str | None, answer: str, language: Language = "en") -> float | None:
    """P(a grader calls the answer correct), cached by text; None when the reader is unavailable.
    A French answer is read as written and as its English gloss, the two log-odds averaged."""
    reader = _get()
    if reader is None or not answer.strip():
        return None
    first = first_text(question, reference)
    logits = [_logit(reader, first, answer)]
    if language == "fr":
        logits.append(_logit(reader, first, english_gloss(answer)))
    return 1.0 / (1.0 + math.exp(-sum(logits) / len(logits)))


def _logit(reader: _Reader, first: str, answer: str) -> float:
    import numpy as np

    key = (first, answer)
    with _lock:
        if key in _seen:
            _seen.move_to_end(key)
            return _seen[key]
    encoded = reader.tokenizer.encode(*key)
    feed = {
        "input_ids": np.array([encoded.ids], dtype=np.int64),
        "attention_mask": np.ones((1, len(encoded.ids)), dtype=np.int64),
        "token_type_ids": np.array([encoded.type_ids], dtype=np.int64),
    }
    # onnxruntime releases the GIL: two requests read on two cores at once, outside the lock.
    logit = float(reader.session.run(None, feed)[0][0])
    with _lock:
        _seen[key] = logit
        while len(_seen) > _CACHE_SIZE:
            _seen.popitem(last=False)
    return logit
