// Report page: fit the report's frame to its content, and say so when the report cannot be built.
"use strict";
(() => {
  const frame = document.getElementById("report-frame");
  const status = document.getElementById("report-status");
  const errorBox = document.getElementById("report-error");
  const errorText = document.getElementById("report-error-text");
  const source = frame.getAttribute("src");
  let observer = null;

  function fit() {
    const doc = frame.contentDocument;
    if (!doc || !doc.body) return;
    // The page scrolls, not the frame: the whole report is one scroll for mouse and keyboard alike.
    frame.style.height = `${Math.ceil(doc.documentElement.getBoundingClientRect().height) + 2}px`;
  }

  function loaded() {
    const doc = frame.contentDocument;
    if (!doc) return;
    if (doc.contentType !== "text/html") {
      // An error answered as JSON: a model failed while scoring, or the session is gone.
      let detail = "";
      try { detail = JSON.parse(doc.body.textContent).detail || ""; } catch { detail = doc.body.textContent.slice(0, 300); }
      status.textContent = "";
      const cause = String(detail).trim().replace(/[.;\s]+$/, "") || "the server did not say why";
      errorText.textContent = `The report could not be built: ${cause}. Your answers are saved; try again.`;
      errorBox.hidden = false;
      frame.hidden = true;
      return;
    }
    status.textContent = "";
    status.hidden = true;
    errorBox.hidden = true;
    frame.hidden = false;
    fit();
    if (observer) observer.disconnect();
    observer = new ResizeObserver(fit);
    observer.observe(doc.documentElement);
  }

  frame.addEventListener("load", loaded);
  // The report may have loaded before this deferred script ran.
  const early = frame.contentDocument;
  if (early && early.readyState === "complete" && early.location.href !== "about:blank") loaded();

  document.getElementById("report-retry").addEventListener("click", () => {
    errorBox.hidden = true;
    status.hidden = false;
    status.textContent = "Building your report…";
    frame.src = `${source}&retry=${Date.now()}`;
  });
})();

// Share: one click makes a read-only link to this report (shown once, copied on demand); revoke ends every link.
(() => {
  const head = document.querySelector(".report-head");
  const open = document.getElementById("share-open");
  const panel = document.getElementById("share-panel");
  const field = document.getElementById("share-url");
  const copy = document.getElementById("share-copy");
  const revoke = document.getElementById("share-revoke");
  const status = document.getElementById("share-status");
  const api = `/api/sessions/${head.dataset.sessionId}/share`;

  async function detail(response) {
    try { return (await response.json()).detail || response.statusText; } catch { return response.statusText; }
  }

  open.addEventListener("click", async () => {
    panel.hidden = false;
    open.setAttribute("aria-expanded", "true");
    if (field.value) return;
    status.textContent = "Making a link…";
    const response = await fetch(api, { method: "POST", headers: { Accept: "application/json" } });
    if (!response.ok) {
      status.textContent = `No link was made: ${await detail(response)}.`;
      return;
    }
    field.value = new URL((await response.json()).path, window.location.origin).href;
    status.textContent = "Link ready: copy it and send it to whoever should read the report.";
    field.focus();
    field.select();
  });

  copy.addEventListener("click", async () => {
    if (!field.value) return;
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied.";
    } catch {
      // No clipboard permission (plain http, an old browser): the link is selected for Ctrl+C.
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  });

  revoke.addEventListener("click", async () => {
    const response = await fetch(api, { method: "DELETE" });
    if (!response.ok) {
      status.textContent = `The links were not revoked: ${await detail(response)}.`;
      return;
    }
    field.value = "";
    status.textContent = "Every link to this report is revoked: they now answer “not found”.";
  });
})();
