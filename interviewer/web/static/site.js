// Shared by every page: dates shown in the reader's own time zone.
"use strict";
document.querySelectorAll("time[data-local]").forEach((el) => {
  const when = new Date(el.getAttribute("datetime"));
  if (!Number.isNaN(when.getTime())) {
    el.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }
});
