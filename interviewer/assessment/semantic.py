"""Sentence similarity with a small embedding model on the CPU (onnxruntime, no torch).

The model is all-MiniLM-L6-v2 fine-tuned by this project to grade short answers against a
reference (bench/devset/finetune.py), as an int8 ONNX file; it ships in this repository with its
tokenizer (data/embedding/, see data/ATTRIBUTION.md for sources and licences). Nothing is
downloaded: the weights load from the installed package, once per process and lazily, after
their checksum is verified. When the file or onnxruntime is missing, `available()` is False and
the scorer falls back to its lexical signals alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
T = TypeVar("T")

# all-MiniLM-L6-v2 fine-tuned for answer grading (bench/devset/finetune.py), in interviewer/data.
MODEL_FILE = "embedding/minilm-l6-answers-int8.onnx"
# The sha256 of the ONNX file we tested with; another file is refused, never run.
MODEL_SHA256 = "cddb7d287197cd46c26b46ea0de2d75852e2ec8b431be4431704b839f0e1282e"
MAX_TOKENS = 128
# A run costs about as much as this many tokens on top of its tokens (measured: 2.4 ms against
# 0.3 ms a token, one thread): texts are batched only while padding them wastes less than that.
PAD_SLACK_TOKENS = 8
_CACHE_SIZE = 20_000
# Set INTERVIEWER_SEMANTIC=off to score with the lexical signals alone.
_SWITCH = "INTERVIEWER_SEMANTIC"


@dataclass
class _Model:
    session: Any
    tokenizer: Any
    input_names: frozenset[str]


_lock = threading.Lock()
_vectors: OrderedDict[str, Any] = OrderedDict()


def _model_file() -> Path:
    return Path(str(resources.files("interviewer.data").joinpath(MODEL_FILE)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_session(path: Path, sha256: str) -> Any:
    """An onnxruntime session on a model file shipped with the package, refused unless its
    checksum is the one we tested with."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime as ort  # type: ignore[import-untyped]

    found = _sha256(path)
    if found != sha256:
        raise RuntimeError(f"{path}: checksum {found} is not the expected {sha256}")
    options = ort.SessionOptions()
    # One thread: requests run in parallel already, and the sentences are short. Measured on this
    # 2-core machine with the other core busy: two threads per run took 95-144 ms where one took
    # 74 (same batches), and would take the web server's core from it under load.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Basic graph optimisations only: the extended fusions ran this model 6% slower here
    # (68 against 72 ms over the same batches; outputs equal within 2e-6).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def tokenizer(max_tokens: int) -> Any:
    """The models' shared WordPiece tokenizer, truncating at max_tokens, unpadded."""
    from tokenizers import Tokenizer

    tokenizer_file = resources.files("interviewer.data").joinpath("embedding/tokenizer.json")
    found = Tokenizer.from_str(tokenizer_file.read_text("utf-8"))
    found.enable_truncation(max_tokens)
    # The file pads every text to 128 tokens; batches are padded here, each to its longest text.
    found.no_padding()
    return found


def _load() -> _Model:
    session = open_session(_model_file(), MODEL_SHA256)
    return _Model(session, tokenizer(MAX_TOKENS), frozenset(i.name for i in session.get_inputs()))


def switched_off() -> bool:
    return os.environ.get(_SWITCH, "").lower() in {"off", "0", "false"}


class Lazy(Generic[T]):
    """A model loaded once per process, on first use; one that is missing or broken stays off, and
    says why once. Off altogether with INTERVIEWER_SEMANTIC=off."""

    def __init__(self, load: Callable[[], T], what: str) -> None:
        self._load, self._what = load, what
        self._lock = threading.Lock()
        self.model: T | None = None
        self.failed: str | None = None

    def get(self) -> T | None:
        if switched_off():
            return None
        if self.model is not None or self.failed is not None:
            return self.model
        with self._lock:
            if self.model is None and self.failed is None:
                try:
                    self.model = self._load()
                except Exception as exc:  # a missing or broken optional model: fall back, say why once
                    self.failed = f"{type(exc).__name__}: {exc}"
                    log.warning("%s is off: %s", self._what, self.failed)
        return self.model


