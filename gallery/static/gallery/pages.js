// The garden's pages: three images at a time for the emotion read (or chosen), Previous and Next, the mode switch,
// the theme, and the notices about personal picks.

import { $, clearState, element, icon, showBusy, showProblem } from "./photo.js";
import {
  GARDEN_CHANGED, PAGE_SIZE, config, currentPage, emotionWord, format, postJson, saveView, view,
} from "./garden-state.js";
import { showTheme, withTheme } from "./theme-picker.js";
import { activeFaceUserId, asPerson } from "./privacy.js";
import { cardFor } from "./cards.js";

let pageRequests = 0; // a garden asked for before a newer one (a quick second theme word) is not shown

// The picks to ask for. A visitor we do not remember gets strict emotion picks, as the page's intro promises (the
// server's "auto" would use the emotion only as a prior). One we remember gets their choice on the switch, else
// "auto": the emotion as a prior with their taste, turning to personal picks by itself once they like enough images.
const askedMode = (faceUser) => (faceUser ? view.modeChoice : "emotion");

export async function loadPage() {
  const ticket = ++pageRequests;
  const cards = $("cards");
  // "Try again" is about to give way to the busy message: the new cards take the focus it had.
  const refocus = $("garden-state").contains(document.activeElement);
  showGarden();
  cards.setAttribute("aria-busy", "true");
  showBusy($("garden-state"), gettext("Picking images for you…"));
  let answer;
  let asked;
  try {
    answer = await asPerson((faceUser) => {
      asked = askedMode(faceUser);
      const body = { emotion: view.reading.emotion, n: PAGE_SIZE, mode: asked };
      if (view.cursor) body.cursor = view.cursor;
      if (faceUser) body.face_user = faceUser;
      return askGarden(withTheme(body, view.theme));
    });
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
  view.personalAfterLikes = answer.personal_after_likes;
  view.pages.push({
    items: answer.items, mode: answer.mode, asked, theme: view.theme, recommendationId: answer.recommendation_id,
    exhausted: answer.exhausted === true, emptyReason: answer.empty_reason?.code,
  });
  view.pageIndex = view.pages.length - 1;
  view.cursor = answer.cursor ?? null;
  // Once a visit: each new photo starts a new garden, and a remembered visitor's first page of it is personal again.
  if (answer.mode === "personal" && asked === "auto" && !view.personalNoticeShown) {
    view.personalNoticeShown = true;
    showNotice(gettext("Personal picks: from now on your garden grows from the images you liked."));
  } else if (answer.exhausted && answer.items.length) {
    showNotice(gettext("That is every image here for now. Read another photo or choose another theme for more."));
  } else {
    hideNotice();
  }
  renderGarden();
  if (refocus) focusGarden();
  saveView();
}

// Where the focus goes when what had it was replaced: the first card's image, else the state's way on.
function focusGarden() {
  const target = $("cards").querySelector("button") ?? $("garden-state").querySelector("button");
  if (target) {
    target.focus();
    return;
  }
  const title = $("garden-state").querySelector(".state-title");
  title?.setAttribute("tabindex", "-1");
  title?.focus();
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
  const last = view.pageIndex === view.pages.length - 1;
  const ended = last && page.exhausted;
  showGarden();
  // Each page keeps the theme it was asked with: Previous and Next show it in the picker too, and a page loaded
  // from there asks for it again.
  view.theme = page.theme ?? "";
  showTheme(view.theme);
  if (page.items.length === 0 && page.hiddenCount) {
    $("cards").replaceChildren();
    showProblem($("garden-state"), {
      iconName: "sparkle", title: gettext("You hid the images on this page."),
      detail: ended ? gettext("Read another photo or choose another theme for more.")
        : gettext("Choose Next for more images."),
    });
  } else if (page.items.length === 0 && page.emptyReason === "seen_everything") {
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
  renderMode(page);
  $("page-label").textContent = format(gettext("Page %(page)s"), { page: view.pageIndex + 1 });
  $("previous").disabled = view.pageIndex === 0;
  // An empty answer has nothing after it; a page the visitor emptied by hiding its images has.
  $("next").disabled = (page.items.length === 0 && !page.hiddenCount) || ended;
  renderLikesProgress();
}

// The switch tells what the page shows: "Emotion picks" only where they were strict, "Personal picks" where the
// answer says so. Mixed picks ("auto" before personal picks start) are neither, so neither is checked (and choosing
// either is a change), and a hint says what they are.
function renderMode(page) {
  const asked = page.asked ?? page.mode; // pages saved before the switch learnt this
  const shown = page.mode === "personal" ? "personal" : asked === "emotion" ? "emotion" : "mixed";
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.checked = radio.value === shown;
  const hint = $("mode-hint");
  hint.hidden = shown !== "mixed";
  hint.textContent = shown !== "mixed" ? "" : format(gettext(
    "Mixed picks: mostly images that feel %(emotion)s, and some that visitors who looked %(emotion)s liked."),
  { emotion: emotionWord(view.reading.emotion) });
}

export function renderLikesProgress() {
  const remembered = Boolean(activeFaceUserId());
  const likes = view.likedIds.length;
  // Asked for with fewer likes, personal picks would be answered as mixed ones: the choice opens with the picks.
  const tooFewLikes = view.personalAfterLikes !== null && likes < view.personalAfterLikes;
  $("mode-personal").disabled = !remembered || (tooFewLikes && currentPage()?.mode !== "personal");
  let text = gettext("Personal picks are for people we remember: choose “Remember me” under Privacy choice.");
  if (remembered && view.personalAfterLikes !== null) {
    const values = { likes, needed: view.personalAfterLikes };
    // They start by themselves only while the visitor leaves the switch to the garden ("auto").
    let words = ngettext("You like %(likes)s image. Personal picks open at %(needed)s likes.",
      "You like %(likes)s images. Personal picks open at %(needed)s likes.", likes);
    if (view.modeChoice === "auto") {
      words = ngettext("You like %(likes)s image. Personal picks start by themselves at %(needed)s likes.",
        "You like %(likes)s images. Personal picks start by themselves at %(needed)s likes.", likes);
    }
    if (likes >= view.personalAfterLikes) {
      words = ngettext("You like %(likes)s image: personal picks are open to you.",
        "You like %(likes)s images: personal picks are open to you.", likes);
    }
    text = format(words, values);
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
  if (detail.forgotten) view.personalNoticeShown = false; // someone remembered later in this visit is told anew
  // Personal picks are gone with the person: a fresh page of emotion picks takes their place at once.
  if (detail.forgotten && view.reading && view.pageIndex >= 0) startFreshPage();
  else renderLikesProgress();
  if (detail.personalPicksOpen) {
    showNotice(gettext("You like enough images for personal picks: the next images follow your taste."),
      { offerPersonal: true });
  }
});
