"""A candidate in the browser: a whole round to the report, the keyboard alone, a failing model, a phone."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from interviewer.catalog.loading import Catalog

from tests.support.fake_models import API_BASE, FakeOpenAI
from tests.support.interviews import strong_candidate
from tests.support.browser import PHONE, chat_screenshot, interviewer_turns, last_question, overflow, screenshot, wait_for_reply, wait_until

MAX_ANSWERS = 40


def answer_until_the_end(page: Any, candidate: Any, *, shots: str | None = None) -> int:
    """Answer every question of the round through the page; returns how many answers were sent."""
    for sent in range(1, MAX_ANSWERS + 1):
        count = interviewer_turns(page).count()
        page.fill("#answer", candidate(last_question(page)))
        page.click("#send")
        wait_for_reply(page, count + 1)
        if shots and sent == 2:
            chat_screenshot(page, f"{shots}-interview")
        if page.locator("#ended").is_visible():
            return sent
        assert page.input_value("#answer") == "", "the box is emptied once the reply is stored"
    raise AssertionError("the interview did not end")


def open_report(page: Any) -> Any:
    """The report page, once its frame shows the HTML report."""
    page.wait_for_url(re.compile(r"/sessions/\w+/report$"))
    report = page.frame_locator("#report-frame")
    report.locator("h1").filter(has_text="Mock interview report").wait_for()
    wait_until(page, "document.getElementById('report-status').hidden")
    return report


def test_a_whole_round_from_the_home_page_to_the_report(serve: Any, new_page: Any, catalog: Catalog) -> None:
    server = serve()
    page = new_page()
    page.goto(server.url)
    assert page.title().startswith("Practise an interview")
    # Every round is offered, with its role, duration and language.
    cards = page.locator(".round-card")
    assert cards.count() == len(catalog.personas)
    assert "about 25 min" in cards.filter(has_text="Léa Fontaine").inner_text()
    page.get_by_label("Léa Fontaine").check()
    page.get_by_text("Your documents").click()
    page.get_by_label("Job description", exact=True).fill("ML intern, NLP team: PyTorch, evaluation, energy measurement.")
    # A text file fills its box, where it can still be edited.
    page.get_by_label("Or upload your CV").set_input_files({"name": "cv.md", "mimeType": "text/markdown", "buffer": "# CV\nMSc student in machine learning.".encode()})
    wait_until(page, "document.getElementById('cv').value.startsWith('# CV')")
    page.get_by_label("CV", exact=True).press("Control+End")
    page.keyboard.type(" Internship on speech recognition.")
    screenshot(page, "round-home")
    page.get_by_role("button", name="Start the interview").click()

    page.wait_for_url(re.compile(r"/sessions/\w+$"))
    assert interviewer_turns(page).count() == 1
    assert re.search(r"Question 1 of \d+", page.inner_text("#progress"))
    assert page.evaluate("document.activeElement.id") == "answer"
    sent = answer_until_the_end(page, strong_candidate(catalog, "recruiter-screen"), shots="round")

    # Every planned question was asked, and the progress line followed.
    number, total = re.search(r"Question (\d+) of (\d+)", page.inner_text("#progress")).groups()  # type: ignore[union-attr]
    assert number == total and int(total) >= 6
    assert page.locator("#transcript li.candidate").count() == sent
    assert not page.locator("#composer").is_visible() and not page.locator("#end").is_visible()
    assert re.fullmatch(r"\d+:\d\d", page.inner_text("#elapsed"))
    screenshot(page, "round-ended")

    page.get_by_role("link", name="Read your feedback report").click()
    report = open_report(page)
    assert "Léa Fontaine" in report.locator("h1").inner_text()
    assert report.locator("#criteria-title").is_visible() and report.locator("svg.chart").count() >= 2
    # The frame is as tall as the report: the page scrolls, not a box inside it.
    assert page.evaluate("document.getElementById('report-frame').getBoundingClientRect().height") > 1500
    screenshot(page, "round-report")

    page.get_by_role("link", name="History").click()
    row = page.locator("table.sessions tbody tr")
    assert row.count() == 1
    assert re.search(r"\d\.\d / 5", row.inner_text()) and "ended" in row.inner_text()
    assert page.locator("svg.chart circle").count() == 1
    screenshot(page, "round-history")


def tab_to(page: Any, element_id: str, *, backwards: bool = False, limit: int = 40) -> list[str]:
    """Press Tab (or Shift+Tab) until the element has the focus; returns the focus order walked."""
    walked = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate("(() => { const e = document.activeElement; return e.id || e.getAttribute('href') || e.tagName; })()")
        walked.append(focused)
        if focused == element_id:
            return walked
    raise AssertionError(f"Tab never reached #{element_id}: {walked}")


def focus_ring(page: Any) -> str:
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle")


def test_the_keyboard_alone_starts_a_round_sends_answers_and_ends_it(serve: Any, new_page: Any) -> None:
    server = serve()
    page = new_page()
    page.goto(server.url)
    # Skip link first, then the round cards: arrows choose a round, Tab moves on to the start.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip" and focus_ring(page) != "none"
    walked = tab_to(page, "persona-manager-fit")
    assert walked[-2] == "/history"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "persona-recruiter-screen"
    assert page.is_checked("#persona-recruiter-screen")
    walked = tab_to(page, "start")
    # The documents are folded away, so the start button is three Tabs on.
    assert walked == ["language", "SUMMARY", "start"], walked
    assert focus_ring(page) != "none", "the focused button shows where the keyboard is"
    screenshot(page, "keyboard-home-focus")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/sessions/\w+$"))
    assert page.evaluate("document.activeElement.id") == "answer"
    page.keyboard.type("I am a master's student in machine learning; my internship measured the energy of training runs.")
    page.keyboard.press("Control+Enter")
    wait_for_reply(page, 2)
    assert page.locator("#transcript li.candidate").count() == 1
    assert page.input_value("#answer") == "" and page.evaluate("document.activeElement.id") == "answer"

    # A draft survives a reload.
    page.keyboard.type("A draft I have not sent yet.")
    page.reload()
    assert page.input_value("#answer") == "A draft I have not sent yet."
    assert page.locator("#transcript li.candidate").count() == 1

    # End the interview from the keyboard: back from the box to the End button.
    assert page.evaluate("document.activeElement.id") == "answer"
    tab_to(page, "end", backwards=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    report = open_report(page)
    assert report.locator("#overall-title").is_visible()


def test_a_failed_model_call_keeps_the_answer_and_retry_resends_it_with_its_key(
    serve: Any, new_page: Any, no_network: Any, fake_openai: FakeOpenAI
) -> None:
    server = serve(model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0, model_timeout=5)
    page = new_page()
    sent_keys: list[str] = []
    page.on("request", lambda r: sent_keys.append(r.headers.get("idempotency-key", "")) if r.url.endswith("/answers") else None)
    page.goto(server.url)
    page.get_by_label("Dr. Lena Weiss").check()
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_url(re.compile(r"/sessions/\w+$"))
    session_id = page.url.rsplit("/", 1)[1]

    answer = "The likelihood is p(data | theta) read as a function of theta; maximising it gives the MLE."
    fake_openai.fail_next(httpx.Response(500, json={"error": {"message": "upstream overloaded", "type": "server_error"}}))
    page.fill("#answer", answer)
    page.click("#send")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Retry" in alert.inner_text() and "Idempotency-Key" not in alert.inner_text()
    # Nothing typed is lost: the answer stays in the box, and Retry has the focus.
    assert page.input_value("#answer") == answer
    assert page.evaluate("document.activeElement.id") == "retry"
    assert page.locator("#transcript li.candidate").count() == 0
    chat_screenshot(page, "failure-error")

    # A reload on the failure keeps the answer too, ready to resend with the same key.
    page.reload()
    assert page.input_value("#answer") == answer and page.locator("#retry").is_visible()

    page.get_by_role("button", name="Retry").click()
    wait_for_reply(page, 2)
    assert not page.locator("#send-error").is_visible()
    assert page.locator("#transcript li.candidate .text").all_inner_texts() == [answer]
    assert page.input_value("#answer") == ""
    screenshot(page, "failure-retried")

    assert len(sent_keys) == 2 and sent_keys[0] and sent_keys[0] == sent_keys[1], sent_keys
    stored = page.request.get(f"{server.url}/api/sessions/{session_id}").json()["turns"]
    assert [t["role"] for t in stored] == ["interviewer", "candidate", "interviewer"]
    assert stored[1]["content"] == answer
    assert len(fake_openai.interviewer_requests) == 3  # the opening, the failed reply, the reply

    # A report that cannot be built (its scoring failed) says so in place, and Try again rebuilds it.
    failed: list[str] = []

    def fail_once(route: Any) -> None:
        if failed:
            route.continue_()
            return
        failed.append(route.request.url)
        route.fulfill(status=502, content_type="application/json", body=json.dumps({"detail": "the model 'openai/gpt-4o-mini' failed (500); retry", "retry_after": 5}))

    page.route(re.compile(r"/report\?format=html"), fail_once)
    page.goto(f"{server.url}/sessions/{session_id}/report")
    page.locator("#report-error").wait_for()
    assert "could not be built" in page.inner_text("#report-error") and not page.locator("#report-frame").is_visible()
    screenshot(page, "failure-report", full_page=False)
    page.get_by_role("button", name="Try again").click()
    page.frame_locator("#report-frame").locator("#overall-title").wait_for()
    assert len(failed) == 1 and not page.locator("#report-error").is_visible()


def test_every_page_fits_a_375_pixel_phone(serve: Any, new_page: Any, catalog: Catalog) -> None:
    server = serve()
    page = new_page(**PHONE)
    page.goto(server.url)
    assert overflow(page) <= 0
    screenshot(page, "phone-home")
    page.get_by_label("Léa Fontaine").check()
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_url(re.compile(r"/sessions/\w+$"))
    candidate = strong_candidate(catalog, "recruiter-screen")
    for n in (2, 3):
        page.fill("#answer", candidate(last_question(page)))
        page.get_by_role("button", name="Send").tap()
        wait_for_reply(page, n)
    assert overflow(page) <= 0
    send = page.get_by_role("button", name="Send").bounding_box()
    assert send is not None and send["height"] >= 44 and send["x"] >= 0 and send["x"] + send["width"] <= 375
    chat_screenshot(page, "phone-interview")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End interview").tap()
    report = open_report(page)
    assert overflow(page) <= 0
    assert report.locator("body").evaluate("b => b.scrollWidth <= b.clientWidth")
    screenshot(page, "phone-report")

    # A second round of the same kind, ended at once, so the history draws a line.
    created = page.request.post(f"{server.url}/api/sessions", data={"persona_id": "recruiter-screen"})
    second = created.json()["id"]
    first_question = {"question_id": created.json()["turns"][0]["question_id"], "language": "en"}
    page.request.post(f"{server.url}/api/sessions/{second}/answers", data={"content": candidate(first_question)}, headers={"Idempotency-Key": "phone-1"})
    page.request.post(f"{server.url}/api/sessions/{second}/end")
    page.request.get(f"{server.url}/api/sessions/{second}/report")
    page.goto(f"{server.url}/history")
    assert page.locator("table.sessions tbody tr").count() == 2
    assert overflow(page) <= 0
    screenshot(page, "phone-history")


def test_refusals_are_shown_in_place_and_keep_what_was_typed(serve: Any, new_page: Any) -> None:
    server = serve(max_document_chars=1000, max_answer_chars=100)
    page = new_page()
    page.goto(server.url)
    job = "We are hiring an ML intern. " * 50
    page.get_by_text("Your documents").click()
    page.get_by_label("Job description", exact=True).fill(job)
    page.get_by_role("button", name="Start the interview").click()
    alert = page.locator("#start-error")
    alert.wait_for()
    assert "job_description" in alert.inner_text() and "1000" in alert.inner_text()
    assert page.input_value("#job_description") == job
    # Pasted documents are kept in the browser: a reload loses nothing either.
    page.reload()
    assert page.input_value("#job_description") == job
    # A PDF or a notebook is sent as a file; the page says so.
    page.get_by_label("Or upload your take-home").set_input_files({"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"})
    assert "report.pdf" in page.inner_text("#takehome-file-note")
    page.get_by_role("button", name="Clear documents").click()
    assert page.input_value("#job_description") == "" and not page.locator("#takehome-file-note").is_visible()
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_url(re.compile(r"/sessions/\w+$"))

    long_answer = "My pitch: " + "I measured energy use of training runs and cut it by a third. " * 3
    page.fill("#answer", long_answer)
    page.keyboard.press("Control+Enter")
    refusal = page.locator("#send-error")
    refusal.wait_for()
    assert "limit is 100" in refusal.inner_text() and not page.locator("#retry").is_visible()
    assert page.input_value("#answer") == long_answer and page.locator("#transcript li.candidate").count() == 0
    screenshot(page, "refusal-answer-too-long", full_page=False)
    page.fill("#answer", "My pitch: I measured the energy of training runs and cut it by a third.")
    assert not refusal.is_visible(), "the refusal goes away as the answer is edited"
    page.keyboard.press("Control+Enter")
    wait_for_reply(page, 2)
    assert page.locator("#transcript li.candidate").count() == 1
