"""N concurrent interviews against `interviewer serve` with a model that answers in D seconds:
errors of every kind, throughput, and p50/p99 of answers and of session starts.

Each interview starts a session (one model call) and sends its answers one after the other, as a
student would. Everything runs on 127.0.0.1: the app and bench/standin_model.py (OpenAI format).

    .venv/bin/python bench/load.py --interviews 200 --answers 4 --delay 1 --database sqlite
    .venv/bin/python bench/load.py --interviews 500 --answers 4 --delay 1 --database postgresql --workers 2

PostgreSQL: INTERVIEWER_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
the run gets a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import ANSWER, app_env, cpu_seconds, interviewer, percentile, standin_model  # noqa: E402

PERSONA = "technical-ml"
CLIENT_TIMEOUT_S = 60


class Tally:
    def __init__(self) -> None:
        self.errors: collections.Counter[str] = collections.Counter()
        # The first answer of each kind of error, to say what it was.
        self.details: dict[str, str] = {}
        self.answers: list[float] = []
        self.starts: list[float] = []


async def _post(http: aiohttp.ClientSession, url: str, tally: Tally, **kwargs: object) -> tuple[dict | None, float]:
    started = time.perf_counter()
    try:
        async with http.post(url, **kwargs) as response:  # type: ignore[arg-type]
            raw = await response.read()
            if response.status >= 300:
                tally.errors[f"HTTP {response.status}"] += 1
                tally.details.setdefault(f"HTTP {response.status}", raw[:300].decode(errors="replace"))
                return None, 0.0
            return json.loads(raw), time.perf_counter() - started
    except asyncio.TimeoutError:
        tally.errors[f"client timeout ({CLIENT_TIMEOUT_S} s)"] += 1
    except aiohttp.ClientError as exc:
        tally.errors[type(exc).__name__] += 1
    return None, 0.0


async def one_interview(http: aiohttp.ClientSession, url: str, answers: int, tally: Tally) -> None:
    session, seconds = await _post(http, f"{url}/api/sessions", tally, json={"persona_id": PERSONA})
    if session is None:
        return
    tally.starts.append(seconds)
    for i in range(answers):
        body, seconds = await _post(
            http, f"{url}/api/sessions/{session['id']}/answers", tally,
            json={"content": f"{ANSWER} (answer {i + 1})"}, headers={"Idempotency-Key": f"a{i}"},
        )
        if body is None:
            return
        tally.answers.append(seconds)
        if body["status"] != "active":
            return


async def run(url: str, interviews: int, answers: int) -> tuple[Tally, float]:
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=interviews + 10)
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        await asyncio.gather(*(one_interview(http, url, answers, tally) for _ in range(interviews)))
        return tally, time.perf_counter() - started


def judge_calls(url: str) -> dict[str, float]:
    """Judge calls answered so far, by outcome, from the server's /metrics (one worker's share with several)."""
    counts: dict[str, float] = collections.Counter()
    for line in httpx.get(url + "/metrics", timeout=30).text.splitlines():
        if line.startswith("interviewer_model_calls_total{") and 'purpose="judge"' in line:
            outcome = line.split('outcome="', 1)[1].split('"', 1)[0]
            counts[outcome] += float(line.rsplit(" ", 1)[1])
    return dict(counts)


def _terminate(process: subprocess.Popen[bytes], after: float, out: list[float]) -> None:
    time.sleep(after)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait()
    out.append(time.monotonic() - started)


def _postgres_schema(name: str) -> tuple[str, object]:
    base = os.environ.get("INTERVIEWER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--answers", type=int, default=4)
    parser.add_argument("--delay", type=float, default=1.0, help="the stand-in model's answer delay (s)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--judge", choices=["model", "offline"], default="model",
        help="model: the stand-in also judges each answer in the background, as with INTERVIEWER_JUDGE_MODEL unset; offline: the offline scorer",
    )
    parser.add_argument("--sigterm-after", type=float, default=0, help="send the server SIGTERM after S seconds of load and time its exit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        drop = None
        if args.database == "sqlite":
            database_url = f"sqlite:///{work / 'load.db'}"
        else:
            database_url, drop = _postgres_schema(f"bench_load_{os.getpid()}")
        try:
            with standin_model(args.delay, work) as model:
                env = app_env(database_url=database_url, model="openai/standin", api_base=model.url + "/v1")
                if args.judge == "offline":
                    env |= {"INTERVIEWER_JUDGE_MODEL": "offline"}
                else:
                    # A teacher's default: the interviewer's model also judges (JSON schema, as OpenAI or vLLM take it).
                    env |= {"INTERVIEWER_STRUCTURED_OUTPUT": "json_schema"}
                with interviewer(env, work, workers=args.workers) as app:
                    shutdown: list[float] = []
                    if args.sigterm_after:
                        threading.Thread(target=_terminate, args=(app.process, args.sigterm_after, shutdown), daemon=True).start()
                    cpu_before = cpu_seconds(app.process.pid)
                    tally, elapsed = asyncio.run(run(app.url, args.interviews, args.answers))
                    # The server's CPU over the run (every worker; background scoring still running is not counted).
                    server_cpu = cpu_seconds(app.process.pid) - cpu_before if app.process.poll() is None else float("nan")
                    # A server told to stop closes its socket before it exits: nothing to ask it then.
                    judged = judge_calls(app.url) if app.process.poll() is None and not args.sigterm_after else {}
                    if args.sigterm_after:
                        app.process.wait(timeout=120)
                    log = app.log.read_text(errors="replace")
                    server_errors = [line for line in log.splitlines() if '"ERROR"' in line or "Traceback" in line]
                    # Kept for a look after the run (the working directory is removed).
                    Path(tempfile.gettempdir(), "bench-load-server.log").write_text(log)
        finally:
            if drop:
                drop()  # type: ignore[operator]
    expected = args.interviews * args.answers
    print(
        f"\n{args.interviews} concurrent interviews x {args.answers} answers, model delay {args.delay} s, "
        f"{args.database}, {args.workers} worker(s), judge {args.judge}, {os.cpu_count()} CPUs"
    )
    if args.judge == "model":
        print(f"judge calls finished during the run (background, queued behind turns): {judged or 'none'}")
    print(f"answers stored: {len(tally.answers)} of {expected}; errors: {dict(tally.errors) or 'none'}; server ERROR log lines: {len(server_errors)}")
    for kind, detail in tally.details.items():
        print(f"  first {kind}: {detail}")
    print(f"wall time {elapsed:.1f} s; throughput {len(tally.answers) / elapsed:.1f} answers/s")
    requests = len(tally.answers) + len(tally.starts)
    if requests:
        print(f"server CPU {server_cpu:.1f} s: {1000 * server_cpu / requests:.1f} ms per request (answers and session starts)")
    print(f"answer p50 {percentile(tally.answers, 50):.2f} s, p99 {percentile(tally.answers, 99):.2f} s")
    print(f"session start p50 {percentile(tally.starts, 50):.2f} s, p99 {percentile(tally.starts, 99):.2f} s")
    if shutdown:
        print(f"SIGTERM after {args.sigterm_after:g} s of load: the server exited {shutdown[0]:.1f} s later (the errors above are the cut-off interviews)")


if __name__ == "__main__":
    main()
