// Live progress of a generation job: polls the job's progress endpoint every 2 s while it is queued or running, and
// reloads the page once it finishes so that the per-image errors and the retry button appear.
"use strict";

(() => {
  const panel = document.getElementById("eg-job-progress");
  if (!panel || panel.dataset.active !== "true") {
    return;
  }
  const show = (progress) => {
    for (const element of panel.querySelectorAll("[data-field]")) {
      element.textContent = progress[element.dataset.field];
    }
    const total = progress.total || 1;
    const done = (100 * progress.done) / total;
    panel.querySelector("[data-bar=done]").setAttribute("width", done);
    const failed = panel.querySelector("[data-bar=failed]");
    failed.setAttribute("x", done);
    failed.setAttribute("width", (100 * progress.failed) / total);
    panel.querySelector("[role=progressbar]").setAttribute("aria-valuenow", progress.percent);
  };
  const poll = async () => {
    try {
      const response = await fetch(panel.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const progress = await response.json();
        show(progress);
        if (!progress.active) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // A dropped connection is retried at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
})();
