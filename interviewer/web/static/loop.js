// Loop page: start the next round through POST /api/loops/{id}/next, and fit the debrief's frame.
"use strict";
(() => {
  const head = document.querySelector(".loop-head");
  const button = document.getElementById("start-next");
  const status = document.getElementById("next-status");
  const errorBox = document.getElementById("next-error");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.focus();
  }

  if (button) {
    button.addEventListener("click", async () => {
      if (button.disabled) return;
      errorBox.hidden = true;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      status.textContent = "Starting the round…";
      try {
        const response = await fetch(`/api/loops/${encodeURIComponent(head.dataset.loopId)}/next`, { method: "POST", headers: { Accept: "application/json" } });
        const body = await response.json().catch(() => null);
        if (response.status !== 201 || !body || !body.id) {
          status.textContent = "";
          const detail = body && typeof body.detail === "string" ? body.detail : `The server answered ${response.status}; try again.`;
          showError(detail);
          return;
        }
        status.textContent = "Opening the interview…";
        window.location.assign(`/sessions/${encodeURIComponent(body.id)}`);
      } catch {
        status.textContent = "";
        showError("Could not reach the server. Check that it is running, then try again.");
      } finally {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    });
  }

  const frame = document.getElementById("debrief-frame");
  if (!frame) return;
  const frameStatus = document.getElementById("debrief-status");

  function fit() {
    const doc = frame.contentDocument;
    if (!doc || !doc.body) return;
    // The page scrolls, not the frame.
    frame.style.height = `${Math.ceil(doc.documentElement.getBoundingClientRect().height) + 2}px`;
  }

  function loaded() {
    const doc = frame.contentDocument;
    if (!doc) return;
    if (doc.contentType !== "text/html") {
      let detail = "";
      try { detail = JSON.parse(doc.body.textContent).detail || ""; } catch { detail = doc.body.textContent.slice(0, 300); }
      frameStatus.textContent = `The debrief could not be built: ${String(detail).trim() || "the server did not say why"}. Reload to try again.`;
      frame.hidden = true;
      return;
    }
    frameStatus.textContent = "";
    frameStatus.hidden = true;
    fit();
    new ResizeObserver(fit).observe(doc.documentElement);
  }

  frame.addEventListener("load", loaded);
  const early = frame.contentDocument;
  if (early && early.readyState === "complete" && early.location.href !== "about:blank") loaded();
})();
