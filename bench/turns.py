"""What one turn costs, side by side in one run on this machine (one client, one request at a time):

- a bare request to the app (GET /healthz) and a bare request to the stand-in model;
- a bare `litellm.acompletion` to the same stand-in (litellm's own SDK cost);
- an answer turn (POST /answers, JSON) offline, and with a model served by the stand-in: with the
  same model as the judge (two judge calls per answer in the background, after the reply) and with
  the offline judge;
- the offline turn's cost against the session's length (answer 5 against answer 40);
- with --back-to-back, model turns sent one right after another, each answer's background scoring
  running while the next turn is served.

The figures are sampled interleaved (one of each in turn), so that a shared machine's changing
load weighs on all of them alike. Then the service's own cost per turn with a model (model turn minus bare litellm call) next to
litellm's SDK overhead (bare litellm call minus bare request to the stand-in). Everything runs
on 127.0.0.1: `interviewer serve` (one worker, SQLite) and bench/standin_model.py.

    .venv/bin/python bench/turns.py [--samples 200] [--delay 0] [--settle 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import ANSWER, app_env, interviewer, percentile, standin_model  # noqa: E402

PERSONA = "technical-ml"
# A prompt of the size the interviewer sends (persona, plan, recent turns, summaries).
PROMPT = [
    {"role": "system", "content": "You are a friendly interviewer for a machine learning internship. " * 40},
    {"role": "user", "content": ANSWER * 4},
]


def once(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


class Turns:
    """Answer turns on one server, starting a new session whenever one ends; times each answer
    by its position in its session."""

    def __init__(self, client: httpx.Client, url: str) -> None:
        self.client, self.url = client, url
        self.session_id: str | None = None
        self.position = 0
        self.by_position: dict[int, list[float]] = {}

    def _start(self) -> None:
        response = self.client.post(f"{self.url}/api/sessions", json={"persona_id": PERSONA}, timeout=60)
        response.raise_for_status()
        self.session_id, self.position = response.json()["id"], 0

    def answer(self) -> float:
        if self.session_id is None:
            self._start()
        self.position += 1
        started = time.perf_counter()
        response = self.client.post(
            f"{self.url}/api/sessions/{self.session_id}/answers",
            json={"content": f"{ANSWER} (answer {self.position})"},
            headers={"Idempotency-Key": f"k{self.position}"}, timeout=60,
        )
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        self.by_position.setdefault(self.position, []).append(elapsed)
        if response.json()["status"] != "active":
            self.session_id = None
        return elapsed

    def run(self, samples: int) -> list[float]:
        return [self.answer() for _ in range(samples)]


def long_sessions(client: httpx.Client, url: str, sessions: int, length: int) -> dict[int, list[float]]:
    """Per-position turn times over sessions that go on to `length` answers (or until they end)."""
    turns = Turns(client, url)
    for _ in range(sessions):
        turns.session_id = None
        while True:
            turns.answer()
            if turns.session_id is None or turns.position >= length:
                break
    return turns.by_position


class BareLitellm:
    """`litellm.acompletion` to the stand-in, one call at a time on an event loop of its own."""

    def __init__(self, api_base: str) -> None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        self.acompletion, self.api_base = litellm.acompletion, api_base
        self.loop = asyncio.new_event_loop()
        for _ in range(5):
            self.call()  # the first calls build clients

    def call(self) -> float:
        started = time.perf_counter()
        self.loop.run_until_complete(
            self.acompletion(model="openai/standin", messages=PROMPT, api_base=self.api_base, api_key="sk-bench", timeout=30)
        )
        return (time.perf_counter() - started) * 1000


def positions_only(sessions: int, length: int) -> None:
    """p50 of an offline turn by its position in the session: early answers against late ones."""
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp, \
            interviewer(app_env(database_url=f"sqlite:///{Path(tmp) / 'offline.db'}"), Path(tmp)) as offline, httpx.Client() as client:
        Turns(client, offline.url).run(10)
        by_position = long_sessions(client, offline.url, sessions=sessions, length=length)
    last = max(p for p, v in by_position.items() if len(v) >= max(1, sessions // 2))
    early = [t for p in range(1, 6) for t in by_position.get(p, [])]
    late = [t for p in range(last - 4, last + 1) for t in by_position.get(p, [])]
    print(f"\n{sessions} offline sessions of up to {length} answers (the round may end sooner)\n")
    print("| figure | n | p50 ms | p99 ms |\n|---|---|---|---|")
    print(row("offline turn, answers 1-5", early))
    print(row(f"offline turn, answers {last - 4}-{last}", late))


def back_to_back(samples: int, delay: float) -> None:
    """Model turns one right after another (a candidate who answers at once), so each answer's
    background scoring runs while the next turn is served: what the scoring costs a turn."""
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        work = Path(tmp)
        with standin_model(delay, work) as model, \
                interviewer(app_env(database_url=f"sqlite:///{work / 'model.db'}", model="openai/standin", api_base=model.url + "/v1")
                            | {"INTERVIEWER_JUDGE_MODEL": "offline"}, work) as app, \
                httpx.Client() as client:
            turns = Turns(client, app.url)
            turns.run(20)
            times = turns.run(samples)
    print(f"\n{samples} model turns back to back (stand-in model, offline judge: each answer scored in the background meanwhile)\n")
    print("| figure | n | p50 ms | p99 ms |\n|---|---|---|---|")
    print(row("model turn, back to back", times))


def row(name: str, values: list[float]) -> str:
    return f"| {name} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200, help="timed calls per figure")
    parser.add_argument("--delay", type=float, default=0.0, help="the stand-in model's answer delay (s)")
    parser.add_argument("--settle", type=float, default=0.0, help="pause before each sample (s), so the servers' background scoring is done (as when a candidate takes seconds to answer)")
    parser.add_argument("--length", type=int, default=40, help="answers in the long sessions")
    parser.add_argument("--positions", type=int, default=0, help="only time N long offline sessions, by answer position")
    parser.add_argument("--back-to-back", action="store_true", help="only time model turns sent one right after another")
    args = parser.parse_args()
    if args.positions:
        positions_only(args.positions, args.length)
        return
    if args.back_to_back:
        back_to_back(args.samples, args.delay)
        return
    n = args.samples
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        work = Path(tmp)
        with standin_model(args.delay, work) as model, \
                interviewer(app_env(database_url=f"sqlite:///{work / 'offline.db'}"), work) as offline, \
                interviewer(app_env(database_url=f"sqlite:///{work / 'model.db'}", model="openai/standin", api_base=model.url + "/v1"), work) as real, \
                interviewer(app_env(database_url=f"sqlite:///{work / 'quiet.db'}", model="openai/standin", api_base=model.url + "/v1")
                            | {"INTERVIEWER_JUDGE_MODEL": "offline"}, work) as quiet, \
                httpx.Client() as client:
            warm = Turns(client, offline.url)
            warm.run(20)
            Turns(client, real.url).run(10)
            Turns(client, quiet.url).run(10)
            bare = BareLitellm(model.url + "/v1")
            timers: dict[str, Callable[[], float]] = {
                "bare request to the app (GET /healthz)": lambda: once(lambda: client.get(offline.url + "/healthz").raise_for_status()),
                "bare request to the stand-in model": lambda: once(
                    lambda: client.post(model.url + "/v1/chat/completions", json={"model": "standin", "messages": PROMPT}).raise_for_status()
                ),
                "bare litellm.acompletion to the stand-in": bare.call,
                "offline turn (POST /answers)": Turns(client, offline.url).answer,
                "model turn (POST /answers, stand-in model)": Turns(client, real.url).answer,
                "model turn, offline judge (POST /answers, stand-in model)": Turns(client, quiet.url).answer,
            }
            # Interleaved, one sample of each figure in turn: a shared machine's load changes by the
            # second, and it then weighs on every figure alike, so their ratios hold.
            figures: dict[str, list[float]] = {name: [] for name in timers}
            for _ in range(n):
                for name, timer in timers.items():
                    # With --settle, each sample waits for the servers' background scoring (a
                    # candidate takes seconds to answer); without it, that scoring shares the CPUs.
                    if args.settle:
                        time.sleep(args.settle)
                    figures[name].append(timer())
            by_position = long_sessions(client, offline.url, sessions=max(3, n // 40), length=args.length)
    print(f"\n{n} samples per figure; stand-in model delay {args.delay} s; {args.settle} s pause before each sample; one worker, SQLite; {os.cpu_count()} CPUs\n")
    print("| figure | n | p50 ms | p99 ms |\n|---|---|---|---|")
    for name, values in figures.items():
        print(row(name, values))
    positions = sorted(by_position)
    for position in (5, positions[-1] if positions else 0):
        if position in by_position:
            print(row(f"offline turn at answer {position} of its session", by_position[position]))
    p50 = {name: percentile(values, 50) for name, values in figures.items()}
    service = p50["model turn (POST /answers, stand-in model)"] - p50["bare litellm.acompletion to the stand-in"]
    sdk = p50["bare litellm.acompletion to the stand-in"] - p50["bare request to the stand-in model"]
    quiet_service = p50["model turn, offline judge (POST /answers, stand-in model)"] - p50["bare litellm.acompletion to the stand-in"]
    offline_turns = figures["offline turn (POST /answers)"]
    print()
    print(f"service's own cost per model turn (model turn - bare litellm), p50: {service:.1f} ms")
    print(f"the same with the offline judge (no judge calls in the background), p50: {quiet_service:.1f} ms")
    print(f"litellm's SDK overhead (bare litellm - bare request to the stand-in), p50: {sdk:.1f} ms")
    print(f"offline turn / bare request to the app, p50: {p50['offline turn (POST /answers)'] / p50['bare request to the app (GET /healthz)']:.1f}x")
    print(f"offline turn p99 / p50: {percentile(offline_turns, 99) / percentile(offline_turns, 50):.1f}x")


if __name__ == "__main__":
    main()
