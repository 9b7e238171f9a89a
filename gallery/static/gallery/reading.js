// Reading the emotion: a photo from the camera or a file -> the emotion API -> the reading panel, or a mood the
// visitor picks instead (no camera, no face, or no wish to show one). Either way the garden grows from it.

import { $, clearState, element, photoFileProblem, photoInput, request, showBusy, showProblem } from "./photo.js";
import { config, emotionLabel, format, formatConfidence, view } from "./garden-state.js";
import { loadLikes, mayRemember, rememberFaceUser } from "./privacy.js";
import { loadPage } from "./pages.js";

let photoSource = null; // "camera" or "upload": where "Try again" takes the person
let lastPhoto = null; // kept only in memory, for "Try again" after a server error
// The visitor's last photo or mood wins: a reading answered after a newer photo was sent or a mood chosen is not
// shown (as pages.js does with the garden's pages).
let readingRequests = 0;

// The camera and the upload (photo.js); each photo taken or chosen is read.
const photos = photoInput({
  onPhoto: (photo, source) => {
    photoSource = source;
    readPhoto(photo);
  },
});

// A new reading starts a new garden: pages of the last one were for another emotion.
async function growGarden(reading) {
  Object.assign(view, { reading, pages: [], pageIndex: -1, cursor: null });
  renderReading();
  $("reading-title").focus();
  await loadLikes();
  await loadPage();
}

async function readPhoto(photo) {
  const ticket = ++readingRequests;
  lastPhoto = photo;
  photos.showPhoto(photo);
  $("face-boxes").replaceChildren();
  clearState($("capture-state"));
  const remember = await mayRemember();
  if (ticket !== readingRequests) return;
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
    if (ticket !== readingRequests) return;
    // The last reading belongs to another photo now; the garden it grew stays usable.
    $("reading").hidden = true;
    showReadingProblem(error);
    return;
  } finally {
    if (ticket === readingRequests) {
      stage.removeAttribute("aria-busy");
      $("reading").classList.remove("stale");
    }
  }
  // Named only with today's consent; the server has put the person's credential in this browser's cookie, even for
  // a reading that is not shown.
  if (reading.face_user) rememberFaceUser(reading.face_user.id);
  if (ticket !== readingRequests) return;
  clearState($("capture-state"));
  const { emotion, emotions, faces, recognised } = reading;
  drawFaceBoxes(faces, emotion);
  await growGarden({ emotion, emotions, faces, recognised });
}

// A mood chosen by hand: no photo is sent, nothing about a face is read or kept.
function chooseMood(emotion) {
  readingRequests += 1; // a photo still being read is overtaken by the mood
  $("stage").removeAttribute("aria-busy");
  $("reading").classList.remove("stale");
  $("face-boxes").replaceChildren();
  $("photo-frame").hidden = true;
  $("stage-placeholder").hidden = !$("camera").hidden;
  clearState($("capture-state"));
  return growGarden({ emotion, chosen: true });
}

function showReadingProblem(error) {
  const retryPhoto = {
    label: gettext("Try again"), iconName: "retry", onClick: () => readPhoto(lastPhoto), primary: true,
  };
  const again = photoSource === "camera" ? photos.cameraAction(true) : photos.uploadAction(true);
  const chooseInstead = { label: gettext("Choose a mood instead"), iconName: "sparkle", onClick: focusMoods };
  let problem;
  if (error.code === "no_face") {
    problem = {
      iconName: "face", title: gettext("We could not find a face in this photo."),
      detail: gettext("Face the camera in good light with your whole face in the picture, or try another photo."),
      actions: [{ ...again, label: photoSource === "camera" ? gettext("Try again") : gettext("Choose another photo") },
        photoSource === "camera" ? photos.uploadAction(false) : photos.cameraAction(false), chooseInstead],
    };
  } else if ([400, 413, 415].includes(error.status)) {
    problem = {
      ...photoFileProblem(error),
      actions: [{ ...photos.uploadAction(true), label: gettext("Choose another photo") }, photos.cameraAction(false),
        chooseInstead],
    };
  } else if (error.status === 503) {
    problem = {
      title: gettext("The face reader is unavailable for a moment."),
      detail: gettext("Please try again in a little while."), actions: [retryPhoto, chooseInstead],
    };
  } else {
    problem = {
      title: gettext("Something went wrong while reading your photo."),
      detail: error.status === 0 ? gettext("Check your connection and try again.") : gettext("Please try again."),
      actions: [retryPhoto, chooseInstead],
    };
  }
  const [first] = showProblem($("capture-state"), problem);
  first.focus();
}

