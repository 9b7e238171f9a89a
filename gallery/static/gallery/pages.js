// The garden's pages: three images at a time for the emotion read (or chosen), Previous and Next, the mode switch,
// the theme, and the notices about personal picks.

import { $, clearState, element, icon, showBusy, showProblem } from "./photo.js";
import { GARDEN_CHANGED, PAGE_SIZE, config, currentPage, format, postJson, saveView, view } from "./garden-state.js";
import { showTheme, withTheme } from "./theme-picker.js";
import { activeFaceUserId } from "./privacy.js";
import { cardFor } from "./cards.js";

let pageRequests = 0; // a garden asked for before a newer one (a quick second theme word) is not shown

export async function loadPage() {
  const ticket = ++pageRequests;
  const cards = $("cards");
  showGarden();
  cards.setAttribute("aria-busy", "true");
  showBusy($("garden-state"), gettext("Picking images for you…"));
  let answer;
  try {
    const body = { emotion: view.reading.emotion, n: PAGE_SIZE, mode: view.modeChoice };
    if (view.cursor) body.cursor = view.cursor;
    if (activeFaceUserId()) body.face_user = activeFaceUserId();
    answer = await askGarden(withTheme(body, view.theme));
  } catch (error) {
    if (ticket !== pageRequests) return;
    const [retry] = showProblem($("garden-state"), {
      title: gettext("We could not pick images just now."),
      detail: error.status === 0 ? gettext("Check your connection and try again.") : gettext("Please try again."),
      actions: [{ label: gettext("Try again"), iconName: "retry", onClick: loadPage, primary: true }],
    });
    retry.focus();
    return;
  } finally {
    cards.removeAttribute("aria-busy");
  }
  if (ticket !== pageRequests) return;
  clearState($("garden-state"));
  const before = currentPage()?.mode;
  view.personalAfterLikes = answer.personal_after_likes;
  view.pages.push({
    items: answer.items, mode: answer.mode, theme: view.theme, recommendationId: answer.recommendation_id,
    exhausted: answer.exhausted === true, emptyReason: answer.empty_reason?.code,
  });
  view.pageIndex = view.pages.length - 1;
  view.cursor = answer.cursor ?? null;
  if (answer.mode === "personal" && before !== "personal" && view.modeChoice === "auto") {
    showNotice(gettext("Personal picks: from now on your garden grows from the images you liked."));
  } else if (answer.exhausted && answer.items.length) {
    showNotice(gettext("That is every image here for now. Read another photo or choose another theme for more."));
  } else {
    hideNotice();
  }
  renderGarden();
  saveView();
}

// The cursor holds every image shown since the photo was read, across themes and modes. A theme (or mode) whose
// images all went by on earlier pages is a question the visitor has not seen answered yet: start it over rather than
// show an empty garden. Next never gets here: it is only offered while the pool has more.
async function askGarden(body) {
  const answer = await postJson(config.urls.garden, body);
  if (answer.items.length || answer.empty_reason?.code !== "seen_everything" || !body.cursor) return answer;
  const { cursor: _seen, ...fromTheStart } = body;
  return postJson(config.urls.garden, fromTheStart);
}

// The garden takes the place of the sample the page opens with (none while no image is approved).
function showGarden() {
  $("garden").hidden = false;
  $("sample")?.setAttribute("hidden", "");
}

export function showPage(index) {
  view.pageIndex = index;
  hideNotice();
  renderGarden();
  saveView();
}

export function next() {
  if (view.pageIndex < view.pages.length - 1) showPage(view.pageIndex + 1);
  else loadPage();
}

// A new mode (or the offer of personal picks) starts a new page; pages ahead of this one would be of the old kind.
export function startFreshPage() {
  view.pages = view.pages.slice(0, view.pageIndex + 1);
  loadPage();
}

export function chooseTheme(theme) {
  view.theme = theme;
  showTheme(theme);
  if (view.reading) startFreshPage();
  else saveView();
}

export function chooseMode(event) {
  view.modeChoice = event.target.value;
  startFreshPage();
}

export function renderGarden() {
  const page = currentPage();
  showGarden();
  if (page.items.length === 0 && page.emptyReason === "seen_everything") {
    $("cards").replaceChildren();
    showProblem($("garden-state"), {
      iconName: "sparkle", title: gettext("You have seen every image here."),
      detail: gettext("Read another photo or choose another theme for more."),
    });
  } else if (page.items.length === 0 && page.theme) {
    $("cards").replaceChildren();
    showProblem($("garden-state"), {
      iconName: "sparkle", title: gettext("No image has this theme yet."),
      detail: gettext("Choose other words, or any theme."),
      actions: [{ label: gettext("Any theme"), iconName: "retry", onClick: () => chooseTheme(""), primary: true }],
    });
  } else if (page.items.length === 0) {
    $("cards").replaceChildren();
    showProblem($("garden-state"), {
      iconName: "sparkle", title: gettext("The garden has no images yet."),
      detail: gettext("New images are added after review. Please come back soon."),
    });
  } else {
    $("cards").replaceChildren(...page.items.map(cardFor));
  }
  $(`mode-${page.mode}`).checked = true;
  $("page-label").textContent = format(gettext("Page %(page)s"), { page: view.pageIndex + 1 });
  $("previous").disabled = view.pageIndex === 0;
  const last = view.pageIndex === view.pages.length - 1;
  $("next").disabled = page.items.length === 0 || (last && page.exhausted);
  renderLikesProgress();
}

export function renderLikesProgress() {
  const remembered = Boolean(activeFaceUserId());
  $("mode-personal").disabled = !remembered;
  let text = gettext("Personal picks are for people we remember: choose “Remember me” under Privacy choice.");
  if (remembered && view.personalAfterLikes !== null) {
    const likes = view.likedIds.length;
    const values = { likes, needed: view.personalAfterLikes };
    text = likes >= view.personalAfterLikes
      ? format(ngettext("You like %(likes)s image: personal picks are open to you.",
        "You like %(likes)s images: personal picks are open to you.", likes), values)
      : format(ngettext("You like %(likes)s image. Personal picks start by themselves at %(needed)s likes.",
        "You like %(likes)s images. Personal picks start by themselves at %(needed)s likes.", likes), values);
  }
  $("likes-progress").textContent = text;
}

// The notice is a live region that stays in the page; only its content comes and goes, so it is always announced.
export function showNotice(text, { offerPersonal = false } = {}) {
  const content = [icon("sparkle"), element("p", { text })];
  if (offerPersonal) {
    const show = element("button", { className: "button small", text: gettext("Show personal picks now") });
    show.type = "button";
    show.addEventListener("click", startFreshPage);
    content.push(show);
  }
  $("garden-notice").replaceChildren(...content);
}

const hideNotice = () => $("garden-notice").replaceChildren();

document.addEventListener(GARDEN_CHANGED, ({ detail }) => {
  if (detail.forgotten && view.pageIndex >= 0) renderGarden(); // personal picks are gone with the person
  else renderLikesProgress();
  if (detail.personalPicksOpen) {
    showNotice(gettext("You like enough images for personal picks: the next images follow your taste."),
      { offerPersonal: true });
  }
});
