"""Real processes for the benchmarks: `interviewer serve` and the stand-in model, on 127.0.0.1 only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
STARTUP_LIMIT_S = 120
# An answer a candidate could give to any question: long enough to be assessed, never a hedge.
ANSWER = (
    "I would start from a simple baseline and measure it on a held-out set with a clear metric, for "
    "example the F1 score, then improve it step by step: each change must be justified by a measured "
    "gain, and I would check for leakage between training and validation data before trusting it."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _wait_up(url: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url} exited at start-up:\n{log.read_text()[-3000:]}")
            try:
                if client.get(url + path, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start within {STARTUP_LIMIT_S} s")


def stop(process: Process) -> None:
    if process.process.poll() is None:
        process.process.send_signal(signal.SIGTERM)
        try:
            process.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.process.kill()
            process.process.wait()


@contextmanager
def standin_model(delay: float, workdir: Path) -> Iterator[Process]:
    port = free_port()
    log = workdir / f"standin-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "standin_model.py"), "--port", str(port), "--delay", str(delay)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    server = Process(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_up(server.url, "/v1/models", process, log)
        yield server
    finally:
        stop(server)


def app_env(*, database_url: str, model: str = "offline", api_base: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "INTERVIEWER_DATABASE_URL": database_url, "INTERVIEWER_MODEL": model, "INTERVIEWER_AUTH": "auto",
        "INTERVIEWER_LOG_LEVEL": "WARNING", "INTERVIEWER_LOG_FORMAT": "json", "INTERVIEWER_RATE_LIMIT_PER_MINUTE": "0",
        "INTERVIEWER_AUTO_MIGRATE": "true", "INTERVIEWER_MODEL_RETRIES": "0",
        # Never the network: litellm's price map is read from the package.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    if api_base:
        env |= {"INTERVIEWER_API_BASE": api_base, "INTERVIEWER_API_KEY": "sk-bench"}
    return env


@contextmanager
def interviewer(env: dict[str, str], workdir: Path, *, workers: int = 1) -> Iterator[Process]:
    port = free_port()
    log = workdir / f"interviewer-{port}.log"
    command = [str(Path(sys.executable).parent / "interviewer"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    server = Process(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_up(server.url, "/healthz", process, log)
        yield server
    finally:
        stop(server)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and all its living descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        # After the name: state, ppid, ..., utime and stime are fields 14 and 15 of stat(5).
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, grew = {pid}, True
    while grew:
        grown = tree | {child for child, (parent, _) in stats.items() if parent in tree}
        grew, tree = grown != tree, grown
    return sum(stats[p][1] for p in tree if p in stats)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
