// History page: a drill button starts a drill of its round (the questions due for review) and opens it.
"use strict";
(() => {
  const errorBox = document.getElementById("drill-error");
  document.querySelectorAll("button.drill-start").forEach((button) => {
    button.addEventListener("click", async () => {
      if (button.disabled) return;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      errorBox.hidden = true;
      try {
        const response = await fetch("/api/sessions", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ persona_id: button.dataset.persona, language: button.dataset.language, mode: "drill" }),
        });
        const body = await response.json().catch(() => null);
        if (response.status === 201 && body && body.id) {
          window.location.assign(`/sessions/${encodeURIComponent(body.id)}`);
          return;
        }
        errorBox.textContent = body && typeof body.detail === "string" ? body.detail : `The drill could not start (error ${response.status}); try again.`;
        errorBox.hidden = false;
      } catch {
        errorBox.textContent = "Could not reach the server. Check that it is running, then try again.";
        errorBox.hidden = false;
      } finally {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    });
  });
})();