_lazy = Lazy(lambda: _load(), "semantic similarity")


def _get() -> _Model | None:
    return _lazy.get()


def available() -> bool:
    return _get() is not None


def unavailable_reason() -> str | None:
    _get()
    return _lazy.failed


def _batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indices grouped by length: a batch is padded to its longest text, and padding costs as
    much as real tokens, so each batch holds texts within PAD_SLACK_TOKENS of its longest."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and lengths[groups[-1][0]] - lengths[i] <= PAD_SLACK_TOKENS:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _run(model: _Model, encoded: Sequence[Any]) -> np.ndarray:
    import numpy as np

    width = max(len(e.ids) for e in encoded)
    ids = np.zeros((len(encoded), width), dtype=np.int64)
    mask = np.zeros((len(encoded), width), dtype=np.int64)
    for row, e in enumerate(encoded):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
    feed = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in model.input_names:
        feed["token_type_ids"] = np.zeros_like(ids)
    hidden = model.session.run(None, feed)[0]
    # The sum of the real tokens' states: at unit length, the model's own (mean-pooled) sentence
    # embedding; summed over sentences, the mean over all their tokens (see pooled()).
    return (hidden * mask[..., None]).sum(axis=1)


def _unit(rows: np.ndarray) -> np.ndarray:
    import numpy as np

    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-9)


def _embed(model: _Model, texts: list[str]) -> np.ndarray:
    """Token-state sums, one model run per batch of texts of about the same length (see _batches)."""
    import numpy as np

    encoded = model.tokenizer.encode_batch(texts)
    rows: list[Any] = [None] * len(texts)
    for group in _batches([len(e.ids) for e in encoded]):
        for i, vector in zip(group, _run(model, [encoded[i] for i in group]), strict=True):
            rows[i] = vector
    return np.stack(rows)


def _sums(texts: Sequence[str]) -> np.ndarray | None:
    """The token-state sums of the texts (cached by text), or None when the model is unavailable."""
    import numpy as np

    model = _get()
    if model is None:
        return None
    with _lock:
        known = {t: _vectors[t] for t in texts if t in _vectors}
        for t in known:
            _vectors.move_to_end(t)
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        # onnxruntime releases the GIL: two requests embed on two cores at once, outside the lock.
        known.update(zip(missing, _embed(model, missing), strict=True))
        with _lock:
            for text in missing:
                _vectors[text] = known[text]
            while len(_vectors) > _CACHE_SIZE:
                _vectors.popitem(last=False)
    found = [known[t] for t in texts]
    return np.stack(found) if found else np.zeros((0, 384), dtype=np.float32)


def vectors(texts: Sequence[str]) -> np.ndarray | None:
    """Unit vectors for the texts (cached by text), or None when the model is unavailable."""
    sums = _sums(texts)
    return None if sums is None else _unit(sums)


def pooled(texts: Sequence[str]) -> np.ndarray | None:
    """One unit vector for several texts read together: the mean of all their tokens' states,
    each text run on its own (so its vector is cached and shared with vectors()). It stands for
    the embedding of the joined text at a fraction of the cost: no second run over the same
    words, and no 128-token truncation of a long answer. None without the model."""
    sums = _sums(texts)
    if sums is None:
        return None
    return _unit(sums.sum(axis=0)) if len(sums) else sums.sum(axis=0)


def similarities(left: Sequence[str], right: Sequence[str]) -> list[list[float]] | None:
    """Cosine similarity of every left text with every right text; None without the model."""
    if not left or not right:
        return [[0.0] * len(right) for _ in left] if available() else None
    a = vectors(left)
    b = vectors(right)
    if a is None or b is None:
        return None
    return (a @ b.T).tolist()
