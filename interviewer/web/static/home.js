// Home: start a round through POST /api/sessions, then open its interview page.
"use strict";
(() => {
  const form = document.getElementById("start-form");
  const startButton = document.getElementById("start");
  const status = document.getElementById("start-status");
  const errorBox = document.getElementById("start-error");
  const DOCUMENTS = ["job_description", "cv", "takehome"];
  const STORE_KEY = "interviewer:documents";
  // Files the server reads itself (a notebook, a PDF); plain text goes into its box instead.
  const BINARY = /\.(pdf|ipynb)$/i;
  // A chosen PDF or notebook per document field, sent as a file.
  const files = {};

  const storage = {
    read() { try { return JSON.parse(localStorage.getItem(STORE_KEY)) || {}; } catch { return {}; } },
    write(value) { try { localStorage.setItem(STORE_KEY, JSON.stringify(value)); } catch { /* private mode: nothing kept */ } },
  };

  function box(name) { return document.getElementById(name); }

  function saveDocuments() {
    const value = {};
    for (const name of DOCUMENTS) value[name] = box(name).value;
    storage.write(value);
  }

  // Documents pasted once are kept in this browser for the next rounds.
  const saved = storage.read();
  for (const name of DOCUMENTS) {
    if (saved[name] && !box(name).value) box(name).value = saved[name];
    box(name).addEventListener("input", saveDocuments);
  }
  if (DOCUMENTS.some((name) => box(name).value)) document.getElementById("documents").open = true;

  function setFile(name, file) {
    files[name] = file;
    const note = document.getElementById(`${name}-file-note`);
    note.hidden = !file;
    note.textContent = file ? `${file.name} (${Math.ceil(file.size / 1024)} KB) will be sent with the round, in place of the text above.` : "";
  }

  document.querySelectorAll('input[type="file"][data-target]').forEach((input) => {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      const target = box(input.dataset.target);
      setFile(input.dataset.target, null);
      if (!file) return;
      if (BINARY.test(file.name)) {
        setFile(input.dataset.target, file);
        return;
      }
      try {
        target.value = await file.text();
        saveDocuments();
      } catch {
        showError(`Could not read ${file.name}; paste its text instead.`);
      }
    });
  });

  document.getElementById("clear-documents").addEventListener("click", () => {
    for (const name of DOCUMENTS) box(name).value = "";
    document.querySelectorAll('input[type="file"]').forEach((input) => { input.value = ""; });
    for (const name of DOCUMENTS) setFile(name, null);
    saveDocuments();
    box("job_description").focus();
  });

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.focus();
  }

  function describe(status, body) {
    const detail = body && body.detail;
    if (Array.isArray(detail)) {
      // FastAPI's validation errors: name the field and say what is wrong with it.
      return detail.map((d) => `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}`).join("; ");
    }
    if (typeof detail === "string") {
      if (status >= 500) return `The interviewer could not start: ${detail}`;
      return detail;
    }
    return `The server answered ${status}; try again.`;
  }

  function request(withPersona = true) {
    const persona = form.querySelector('input[name="persona_id"]:checked');
    // A loop runs its own rounds: only the language and the documents go with it.
    const fields = withPersona ? { persona_id: persona ? persona.value : "" } : {};
    const language = box("language").value;
    if (language) fields.language = language;
    for (const name of DOCUMENTS) {
      const text = box(name).value.trim();
      if (text) fields[name] = text;
    }
    if (DOCUMENTS.some((name) => files[name])) {
      // Multipart: each chosen file in its document's field, every other field as a form field.
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) if (!files[name]) data.append(name, value);
      for (const name of DOCUMENTS) if (files[name]) data.append(name, files[name], files[name].name);
      return { method: "POST", body: data, headers: { Accept: "application/json" } };
    }
    return { method: "POST", body: JSON.stringify(fields), headers: { "Content-Type": "application/json", Accept: "application/json" } };
  }

  // A whole loop: POST /api/loops, then its page, where each round starts in turn.
  const loopButton = document.getElementById("start-loop");
  loopButton.addEventListener("click", async () => {
    if (loopButton.disabled) return;
    errorBox.hidden = true;
    loopButton.disabled = true;
    loopButton.setAttribute("aria-busy", "true");
    status.textContent = "Preparing the loop…";
    try {
      const response = await fetch("/api/loops", request(false));
      const body = await response.json().catch(() => null);
      if (response.status !== 201 || !body || !body.id) {
        status.textContent = "";
        showError(describe(response.status, body));
        return;
      }
      window.location.assign(`/loops/${encodeURIComponent(body.id)}`);
    } catch {
      status.textContent = "";
      showError("Could not reach the server. Check that it is running, then start again: nothing you typed is lost.");
    } finally {
      loopButton.disabled = false;
      loopButton.removeAttribute("aria-busy");
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (startButton.disabled) return;
    if (!form.querySelector('input[name="persona_id"]:checked')) {
      showError("Choose a round first.");
      return;
    }
    errorBox.hidden = true;
    startButton.disabled = true;
    startButton.setAttribute("aria-busy", "true");
    status.textContent = "Starting the interview…";
    try {
      const response = await fetch("/api/sessions", request());
      const body = await response.json().catch(() => null);
      if (response.status !== 201 || !body || !body.id) {
        status.textContent = "";
        showError(describe(response.status, body));
        return;
      }
      status.textContent = "Opening the interview…";
      window.location.assign(`/sessions/${encodeURIComponent(body.id)}`);
    } catch {
      status.textContent = "";
      showError("Could not reach the server. Check that it is running, then start again: nothing you typed is lost.");
    } finally {
      startButton.disabled = false;
      startButton.removeAttribute("aria-busy");
    }
  });
})();
