// Keyboard shortcuts for the review view. Each control names its keys in data-shortcut ("a", "n ArrowRight"), so
// the page works the same with a mouse, and without JavaScript.
"use strict";

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) {
    return;
  }
  // Typing in the filter fields must not approve anything.
  if (event.target instanceof Element && event.target.closest("input, select, textarea, [contenteditable]")) {
    return;
  }
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const control = document.querySelector(`[data-shortcut~="${CSS.escape(key)}"]`);
  if (control) {
    event.preventDefault();
    control.click();
  }
});

// A second key press while the first decision is on its way would decide the same image twice.
document.querySelectorAll("form[data-review-decision]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
    }
    form.dataset.sent = "true";
  });
});
