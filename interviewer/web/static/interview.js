// Interview: send answers, stream the interviewer's replies over SSE, never lose what was typed.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("interview-data").textContent);
  const api = `/api/sessions/${encodeURIComponent(data.id)}`;
  const transcript = document.getElementById("transcript");
  const form = document.getElementById("composer");
  const box = document.getElementById("answer");
  const sendButton = document.getElementById("send");
  const retryButton = document.getElementById("retry");
  const errorBox = document.getElementById("send-error");
  const errorText = document.getElementById("send-error-text");
  const status = document.getElementById("send-status");
  const endButton = document.getElementById("end");
  const ended = document.getElementById("ended");
  const elapsed = document.getElementById("elapsed");
  const interviewerName = document.querySelector(".interview-head h1").textContent;
  const DRAFT = `interviewer:draft:${data.id}`;
  const PENDING = `interviewer:pending:${data.id}`;

  let sessionStatus = data.status;
  let sending = false;
  // The answer waiting for its reply after a failure: resent as is, with its key.
  let pending = null;

  const local = {
    get(key) { try { return JSON.parse(localStorage.getItem(key)); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode */ } },
    remove(key) { try { localStorage.removeItem(key); } catch { /* private mode */ } },
  };

  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; served over plain http on a LAN address, build one.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ------------------------------------------------------------ the elapsed timer
  const clockOffset = Date.parse(data.server_now) - Date.now();
  const startedAt = Date.parse(data.created_at);
  let endedAt = data.ended_at ? Date.parse(data.ended_at) : null;
  function tick() {
    const now = endedAt !== null ? endedAt : Date.now() + clockOffset;
    const seconds = Math.max(0, Math.floor((now - startedAt) / 1000));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = String(seconds % 60).padStart(2, "0");
    elapsed.textContent = h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }
  tick();
  const timer = setInterval(tick, 1000);

  // ------------------------------------------------------------ transcript
  function addTurn(role, text, attrs = {}) {
    const item = document.createElement("li");
    item.className = `turn ${role}`;
    item.dataset.role = role;
    for (const [name, value] of Object.entries(attrs)) item.dataset[name] = value == null ? "" : value;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "interviewer" ? interviewerName : "You";
    const body = document.createElement("div");
    body.className = "text";
    body.textContent = text;
    item.append(who, body);
    transcript.append(item);
    return item;
  }

  function fillTurn(item, turn) {
    item.dataset.kind = turn.kind;
    item.dataset.questionId = turn.question_id || "";
    item.dataset.language = turn.language;
    item.lang = turn.language;
    item.querySelector(".text").textContent = turn.content;
  }

  function reveal(element) {
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    element.scrollIntoView({ block: "nearest", behavior: reduce ? "auto" : "smooth" });
  }

  // ------------------------------------------------------------ server-sent events over POST
  async function* events(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer = (buffer + value).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const lines = [];
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue; // a keep-alive comment
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? "" : line.slice(colon + 1);
          if (text.startsWith(" ")) text = text.slice(1);
          if (field === "event") name = text;
          else if (field === "data") lines.push(text);
        }
        if (lines.length) yield { name, data: JSON.parse(lines.join("\n")) };
      }
    }
  }

  class SendFailure extends Error {
    constructor(message, { retry = true, ended = false } = {}) {
      super(message);
      this.retry = retry;
      this.ended = ended;
    }
  }

  function failure(statusCode, body) {
    const detail = body && body.detail;
    const text = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : typeof detail === "string" ? detail : "";
    if (statusCode === 413 || statusCode === 422) {
      // Refused before it was stored: fix the text and send it again.
      return new SendFailure(`${text || "The answer was refused"}. Edit your answer and send it again.`, { retry: false });
    }
    if (statusCode === 409 && /ended/i.test(text)) {
      return new SendFailure("This interview has already ended; your answer was not added. Open the report to see your feedback.", { retry: false, ended: true });
    }
    if (statusCode === 409 && /no reply yet/i.test(text)) {
      return new SendFailure("An earlier answer is saved without its reply (sent from another tab?). Reload the page to get that reply first.", { retry: false });
    }
    if (statusCode === 404) return new SendFailure("This interview no longer exists.", { retry: false });
    return new SendFailure(text || `The server answered ${statusCode}.`);
  }

  function modelFailure(error) {
    // The API's advice speaks of Idempotency-Key headers; here the Retry button does that.
    const cause = String(error.detail || "the reply could not be produced").split(" Your answer is saved")[0].replace(/\.$/, "");
    const wait = error.retry_after > 1 ? ` The provider asks to wait about ${error.retry_after} s.` : "";
    return `The reply could not be produced: ${cause}. Your answer is saved: press Retry to get the reply.${wait}`;
  }

  // ------------------------------------------------------------ sending
  function setSending(on) {
    sending = on;
    box.readOnly = on || pending !== null;
    sendButton.disabled = on;
    retryButton.disabled = on;
    transcript.setAttribute("aria-busy", on ? "true" : "false");
    if (endButton) endButton.disabled = on;
  }

  function showFailure(error) {
    errorText.textContent = error.message;
    errorBox.hidden = false;
    retryButton.hidden = !error.retry;
    sendButton.hidden = error.retry;
    box.readOnly = error.retry;
    status.textContent = "";
    (error.retry ? retryButton : box).focus();
  }

  function clearFailure() {
    errorBox.hidden = true;
    retryButton.hidden = false;
    sendButton.hidden = false;
  }

  async function send(text, key) {
    if (sending || sessionStatus !== "active") return;
    pending = { text, key };
    // Kept until the reply is stored: a reload or a crash resends this very answer.
    local.set(PENDING, pending);
    clearFailure();
    setSending(true);
    status.textContent = "Sending your answer…";
    const answerItem = addTurn("candidate", text);
    answerItem.classList.add("pending");
    const replyItem = addTurn("interviewer", "");
    replyItem.classList.add("streaming");
    reveal(replyItem);
    try {
      let response;
      try {
        response = await fetch(`${api}/answers`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "text/event-stream", "Idempotency-Key": key },
          body: JSON.stringify({ content: text }),
        });
      } catch {
        throw new SendFailure("Could not reach the server. Your answer is still in the box: retry when it is back.");
      }
      if (!response.ok) throw failure(response.status, await response.json().catch(() => null));
      status.textContent = "The interviewer is replying…";
      const replyText = replyItem.querySelector(".text");
      let done = null;
      try {
        for await (const event of events(response)) {
          if (event.name === "token") {
            replyText.textContent += event.data.text;
          } else if (event.name === "done") {
            done = event.data;
            break;
          } else if (event.name === "error") {
            throw new SendFailure(modelFailure(event.data));
          }
        }
      } catch (error) {
        if (error instanceof SendFailure) throw error;
        throw new SendFailure("The connection broke before the reply arrived. Your answer is saved: retry to get the reply.");
      }
      if (!done) throw new SendFailure("The reply did not arrive. Your answer is saved: retry to get the reply.");
      answerItem.classList.remove("pending");
      replyItem.classList.remove("streaming");
      fillTurn(answerItem, done.answer);
      fillTurn(replyItem, done.reply);
      pending = null;
      local.remove(PENDING);
      local.remove(DRAFT);
      box.value = "";
      await refreshProgress();
      setSending(false);
      status.textContent = "";
      reveal(replyItem);
      if (done.status !== "active") finish(done.status);
      else box.focus();
    } catch (caught) {
      const error = caught instanceof SendFailure
        ? caught
        : new SendFailure("Something went wrong while sending. Your answer is still in the box: retry.");
      answerItem.remove();
      replyItem.remove();
      setSending(false);
      if (!error.retry) {
        pending = null;
        local.remove(PENDING);
      }
      if (error.ended) finish("ended");
      else showFailure(error);
    }
  }

  async function refreshProgress() {
    try {
      const response = await fetch(api, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const session = await response.json();
      const p = session.progress;
      const stage = data.stage_titles[p.stage_id] || "";
      document.getElementById("stage").textContent = stage;
      document.querySelector("#progress .sep").textContent = stage ? " · " : "";
      document.getElementById("question-number").textContent = p.question_number;
      document.getElementById("question-count").textContent = p.question_count;
      if (session.ended_at) endedAt = Date.parse(session.ended_at);
      tick();
    } catch { /* the progress line is a convenience; the next answer refreshes it */ }
  }

  function finish(newStatus) {
    sessionStatus = newStatus;
    clearInterval(timer);
    if (endedAt === null) endedAt = Date.now() + clockOffset;
    tick();
    form.hidden = true;
    if (endButton) endButton.hidden = true;
    ended.hidden = false;
    local.remove(DRAFT);
    local.remove(PENDING);
    document.getElementById("report-link").focus();
  }

  function submit() {
    if (sending) return;
    if (pending) {
      send(pending.text, pending.key);
      return;
    }
    const text = box.value;
    if (!text.trim()) {
      showFailure(new SendFailure("Type your answer before sending.", { retry: false }));
      return;
    }
    if (text.length > data.max_answer_chars) {
      // Said, never cut: a browser limit on the box would silently drop the end of a paste.
      showFailure(new SendFailure(`Your answer is ${text.length} characters long; the limit is ${data.max_answer_chars}. Shorten it, then send it again.`, { retry: false }));
      return;
    }
    send(text, newKey());
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  });
  retryButton.addEventListener("click", () => submit());
  box.addEventListener("input", () => {
    if (!pending) local.set(DRAFT, box.value);
    // A refusal (empty, too long) goes away as the answer is edited.
    if (!errorBox.hidden && retryButton.hidden) errorBox.hidden = true;
  });

  if (endButton) {
    endButton.addEventListener("click", async () => {
      const unsent = box.value.trim() && !pending ? " Your unsent answer will not be included." : "";
      if (!window.confirm(`End the interview now? The report covers the answers you gave.${unsent}`)) return;
      endButton.disabled = true;
      try {
        const response = await fetch(`${api}/end`, { method: "POST", headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(String(response.status));
        finish("ended");
        window.location.assign(`/sessions/${encodeURIComponent(data.id)}/report`);
      } catch {
        endButton.disabled = false;
        showFailure(new SendFailure("Could not end the interview: the server did not answer. Try again.", { retry: false }));
      }
    });
  }

  // ------------------------------------------------------------ after a reload
  if (sessionStatus === "active") {
    if (data.unanswered !== null) {
      // The server holds an answer without its reply: resend it with its key if this browser kept it.
      const kept = local.get(PENDING);
      pending = { text: data.unanswered, key: kept && kept.text === data.unanswered ? kept.key : newKey() };
      local.set(PENDING, pending);
      box.value = data.unanswered;
      box.readOnly = true;
      sendButton.hidden = true;
    } else {
      const kept = local.get(PENDING);
      const answers = transcript.querySelectorAll(".turn.candidate .text");
      const lastAnswer = answers.length ? answers[answers.length - 1].textContent : null;
      // The reply was stored after the page went away: that draft has been sent already.
      if (kept && kept.text.trim() === (lastAnswer || "").trim()) local.remove(DRAFT);
      local.remove(PENDING);
      const draft = local.get(DRAFT);
      if (typeof draft === "string" && draft && !box.value) box.value = draft;
    }
    const last = transcript.lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
    (pending ? retryButton : box).focus();
  } else {
    clearInterval(timer);
    local.remove(DRAFT);
    local.remove(PENDING);
  }
})();