// The mood picker's buttons (rendered by the template, in the visitor's language).
export function watchMoods() {
  for (const button of $("mood-picker").querySelectorAll("button[value]")) {
    button.addEventListener("click", () => chooseMood(button.value));
  }
}

const focusMoods = () => $("mood-picker").querySelector("button").focus();

// A close-up's box can reach past the photo (a Top of -0.07 and a Height of 1.09): each box is cut to the frame, and
// the tag goes below the box, above it, or inside its foot, wherever it stays in the photo (placeFaceTag).
const clamp = (value) => Math.min(Math.max(value, 0), 1);

function drawFaceBoxes(faces, emotion) {
  // Largest face first: the API reads the emotion of the first one, so only it carries the label.
  $("face-boxes").replaceChildren(...faces.map((face, index) => {
    const box = element("div", { className: index === 0 ? "face-box primary" : "face-box" });
    const { Left, Top, Width, Height } = face.BoundingBox;
    const left = clamp(Left);
    const top = clamp(Top);
    Object.assign(box.style, {
      left: `${left * 100}%`, top: `${top * 100}%`,
      width: `${(clamp(Left + Width) - left) * 100}%`, height: `${(clamp(Top + Height) - top) * 100}%`,
    });
    if (index === 0) box.append(element("span", { className: "face-tag", text: emotionLabel(emotion) }));
    return box;
  }));
  placeFaceTag();
}

// Where the tag fits depends on the photo's size on screen: placed again when the photo loads or is resized.
function placeFaceTag() {
  const tag = $("face-boxes").querySelector(".face-tag");
  const frame = $("photo-frame");
  if (!tag || frame.hidden) return;
  const box = tag.parentElement;
  const gap = 6; // as .face-tag's offset in garden.css
  const room = tag.offsetHeight + gap;
  const below = frame.clientHeight - (box.offsetTop + box.offsetHeight) >= room;
  tag.dataset.place = below ? "below" : box.offsetTop >= room ? "above" : "inside";
  // Sideways too: centred under the box, but never past the photo's left or right edge.
  const centre = box.offsetLeft + box.offsetWidth / 2;
  const half = tag.offsetWidth / 2;
  const shift = Math.min(Math.max(centre, half), Math.max(frame.clientWidth - half, half)) - centre;
  tag.style.setProperty("--tag-shift", `${shift}px`);
}

$("photo").addEventListener("load", placeFaceTag);
new ResizeObserver(placeFaceTag).observe($("photo-frame"));

// The reading in short (the emotion and how sure), the rest behind toggles: the eight emotions (open where there is
// room beside the photo), and age and gender, which are rough guesses and not what the garden is about.
export function renderReading() {
  const { emotion, emotions, faces, recognised, chosen } = view.reading;
  $("dominant-label").textContent = emotionLabel(emotion);
  $("dominant-label").dataset.emotion = emotion;
  $("reading-from-photo").hidden = Boolean(chosen);
  $("reading-chosen").hidden = !chosen;
  $("welcome").hidden = !recognised;
  $("reading-details").hidden = Boolean(chosen);
  $("dominant-confidence").textContent = "";
  for (const mood of $("mood-picker").querySelectorAll("button")) {
    mood.setAttribute("aria-pressed", String(Boolean(chosen) && mood.value === emotion));
  }
  $("reading").hidden = false;
  if (chosen) return;
  const [face] = faces;
  const dominant = emotions.find((score) => score.Type === emotion);
  $("dominant-confidence").textContent = format(gettext("%(confidence)s sure"), {
    confidence: formatConfidence(dominant.Confidence),
  });
  renderTraits(face);
  $("emotion-details").open = matchMedia("(min-width: 860px)").matches;
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
}

// Age as the range the reader gives (its own uncertainty), gender with how sure it is.
function renderTraits(face) {
  $("age").textContent = face.AgeRange
    ? format(gettext("%(low)s to %(high)s years"), { low: face.AgeRange.Low, high: face.AgeRange.High })
    : gettext("Unknown");
  $("gender").textContent = face.Gender ? config.genders[face.Gender.Value] ?? face.Gender.Value : gettext("Unknown");
  $("gender-confidence").textContent = face.Gender?.Confidence
    ? format(gettext("%(confidence)s sure"), { confidence: formatConfidence(face.Gender.Confidence) })
    : "";
}
