"""What a litellm call costs in CPU by HTTP transport: aiohttp (litellm's default, the one the
service uses) against httpx (which the tests pin for respx), one call at a time and with N in
flight at once, against the stand-in model on 127.0.0.1. Each transport runs in a fresh process.

    .venv/bin/python bench/transport.py [--concurrent 200] [--delay 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import standin_model  # noqa: E402

TRANSPORTS = ("aiohttp", "httpx")
MESSAGES = [{"role": "user", "content": "Tell me about a model you trained. " * 40}]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(api_base: str, concurrent: int, sequential: int) -> str:
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm

    async def call() -> None:
        await litellm.acompletion(
            model="openai/standin", messages=MESSAGES, api_base=api_base, api_key="sk-bench", timeout=30, max_retries=0,
        )

    for _ in range(5):
        await call()  # the first calls build clients
    started = _cpu()
    for _ in range(sequential):
        await call()
    one_at_a_time = (_cpu() - started) * 1000 / sequential
    started, wall = _cpu(), time.perf_counter()
    for _ in range(3):
        await asyncio.gather(*(call() for _ in range(concurrent)))
    in_flight = (_cpu() - started) * 1000 / (3 * concurrent)
    return f"{one_at_a_time:.2f} | {in_flight:.2f} | {time.perf_counter() - wall:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.5, help="the stand-in's answer delay, seconds")
    parser.add_argument("--worker", nargs=2, metavar=("TRANSPORT", "API_BASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        transport, api_base = args.worker
        if transport == "httpx":
            os.environ["DISABLE_AIOHTTP_TRANSPORT"] = "True"
        print(asyncio.run(_measure(api_base, args.concurrent, args.sequential)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-transport-") as tmp, standin_model(args.delay, Path(tmp)) as model:
        print(f"\nlitellm.acompletion CPU per call (ms), stand-in delay {args.delay} s, {os.cpu_count()} CPUs\n")
        print(f"| transport | one at a time | {args.concurrent} in flight | wall of 3 x {args.concurrent} (s) |")
        print("|---|---|---|---|")
        for transport in TRANSPORTS:
            env = {k: v for k, v in os.environ.items() if k != "DISABLE_AIOHTTP_TRANSPORT"}
            out = subprocess.run(
                [sys.executable, __file__, "--concurrent", str(args.concurrent), "--sequential", str(args.sequential),
                 "--worker", transport, model.url + "/v1"],
                env=env, capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1]
            print(f"| {transport} | {out} |")


if __name__ == "__main__":
    main()
