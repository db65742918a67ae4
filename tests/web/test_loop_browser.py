"""A loop in the browser: started from the home page, its four rounds taken from the loop page, the debrief at the end."""

from __future__ import annotations

import re
from typing import Any

from interviewer.catalog.loading import Catalog

from tests.support.interviews import strong_candidate, weak_candidate
from tests.support.browser import PHONE, interviewer_turns, last_question, overflow, screenshot, wait_for_reply, wait_until

ROUNDS = ["recruiter-screen", "technical-ml", "manager-fit", "takehome-review"]
# Two answers per round, then "End interview": enough to score each round and keep the test short.
ANSWERS_PER_ROUND = 2


def answer_then_end(page: Any, candidate: Any) -> None:
    for _ in range(ANSWERS_PER_ROUND):
        count = interviewer_turns(page).count()
        turn = last_question(page)
        page.fill("#answer", "That's all, thank you." if turn["question_id"] is None and count > 1 else candidate(turn))
        page.click("#send")
        wait_for_reply(page, count + 1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End interview").click()
    # Ending a round opens its report, which leads back to the loop.
    page.wait_for_url(re.compile(r"/sessions/\w+/report$"))


def test_a_loop_through_its_pages_to_the_debrief(serve: Any, new_page: Any, catalog: Catalog) -> None:
    server = serve()
    page = new_page()
    page.goto(server.url)
    page.get_by_text("Your documents").click()
    page.get_by_label("Job description", exact=True).fill("ML engineer intern: gradient boosting and transformers for churn prediction.")
    page.get_by_label("CV", exact=True).fill("Built a churn model with gradient boosting at Acme, reducing losses by 40%.")
    page.get_by_role("button", name="Rehearse the whole loop").click()

    page.wait_for_url(re.compile(r"/loops/\w+$"))
    steps = page.locator("ol.steps > li")
    assert steps.count() == 4
    assert [steps.nth(i).get_attribute("data-status") for i in range(4)] == ["not_started"] * 4
    assert "with your job description, CV" in page.inner_text(".loop-head")
    screenshot(page, "loop-start")
    loop_url = page.url

    for index, persona_id in enumerate(ROUNDS):
        page.get_by_role("button", name=f"Start round {index + 1}").click()
        page.wait_for_url(re.compile(r"/sessions/\w+$"))
        candidate = weak_candidate if persona_id == "technical-ml" else strong_candidate(catalog, persona_id)
        answer_then_end(page, candidate)
        page.get_by_role("link", name="Back to your loop").click()
        page.wait_for_url(loop_url)
        assert steps.nth(index).get_attribute("data-status") == "ended"
        if index == 1:
            # Mid-loop: two rounds ended, the third ready to start, no debrief yet.
            assert page.get_by_role("button", name="Start round 3").is_visible()
            assert page.locator("#debrief-frame").count() == 0
            # Two answers of a longer plan: the score is shown, marked as covering a round ended early.
            assert "(ended early)" in steps.nth(0).inner_text()
            screenshot(page, "loop-midway")

    # Every round ended: no button to start another, and the debrief is on the page.
    assert page.locator("#start-next").count() == 0
    debrief = page.frame_locator("#debrief-frame")
    debrief.locator("h1").filter(has_text="Loop debrief").wait_for()
    wait_until(page, "document.getElementById('debrief-status').hidden")
    assert debrief.locator("svg.chart").count() == 2
    assert "not a hiring decision" in debrief.locator(".disclaimer").inner_text()
    assert debrief.locator("ol.plan > li").count() >= 1
    screenshot(page, "loop-debrief")

    phone = new_page(**PHONE)
    phone.goto(loop_url)
    phone.frame_locator("#debrief-frame").locator("h1").wait_for()
    assert overflow(phone) == 0
    screenshot(phone, "loop-debrief-phone")
