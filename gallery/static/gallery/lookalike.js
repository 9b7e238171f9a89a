// The look-alike page: a photo -> the three reference people who look most like its face, each with their photo,
// the similarity and a band in words. Nothing about the face is kept on the server: the photo goes to the API and is
// forgotten. This tab keeps the last answer (and a small photo) in sessionStorage, so that a language switch, a form
// post that loads the page again, shows the same results in the new language.

import { $, clearState, element, photoFileProblem, photoInput, request, showBusy, showProblem } from "./photo.js";

const config = JSON.parse($("lookalike-config").textContent);
const language = document.documentElement.lang || "en";
const similarityFormat = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
const format = (text, values) => interpolate(text, values, true);

let lastPhoto = null; // kept only in memory, for "Try again" after a server error
let lastSource = null; // "camera" or "upload": where "Try again" takes the person
let lookalikeRequests = 0; // the last photo wins: an answer for an older one (a quick second photo) is not shown

const RESULTS_KEY = "emotion-garden:lookalike"; // sessionStorage: {answer, photo}, photo a data URL or null
// A photo up to this size is kept with the answer (as a data URL, a third larger); a larger one would crowd the
// tab's storage, and the results say enough without it.
const KEPT_PHOTO_BYTES = 512 * 1024;

const BANDS = {
  same_person: gettext("Probably the same person"),
  strong_resemblance: gettext("A strong resemblance"),
  faint_resemblance: gettext("A faint resemblance"),
};

const photos = photoInput({ onPhoto: findLookalikes });

async function findLookalikes(photo, source) {
  const ticket = ++lookalikeRequests;
  lastPhoto = photo;
  lastSource = source;
  photos.showPhoto(photo);
  const stage = $("stage");
  stage.setAttribute("aria-busy", "true");
  $("results").classList.add("stale");
  showBusy($("capture-state"), gettext("Looking for your look-alikes…"));
  let answer;
  try {
    answer = await request(config.urls.lookalike, {
      method: "POST", headers: { "Content-Type": photo.type || "image/jpeg" }, body: photo,
    });
  } catch (error) {
    if (ticket !== lookalikeRequests) return;
    $("results").hidden = true; // the last answer belongs to another photo
    sessionStorage.removeItem(RESULTS_KEY);
    showLookalikeProblem(error);
    return;
  } finally {
    if (ticket === lookalikeRequests) {
      stage.removeAttribute("aria-busy");
      $("results").classList.remove("stale");
    }
  }
  if (ticket !== lookalikeRequests) return;
  clearState($("capture-state"));
  renderResults(answer);
  $("results-title").focus();
  saveResults(answer, photo, ticket);
}

async function saveResults(answer, photo, ticket) {
  const kept = photo.size <= KEPT_PHOTO_BYTES ? await dataUrl(photo) : null;
  if (ticket !== lookalikeRequests) return; // a newer photo was sent while this one was read
  try {
    sessionStorage.setItem(RESULTS_KEY, JSON.stringify({ answer, photo: kept }));
  } catch {
    sessionStorage.setItem(RESULTS_KEY, JSON.stringify({ answer, photo: null })); // the storage is full
  }
}

const dataUrl = (photo) => new Promise((resolve) => {
  const reader = new FileReader();
  reader.addEventListener("load", () => resolve(reader.result));
  reader.addEventListener("error", () => resolve(null));
  reader.readAsDataURL(photo);
});

// The results as they were before the page loaded again; the photo only where it was small enough to keep.
function restoreResults() {
  const saved = JSON.parse(sessionStorage.getItem(RESULTS_KEY) ?? "null");
  if (!saved?.answer) return;
  if (saved.photo) {
    $("photo").src = saved.photo;
    $("stage-placeholder").hidden = true;
    $("photo-frame").hidden = false;
  }
  renderResults(saved.answer);
}

function showLookalikeProblem(error) {
  const again = lastSource === "camera" ? photos.cameraAction(true) : photos.uploadAction(true);
  const retry = {
    label: gettext("Try again"), iconName: "retry", onClick: () => findLookalikes(lastPhoto, lastSource),
    primary: true,
  };
  let problem;
  if (error.code === "no_face") {
    problem = {
      iconName: "face", title: gettext("We could not find a face in this photo."),
      detail: gettext("Face the camera in good light with your whole face in the picture, or try another photo."),
      actions: [{ ...again, label: lastSource === "camera" ? gettext("Try again") : gettext("Choose another photo") },
        lastSource === "camera" ? photos.uploadAction(false) : photos.cameraAction(false)],
    };
  } else if ([400, 413, 415].includes(error.status)) {
    problem = {
      ...photoFileProblem(error),
      actions: [{ ...photos.uploadAction(true), label: gettext("Choose another photo") }, photos.cameraAction(false)],
    };
  } else if (error.status === 503) {
    problem = {
      title: gettext("The face reader is unavailable for a moment."),
      detail: gettext("Please try again in a little while."), actions: [retry],
    };
  } else {
    problem = {
      title: gettext("Something went wrong while comparing your photo."),
      detail: error.status === 0 ? gettext("Check your connection and try again.") : gettext("Please try again."),
      actions: [retry],
    };
  }
  const [first] = showProblem($("capture-state"), problem);
  first.focus();
}

function renderResults(answer) {
  $("results").hidden = false;
  $("no-people").hidden = answer.found;
  $("matches").replaceChildren(...answer.matches.map(matchCard));
  const shown = answer.matches.length;
  $("fewer-people").hidden = !answer.found || shown >= config.people;
  $("fewer-people").textContent = format(ngettext(
    "The collection holds only %(count)s person, so only %(count)s is shown.",
    "The collection holds only %(count)s people, so only %(count)s are shown.", shown), { count: shown });
}

function matchCard(match, index) {
  const { person } = match;
  const image = element("img");
  Object.assign(image, { src: match.photo_url, alt: format(gettext("Photo of %(name)s"), { name: person.name }) });
  image.decoding = "async";
  const name = element("h3", { className: "match-name" });
  if (person.info_url) {
    const link = element("a", { text: person.name });
    Object.assign(link, { href: person.info_url, rel: "noopener noreferrer", target: "_blank" });
    name.append(link);
  } else {
    name.textContent = person.name;
  }
  const meter = element("meter");
  Object.assign(meter, { min: 0, max: 100, value: match.similarity });
  meter.setAttribute("aria-hidden", "true"); // the number beside it says the same in words
  const card = element("li", { className: `match band-${match.band}` },
    element("div", { className: "match-photo" }, image),
    element("div", { className: "match-text" },
      element("p", { className: "match-rank", text: format(gettext("Look-alike %(rank)s"), { rank: index + 1 }) }),
      name,
      element("p", { className: "band", text: BANDS[match.band] ?? match.band }),
      element("p", { className: "similarity" },
        element("span", { text: format(gettext("Similarity %(similarity)s out of 100"), {
          similarity: similarityFormat.format(match.similarity),
        }) }), meter)));
  card.dataset.band = match.band;
  return card;
}

restoreResults();
