// The gallery page: a photo -> the emotion on its face -> a garden of images, three at a time, to like and unlike.
// Words come from Django's JavaScript catalogue (gettext, loaded before this module); emotion and gender labels
// and the API's paths come from the page's config, so both follow the visitor's language.

import { $, clearState, element, icon, photoInput, request, showBusy, showProblem } from "./photo.js";
import { showTheme, themeLabel, watchTheme, withTheme } from "./theme-picker.js";

const config = JSON.parse(document.getElementById("garden-config").textContent);
const language = document.documentElement.lang || "en";

// localStorage: who this browser remembers. Only a hint for the page: the server opens that person's data to the
// HttpOnly cookie it set, which this script never sees.
const FACE_USER_KEY = "emotion-garden:face-user";
const CONSENT_KEY = "emotion-garden:consent"; // sessionStorage: "remember" or "not-now", asked once per visit
const VIEW_KEY = "emotion-garden:view"; // sessionStorage: what is on screen survives a language switch
const PAGE_SIZE = 3;

// What is on screen. Saved after each change (see saveView) and restored when the page loads again.
let view = {
  reading: null, // the emotion API's answer, without the photo
  pages: [], // [{items, mode}] in the order shown, so Previous shows the same images again
  pageIndex: -1,
  seen: [], // every image id shown since the photo was read: Next asks for images outside it
  modeChoice: "auto", // "auto" until the person uses the switch
  likedIds: [],
  personalAfterLikes: null, // the server's threshold for automatic personal picks, learnt from the garden
  theme: "", // the theme picker's words, "" for any theme
};
let photoSource = null; // "camera" or "upload": where "Try again" takes the person
let lastPhoto = null; // kept only in memory, for "Try again" after a server error
const liked = () => new Set(view.likedIds);

// --- Small helpers ------------------------------------------------------------------------------------------------

const percent = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 });
const formatConfidence = (confidence) => percent.format(confidence / 100);
const emotionLabel = (code) => config.emotions[code] || code;
// English labels are capitalised for headings; inside a sentence they read better in lower case.
const emotionWord = (code) => emotionLabel(code).toLocaleLowerCase(language);
const format = (text, values) => interpolate(text, values, true);

// client_event_id makes a retried like count once; crypto.randomUUID needs HTTPS, getRandomValues does not.
function eventId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- The API ------------------------------------------------------------------------------------------------------

