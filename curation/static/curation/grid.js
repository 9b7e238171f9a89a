// Keyboard review in the grid: each card is focusable; on a focused card the arrows move between cards and A, R
// and X press its Approve, Reject and Select controls (named in data-shortcut). Without JavaScript the buttons and
// checkboxes still work.
"use strict";

const cards = () => Array.from(document.querySelectorAll("[data-grid-card]"));

// Cards per row, read from the layout, so Up and Down follow whatever width the grid has.
function perRow(list) {
  const row = list.findIndex((card) => card.offsetTop !== list[0].offsetTop);
  return row === -1 ? list.length : row;
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) {
    return;
  }
  // Only the card itself: keys typed in the filters or on a focused button keep their usual meaning.
  const card = event.target instanceof Element ? event.target : null;
  if (!card || !card.matches("[data-grid-card]")) {
    return;
  }
  const list = cards();
  const steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perRow(list), ArrowUp: -perRow(list) };
  if (event.key in steps) {
    const target = list[list.indexOf(card) + steps[event.key]];
    if (target) {
      event.preventDefault();
      target.focus();
    }
    return;
  }
  const control = card.querySelector(`[data-shortcut~="${CSS.escape(event.key.toLowerCase())}"]`);
  if (control) {
    event.preventDefault();
    control.click();
  }
});

// After a decision the page names the card that took the decided one's place (#image-<id>): focus goes there.
document.addEventListener("DOMContentLoaded", () => {
  const named = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  const target = named && named.matches("[data-grid-card]") ? named : cards()[0];
  if (target) {
    target.focus();
  }
});

// A second key press while the first decision is on its way would decide again.
document.querySelectorAll("form[data-review-decision]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
    }
    form.dataset.sent = "true";
  });
});
