// The look-alike page: a photo -> the three reference people who look most like its face, each with their photo,
// the similarity and a band in words. Nothing about the face is kept: the photo goes to the API and is forgotten.

import { $, clearState, element, photoInput, request, showBusy, showProblem } from "./photo.js";

const config = JSON.parse($("lookalike-config").textContent);
const language = document.documentElement.lang || "en";
const similarityFormat = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
const format = (text, values) => interpolate(text, values, true);

let lastPhoto = null; // kept only in memory, for "Try again" after a server error
let lastSource = null; // "camera" or "upload": where "Try again" takes the person

const BANDS = {
  same_person: gettext("Probably the same person"),
  strong_resemblance: gettext("A strong resemblance"),
  faint_resemblance: gettext("A faint resemblance"),
};

const photos = photoInput({ onPhoto: findLookalikes });

async function findLookalikes(photo, source) {
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
    $("results").hidden = true; // the last answer belongs to another photo
    showLookalikeProblem(error);
    return;
  } finally {
    stage.removeAttribute("aria-busy");
    $("results").classList.remove("stale");
  }
  clearState($("capture-state"));
  renderResults(answer);
  $("results-title").focus();
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
      title: gettext("We could not open this file as a photo."),
      detail: gettext("Use a JPEG, PNG or WebP photo smaller than 10 MB."),
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
