"""In Chromium, under the pages' Content-Security-Policy (a violation is a console error, which
fails the test): the report page's Share button makes a link, copies it and revokes it; the link
opens the report alone; /docs draws Swagger UI from the app's own files."""

from __future__ import annotations

from typing import Any

from tests.support.browser import screenshot, wait_until


def test_the_report_page_shares_a_link_that_opens_the_report_alone_and_can_be_revoked(serve: Any, new_page: Any) -> None:
    server = serve()
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    earlier = page.request.post(f"{server.url}/api/sessions", data={"persona_id": "technical-ml"}).json()["id"]
    page.request.post(f"{server.url}/api/sessions/{earlier}/answers", data={"content": "Variance is sensitivity to the sample."})
    page.request.get(f"{server.url}/api/sessions/{earlier}/report")
    session_id = page.request.post(f"{server.url}/api/sessions", data={"persona_id": "technical-ml"}).json()["id"]
    page.request.post(f"{server.url}/api/sessions/{session_id}/answers", data={"content": "I would use cross-validation to estimate error."})
    page.request.post(f"{server.url}/api/sessions/{session_id}/end")

    page.goto(f"{server.url}/sessions/{session_id}/report")
    page.frame_locator("#report-frame").locator("h1").filter(has_text="Mock interview report").wait_for()
    share = page.get_by_role("button", name="Share")
    assert share.get_attribute("aria-expanded") == "false" and not page.locator("#share-panel").is_visible()
    share.click()
    wait_until(page, "document.getElementById('share-url').value.includes('/api/shared/')")
    link = page.input_value("#share-url")
    assert link.startswith(server.url) and share.get_attribute("aria-expanded") == "true"
    page.get_by_role("button", name="Copy link").click()
    wait_until(page, "document.getElementById('share-status').textContent.includes('copied')")
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot(page, "report-share", full_page=False)

    # Someone else, not signed in, opens the link: the HTML report of this session and nothing more.
    reader = new_page()
    reader.goto(link)
    assert "Mock interview report" in reader.locator("h1").inner_text()
    assert earlier[:8] not in reader.content()

    page.get_by_role("button", name="Revoke every link to this report").click()
    wait_until(page, "document.getElementById('share-status').textContent.includes('revoked')")
    assert page.input_value("#share-url") == ""
    assert reader.request.get(link).status == 404


def test_docs_draw_swagger_ui_from_the_app_alone(serve: Any, new_page: Any) -> None:
    server = serve()
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server.url}/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 10
    elsewhere = [url for url in requested if not url.startswith(server.url) and not url.startswith("data:")]
    assert elsewhere == [], elsewhere
