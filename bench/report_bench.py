"""How long building and rendering a feedback report takes, per shipped round.

The report is rebuilt on every GET /api/sessions/{id}/report, so its cost is paid per request.
Run: .venv/bin/python bench/report_bench.py [repeats]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from interviewer.api.app import create_app
from interviewer.catalog.loading import load_catalog
from interviewer.feedback import report
from interviewer.interview import state
from interviewer.ops.settings import PROJECT_ROOT, Settings
from interviewer.storage import queries
from interviewer.storage import tables as store

ANSWER = (
    "First, I would restate the problem and the constraints. Then I would start from a simple baseline, "
    "measure it on a held-out set with a clear metric, and improve it step by step, because each change "
    "must be justified by a measured gain of at least 2 points. The trade-off is time against rigour."
)


def _play(client: TestClient, persona_id: str) -> str:
    session = client.post("/api/sessions", json={"persona_id": persona_id}).json()
    status, i = "active", 0
    while status == "active":
        body = client.post(f"/api/sessions/{session['id']}/answers", json={"content": ANSWER}, headers={"Idempotency-Key": str(i)}).json()
        status, i = body["status"], i + 1
    client.get(f"/api/sessions/{session['id']}/report")  # scores every answer once
    return session["id"]


def _time(repeats: int, fn: Any) -> float:
    started = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - started) / repeats * 1000


def main(repeats: int) -> None:
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", model="offline")
        app = create_app(settings)
        with TestClient(app) as client:
            ids = {persona_id: _play(client, persona_id) for persona_id in catalog.personas}
            print(f"{'round':<18}{'turns':>6}{'build ms':>10}{'json ms':>9}{'md ms':>8}{'html ms':>9}")
            with Session(app.state.engine) as db:
                for persona_id, session_id in ids.items():
                    view = state.get_session(db=db, session_id=session_id)
                    scores = queries.list_scores(db=db, session_id=session_id)

                    def build(view: state.SessionView = view, scores: list[store.AnswerScore] = scores) -> report.Report:
                        return report.build_report(session=view.session, persona=view.persona, rubric=view.rubric, turns=view.turns, scores=scores, usage=view.usage)

                    built = build()
                    timings = [_time(repeats, build)] + [_time(repeats, lambda fmt=fmt: report.render(built, fmt)) for fmt in ("json", "md", "html")]
                    print(f"{persona_id:<18}{len(view.turns):>6}" + "".join(f"{t:>{w}.1f}" for t, w in zip(timings, (10, 9, 8, 9), strict=True)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
