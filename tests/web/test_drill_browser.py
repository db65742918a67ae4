"""Drills in the browser (issue 18): the history page shows what is due, and its button opens a drill."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from interviewer.storage.database import make_engine
from interviewer.storage.tables import InterviewSession

from tests.support.browser import interviewer_turns, screenshot

# A weak round through the API from the page itself (same origin): four "I don't know", then ended and scored.
WEAK_ROUND = """async () => {
  const post = (url, body) => fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const session = await (await post("/api/sessions", {persona_id: "technical-ml"})).json();
  for (let i = 0; i < 4; i++) await post(`/api/sessions/${session.id}/answers`, {content: "I don't know, not sure."});
  await post(`/api/sessions/${session.id}/end`, {});
  await fetch(`/api/sessions/${session.id}/report`);
  return session.id;
}"""


def test_the_history_page_shows_what_is_due_and_starts_a_drill(serve: Any, new_page: Any) -> None:
    server = serve()
    page = new_page()
    page.goto(server.url)
    page.evaluate(WEAK_ROUND)
    # Two days pass, without sleeping.
    engine = make_engine(server.settings.database_url)
    with Session(engine) as db:
        for session in db.exec(select(InterviewSession)):
            session.created_at -= timedelta(days=2)
            session.ended_at = session.ended_at - timedelta(days=2) if session.ended_at else None
            db.add(session)
        db.commit()
    engine.dispose()

    page.goto(f"{server.url}/history")
    due = page.locator("table.due tbody tr")
    assert due.count() >= 1 and page.locator("table.due").get_by_text("due now").count() == due.count()
    screenshot(page, "history-due")
    due_ids = [due.nth(i).get_attribute("data-question-id") for i in range(due.count())]
    page.get_by_role("button", name=re.compile(r"Drill .* due\)")).click()
    page.wait_for_url(re.compile(r"/sessions/\w+$"))
    first = interviewer_turns(page).first
    assert "Drill: " in first.inner_text() and first.get_attribute("data-question-id") in due_ids
    screenshot(page, "drill-session")
