// The full-size view: one image in a modal dialog (Escape or Close shuts it and focus goes back to the card), with
// Save (a download link) and Share (the Web Share API where the browser has it, else the link copied).

import { $ } from "./photo.js";

let opener = null; // the card's image button: focus returns to it
let shown = null; // {url, alt}

export function openViewer({ url, alt, caption, opener: from }) {
  opener = from;
  shown = { url, alt };
  Object.assign($("viewer-image"), { src: url, alt });
  $("viewer-caption").textContent = caption;
  $("viewer-save").href = url;
  $("viewer-status").textContent = "";
  $("viewer-link").hidden = true;
  $("viewer").showModal();
}

async function share() {
  const status = $("viewer-status");
  if (navigator.share) {
    try {
      await navigator.share({ title: document.title, text: shown.alt, url: shown.url });
    } catch (error) {
      // AbortError: the visitor closed the share sheet, which needs no word from us.
      if (error.name !== "AbortError") status.textContent = gettext("This image could not be shared.");
    }
    return;
  }
  try {
    await navigator.clipboard.writeText(shown.url);
    status.textContent = gettext("Link copied.");
  } catch {
    // No clipboard either (an insecure page, or permission refused): the link, selected, for the visitor to copy.
    const link = $("viewer-link");
    link.value = shown.url;
    link.hidden = false;
    link.select();
    status.textContent = gettext("Copy this link to share the image.");
  }
}

function closed() {
  $("viewer-image").removeAttribute("src");
  opener?.focus();
  opener = null;
}

export function watchViewer() {
  // Without the Web Share API the button says what it does instead.
  if (!navigator.share) $("viewer-share-label").textContent = gettext("Copy link");
  $("viewer-share").addEventListener("click", share);
  $("viewer").addEventListener("close", closed);
  // A click on the backdrop (outside the dialog's box) closes it, as in other photo viewers.
  $("viewer").addEventListener("click", (event) => {
    if (event.target === $("viewer")) $("viewer").close();
  });
}
