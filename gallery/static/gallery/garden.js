// The gallery page: a photo (or a mood chosen by hand) -> the emotion -> a garden of images, three at a time, to
// like, unlike and open full size. Modules by concern: garden-state (what is on screen), privacy (remembering the
// visitor), reading (a photo, or the mood picker), pages (the garden's pages), cards, and viewer (full size).

import { $ } from "./photo.js";
import { savedView, view } from "./garden-state.js";
import { askConsent, forgetMe, loadLikes, renderPrivacy } from "./privacy.js";
import { renderReading, watchMoods } from "./reading.js";
import { chooseMode, chooseTheme, loadPage, next, renderGarden, showPage } from "./pages.js";
import { showTheme, watchTheme } from "./theme-picker.js";
import { openViewer, watchViewer } from "./viewer.js";

// The view as it was before the page loaded again (the language switch is a form post).
async function restoreView() {
  const saved = savedView();
  renderPrivacy();
  if (!saved?.reading) {
    await loadLikes();
    return;
  }
  Object.assign(view, saved);
  showTheme(view.theme);
  renderReading();
  await loadLikes();
  if (view.pageIndex >= 0) renderGarden();
  else await loadPage();
}

// The sample's images are links to the files (so they open without scripts too); here they open in the viewer.
for (const link of document.querySelectorAll("#sample .sample-image")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const caption = link.closest("figure").querySelector("figcaption").textContent.trim();
    openViewer({ url: link.href, alt: link.querySelector("img").alt, caption, opener: link });
  });
}

$("privacy-change").addEventListener("click", askConsent);
$("forget-me").addEventListener("click", forgetMe);
$("previous").addEventListener("click", () => showPage(view.pageIndex - 1));
$("next").addEventListener("click", next);
for (const radio of document.querySelectorAll("input[name=mode]")) radio.addEventListener("change", chooseMode);
watchTheme(chooseTheme);
watchViewer();
watchMoods();
restoreView();