const postJson = (url, body) =>
  request(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

const faceUserUrl = (template, id) => template.replace(config.idPlaceholder, id);

// --- Remembering the visitor --------------------------------------------------------------------------------------

const faceUserId = () => localStorage.getItem(FACE_USER_KEY);
const consentChoice = () => sessionStorage.getItem(CONSENT_KEY);
// The person this visit is for: only with today's "Remember me". After "Not now" the visit is anonymous, whoever
// this browser remembers: it may be someone else at the camera.
const activeFaceUserId = () => (consentChoice() === "remember" ? faceUserId() : null);

function rememberFaceUser(id) {
  localStorage.setItem(FACE_USER_KEY, id);
  sessionStorage.setItem(CONSENT_KEY, "remember");
  renderPrivacy();
}

function dropFaceUser() {
  localStorage.removeItem(FACE_USER_KEY);
  view.likedIds = [];
  renderPrivacy();
}

function renderPrivacy(message) {
  const remembered = Boolean(faceUserId());
  $("forget-me").hidden = !remembered;
  $("export-me").hidden = !remembered;
  // Everything kept about the person, as a JSON file (GET /api/v1/users/{id}/export).
  if (remembered) $("export-me").href = faceUserUrl(config.urls.faceUserExport, faceUserId());
  $("privacy-change").hidden = Boolean(activeFaceUserId());
  let text = message;
  if (!text && consentChoice() === "not-now") text = gettext("Nothing about your face is kept on this visit.");
  if (!text && activeFaceUserId()) {
    text = gettext("We remember you on this device. Your likes grow your personal picks.");
  }
  if (!text && consentChoice() === "remember") text = gettext("We will remember you from your next photo.");
  if (text) $("privacy-status").textContent = text;
  renderLikesProgress();
}

// Resolves with the button the person chose, or "" when they closed the dialog with Escape.
function ask(dialog) {
  return new Promise((resolve) => {
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    dialog.showModal();
  });
}

async function askConsent() {
  const choice = await ask($("consent-dialog"));
  if (choice) sessionStorage.setItem(CONSENT_KEY, choice);
  renderPrivacy();
  return choice;
}

// Asked once per visit, even in a browser that remembers someone: consent is the person's at the camera, and only
// "Remember me" lets the server search for their face. Escape keeps nothing.
async function mayRemember() {
  const choice = consentChoice() ?? (await askConsent());
  return choice === "remember";
}

async function forgetMe() {
  const id = faceUserId();
  if (!id || (await ask($("forget-dialog"))) !== "forget") return;
  try {
    await request(faceUserUrl(config.urls.faceUser, id), { method: "DELETE" });
  } catch (error) {
    // 403: this browser no longer holds the person's credential (forgotten on another device, or the cookie is
    // gone): only a photo with "Remember me" can show again who they are.
    if (error.status === 403) {
      dropFaceUser();
      renderPrivacy(gettext("This browser can no longer reach that face data. Take a photo with “Remember me” to be recognised, then choose “Forget me”."));
      return;
    }
    if (error.status !== 404) {
      $("privacy-status").textContent = gettext("We could not delete your face data just now. Please try again.");
      return;
    }
  }
  sessionStorage.setItem(CONSENT_KEY, "not-now");
  view.modeChoice = "auto";
  dropFaceUser();
  renderPrivacy(gettext("Done: your face print, age range and gender are deleted. Nothing about your face is kept."));
  if (view.pageIndex >= 0) renderGarden();
  saveView();
  $("privacy-change").focus();
}

// --- Status messages: waiting, problems, and a way on from each --------------------------------------------------

function showReadingProblem(error) {
  const retryPhoto = {
    label: gettext("Try again"), iconName: "retry", onClick: () => readPhoto(lastPhoto), primary: true,
  };
  const again = photoSource === "camera" ? photos.cameraAction(true) : photos.uploadAction(true);
  let problem;
  if (error.code === "no_face") {
    problem = {
      iconName: "face", title: gettext("We could not find a face in this photo."),
      detail: gettext("Face the camera in good light with your whole face in the picture, or try another photo."),
      actions: [{ ...again, label: photoSource === "camera" ? gettext("Try again") : gettext("Choose another photo") },
        photoSource === "camera" ? photos.uploadAction(false) : photos.cameraAction(false)],
    };
  } else if ([400, 413, 415].includes(error.status)) {
    problem = {
      title: gettext("We could not open this file as a photo."),
      detail: gettext("Use a JPEG, PNG or WebP photo smaller than 10 MB."),
      actions: [{ ...photos.uploadAction(true), label: gettext("Choose another photo") }, photos.cameraAction(false)],
    };
  } else if (error.status === 503) {
    problem = {
      title: gettext("The face reader is unavailable for a moment."),
      detail: gettext("Please try again in a little while."), actions: [retryPhoto],
    };
  } else {
    problem = {
      title: gettext("Something went wrong while reading your photo."),
      detail: error.status === 0 ? gettext("Check your connection and try again.") : gettext("Please try again."),
      actions: [retryPhoto],
    };
  }
  const [first] = showProblem($("capture-state"), problem);
  first.focus();
}

// --- Camera and upload --------------------------------------------------------------------------------------------

// The camera and the upload (photo.js); each photo taken or chosen is read.
const photos = photoInput({
  onPhoto: (photo, source) => {
    photoSource = source;
    readPhoto(photo);
  },
});

// --- Reading the emotion ------------------------------------------------------------------------------------------

async function readPhoto(photo) {
  lastPhoto = photo;
  photos.showPhoto(photo);
  $("face-boxes").replaceChildren();
  clearState($("capture-state"));
  const remember = await mayRemember();
  const stage = $("stage");
  stage.setAttribute("aria-busy", "true");
  $("reading").classList.add("stale");
  showBusy($("capture-state"), gettext("Reading your expression…"));
  let reading;
  try {
    reading = await request(`${config.urls.emotion}?remember=${remember}`, {
      method: "POST", headers: { "Content-Type": photo.type || "image/jpeg" }, body: photo,
    });
  } catch (error) {
    // The last reading belongs to another photo now; the garden it grew stays usable.
    $("reading").hidden = true;
    showReadingProblem(error);
    return;
  } finally {
    stage.removeAttribute("aria-busy");
    $("reading").classList.remove("stale");
  }
  clearState($("capture-state"));
  // Named only with today's consent; the server has put the person's credential in this browser's cookie.
  if (reading.face_user) rememberFaceUser(reading.face_user.id);
  const { emotion, emotions, faces, recognised } = reading;
  view = { ...view, reading: { emotion, emotions, faces, recognised }, pages: [], pageIndex: -1, seen: [] };
  renderReading();
  drawFaceBoxes(faces);
  $("reading-title").focus();
  await loadLikes();
  await loadPage();
}

function drawFaceBoxes(faces) {
  // Largest face first: the API reads the emotion of the first one, so only it carries the label.
  $("face-boxes").replaceChildren(...faces.map((face, index) => {
    const box = element("div", { className: index === 0 ? "face-box primary" : "face-box" });
    const { Left, Top, Width, Height } = face.BoundingBox;
    Object.assign(box.style, {
      left: `${Left * 100}%`, top: `${Top * 100}%`, width: `${Width * 100}%`, height: `${Height * 100}%`,
    });
    if (index === 0) box.append(element("span", { className: "face-tag", text: emotionLabel(view.reading.emotion) }));
    return box;
  }));
}

function renderReading() {
  const { emotion, emotions, faces, recognised } = view.reading;
  const [face] = faces;
  const dominant = emotions.find((score) => score.Type === emotion);
  $("dominant-label").textContent = emotionLabel(emotion);
  $("dominant-label").dataset.emotion = emotion;
  $("dominant-confidence").textContent = format(gettext("%(confidence)s sure"), {
    confidence: formatConfidence(dominant.Confidence),
  });
  $("welcome").hidden = !recognised;
  $("age").textContent = face.AgeRange
    ? format(gettext("%(low)s to %(high)s years"), { low: face.AgeRange.Low, high: face.AgeRange.High })
    : gettext("Unknown");
  $("gender").textContent = face.Gender ? config.genders[face.Gender.Value] ?? face.Gender.Value : gettext("Unknown");
  $("emotion-chart").replaceChildren(...emotions.map(({ Type, Confidence }) => {
    const fill = element("span", { className: "bar-fill" });
    fill.style.width = `${Math.max(Confidence, 0.5)}%`;
    const row = element("li", { className: Type === emotion ? "bar dominant" : "bar" },
      element("span", { className: "bar-label", text: emotionLabel(Type) }),
      element("span", { className: "bar-track" }, fill),
      element("span", { className: "bar-value", text: formatConfidence(Confidence) }));
    row.dataset.emotion = Type;
    return row;
  }));
  $("reading").hidden = false;
}

// --- The garden ---------------------------------------------------------------------------------------------------

const currentPage = () => view.pages[view.pageIndex];

async function loadLikes() {
  const id = activeFaceUserId();
  if (!id) return;
  try {
    const { likes } = await request(faceUserUrl(config.urls.faceUserLikes, id));
    view.likedIds = likes.map((image) => image.id);
  } catch (error) {
    // Forgotten elsewhere, or this browser's credential is gone: stop sending an id that opens nothing here.
    if ([403, 404].includes(error.status)) dropFaceUser();
  }
}

let pageRequests = 0; // a garden asked for before a newer one (a quick second theme word) is not shown

async function loadPage() {
  const ticket = ++pageRequests;
  const cards = $("cards");
  $("garden").hidden = false;
  cards.setAttribute("aria-busy", "true");
  showBusy($("garden-state"), gettext("Picking images for you…"));
  let answer;
  try {
    const body = { emotion: view.reading.emotion, n: PAGE_SIZE, exclude: view.seen, mode: view.modeChoice };
    if (activeFaceUserId()) body.face_user = activeFaceUserId();
    answer = await postJson(config.urls.garden, withTheme(body, view.theme));
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
    exhausted: answer.exhausted, emptyReason: answer.empty_reason?.code,
  });
  view.pageIndex = view.pages.length - 1;
  view.seen.push(...answer.items.map((item) => item.id).filter((id) => !view.seen.includes(id)));
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

function showPage(index) {
  view.pageIndex = index;
  hideNotice();
  renderGarden();
  saveView();
}

function next() {
  if (view.pageIndex < view.pages.length - 1) showPage(view.pageIndex + 1);
  else loadPage();
}

// A new mode (or the offer of personal picks) starts a new page; pages ahead of this one would be of the old kind.
function startFreshPage() {
  view.pages = view.pages.slice(0, view.pageIndex + 1);
  loadPage();
}

function chooseTheme(theme) {
  view.theme = theme;
  showTheme(theme);
  if (view.reading) startFreshPage();
  else saveView();
}

function chooseMode(event) {
  view.modeChoice = event.target.value;
  startFreshPage();
}

function renderGarden() {
  const page = currentPage();
  $("garden").hidden = false;
  if (page.items.length === 0 && page.theme) {
    $("cards").replaceChildren();
    showProblem($("garden-state"), {
      iconName: "sparkle", title: gettext("No image has this theme yet."),
      detail: gettext("Choose other words, or any theme."),
      actions: [{ label: gettext("Any theme"), iconName: "retry", onClick: () => chooseTheme(""), primary: true }],
    });
  } else if (page.items.length === 0 && page.emptyReason === "seen_everything") {
    $("cards").replaceChildren();
    showProblem($("garden-state"), {
      iconName: "sparkle", title: gettext("You have seen every image here."),
      detail: gettext("Read another photo or choose another theme for more."),
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
  $("next").disabled = page.items.length === 0 || Boolean(page.exhausted);
  renderLikesProgress();
}

function renderLikesProgress() {
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
function showNotice(text, { offerPersonal = false } = {}) {
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

// Each pick's reason, in the visitor's language, by the stable code the API gives beside its English words.
function reasonText(item) {
  const emotion = emotionWord(view.reading.emotion);
  const words = {
    because_you_liked: gettext("Because you liked a similar image"),
    popular_with_mood: format(gettext("Loved by other visitors who looked %(emotion)s"), { emotion }),
    popular_with_everyone: gettext("Loved by many visitors"),
    matches_mood: format(gettext("Matches your mood: %(emotion)s"), { emotion }),
    new: gettext("New in the garden"),
    rarely_shown: gettext("Rarely shown so far"),
    in_gallery: gettext("From the garden"),
    promoted: gettext("Featured"),
    recommended: gettext("Recommended for you"),
    matches_taste: gettext("Like the images you liked"),
    for_your_mood: format(gettext("Visitors who looked %(emotion)s liked it"), { emotion }),
    trending: gettext("Trending now"),
    similar: gettext("Similar to an image you chose"),
  };
  return words[item.reason_code] ?? item.reason;
}

function altText(item) {
  const emotion = emotionWord(item.emotion);
  return item.theme
    ? format(gettext("An image that feels %(emotion)s, on the theme “%(theme)s”"), {
      emotion, theme: themeLabel(item.theme, config.themes),
    })
    : format(gettext("An image that feels %(emotion)s"), { emotion });
}

function cardFor(item, index) {
  const image = element("img");
  Object.assign(image, { src: item.url, alt: altText(item), width: item.width, height: item.height });
  image.decoding = "async";
  // Three buttons called "Like" would sound alike to a screen reader: each also says which image it is for.
  const which = format(gettext(": image %(number)s"), { number: index + 1 });
  const button = element("button", { className: "like" }, icon("heart"),
    element("span", { className: "like-text" }), element("span", { className: "visually-hidden", text: which }));
  button.type = "button";
  button.dataset.image = item.id;
  setLiked(button, liked().has(item.id));
  button.addEventListener("click", () => toggleLike(item, button));
  const dismiss = element("button", { className: "not-interested" },
    element("span", { text: gettext("Not interested") }), element("span", { className: "visually-hidden", text: which }));
  dismiss.type = "button";
  dismiss.addEventListener("click", () => notInterested(item, card, dismiss));
  const reason = element("p", { className: "reason" }, icon("sparkle"),
    element("span", { text: reasonText(item) }));
  const card = element("li", { className: "card" },
    element("figure", {}, element("div", { className: "card-image" }, image),
      element("figcaption", {}, reason, button, dismiss)));
  card.dataset.image = item.id;
  return card;
}

// "Not interested": the image and ones just like it are hidden from this visitor, and their taste learns from it.
async function notInterested(item, card, dismiss) {
  if (dismiss.getAttribute("aria-busy") === "true") return;
  dismiss.setAttribute("aria-busy", "true");
  try {
    await sendInteraction(config.urls.notInterested, { ...interactionBody(item), client_event_id: eventId() });
  } catch {
    showProblem($("garden-state"), {
      title: gettext("We could not hide this image."), detail: gettext("Please try again."),
    });
    return;
  } finally {
    dismiss.removeAttribute("aria-busy");
  }
  clearState($("garden-state"));
  const page = currentPage();
  page.items = page.items.filter((shown) => shown.id !== item.id);
  card.replaceChildren(element("p", { className: "reason", text: gettext("Hidden: you will see fewer images like this.") }));
  saveView();
}

// What a like, an unlike or a "not interested" says about the page the image was on.
function interactionBody(item) {
  const page = currentPage();
  const body = {
    image: item.id,
    impressions: page.items.map((shown) => shown.id), // exactly what is on screen, however many
    emotion: view.reading.emotion,
  };
  if (page.recommendationId) body.recommendation_id = page.recommendationId;
  if (activeFaceUserId()) body.face_user = activeFaceUserId();
  return body;
}

function setLiked(button, isLiked) {
  button.setAttribute("aria-pressed", String(isLiked));
  button.querySelector(".like-text").textContent = isLiked ? gettext("Liked") : gettext("Like");
}

// One retry with the same client_event_id: the server counts it once even if the first attempt got through.
async function sendInteraction(url, body) {
  try {
    return await postJson(url, body);
  } catch (error) {
    if (error.status !== 0) throw error;
    return postJson(url, body);
  }
}

async function toggleLike(item, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  const liking = button.getAttribute("aria-pressed") !== "true";
  const likesBefore = view.likedIds.length;
  button.setAttribute("aria-busy", "true");
  setLiked(button, liking);
  const body = { ...interactionBody(item), client_event_id: eventId() };
  try {
    await sendInteraction(liking ? config.urls.like : config.urls.unlike, body);
  } catch {
    setLiked(button, !liking);
    showProblem($("garden-state"), {
      title: liking ? gettext("Your like could not be saved.") : gettext("Your like could not be taken back."),
      detail: gettext("Please try again."),
    });
    return;
  } finally {
    button.removeAttribute("aria-busy");
  }
  clearState($("garden-state"));
  view.likedIds = liking ? [...view.likedIds, item.id] : view.likedIds.filter((id) => id !== item.id);
  renderLikesProgress();
  saveView();
  const threshold = view.personalAfterLikes;
  const reachedThreshold = likesBefore < threshold && view.likedIds.length >= threshold;
  if (activeFaceUserId() && reachedThreshold && view.modeChoice === "auto" && currentPage().mode === "emotion") {
    showNotice(gettext("You like enough images for personal picks: the next images follow your taste."),
      { offerPersonal: true });
  }
}

// --- Keeping the view across a reload (the language switch is a form post) ----------------------------------------

function saveView() {
  sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
}

async function restoreView() {
  const saved = JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? "null");
  renderPrivacy();
  if (!saved?.reading) {
    await loadLikes();
    return;
  }
  view = { ...view, ...saved };
  showTheme(view.theme);
  renderReading();
  await loadLikes();
  if (view.pageIndex >= 0) renderGarden();
  else await loadPage();
}

$("privacy-change").addEventListener("click", askConsent);
$("forget-me").addEventListener("click", forgetMe);
$("previous").addEventListener("click", () => showPage(view.pageIndex - 1));
$("next").addEventListener("click", next);
for (const radio of document.querySelectorAll("input[name=mode]")) radio.addEventListener("change", chooseMode);
watchTheme(chooseTheme);
restoreView();
