// What the site's photo pages share: building elements, calling the API, status messages with a way on, and taking a
// photo with the camera or from a file. Words come from Django's JavaScript catalogue (gettext, loaded before the
// modules).

export const $ = (id) => document.getElementById(id);

export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#icon-${name}`);
  svg.append(use);
  return svg;
}

export function element(tag, { className, text } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}

// --- The API ------------------------------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status; // 0 when the server could not be reached
    this.code = code;
  }
}

export async function request(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch (error) {
    throw new ApiError(0, "network", error.message);
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code ?? "", body?.error?.message ?? response.statusText);
  }
  return body;
}

// --- Status messages: waiting, problems, and a way on from each --------------------------------------------------

export function showBusy(container, message) {
  container.replaceChildren(element("div", { className: "state-box busy" },
    element("span", { className: "spinner" }), element("p", { text: message })));
}

export function showProblem(container, { iconName = "alert", title, detail, actions = [] }) {
  const buttons = actions.map(({ label, iconName: actionIcon, onClick, primary }) => {
    const button = element("button", { className: primary ? "button primary small" : "button small" });
    button.type = "button";
    if (actionIcon) button.append(icon(actionIcon));
    button.append(element("span", { text: label }));
    button.addEventListener("click", onClick);
    return button;
  });
  const box = element("div", { className: "state-box problem" }, icon(iconName),
    element("div", {}, element("p", { className: "state-title", text: title }),
      ...(detail ? [element("p", { text: detail })] : []),
      element("div", { className: "actions" }, ...buttons)));
  container.replaceChildren(box);
  return buttons;
}

export const clearState = (container) => container.replaceChildren();

// What to say of a photo the server would not open (400, 413 or 415), on every photo page alike. A photo over the
// pixel limit is usually small in bytes (a large plain PNG), so "smaller than 10 MB" would not help: say the pixels,
// with the limit taken from the server's message ("… the limit is 24000000 pixels.").
export function photoFileProblem(error) {
  if (error.code === "too_many_pixels") {
    const limit = Number(/limit is (\d+) pixels/.exec(error.message)?.[1]);
    const megapixels = new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: 1 });
    return {
      title: gettext("This photo has too many pixels."),
      detail: limit
        ? interpolate(gettext("Use a photo of at most %(megapixels)s megapixels, or make this one smaller."),
          { megapixels: megapixels.format(limit / 1e6) }, true)
        : gettext("Use a photo with fewer pixels, or make this one smaller."),
    };
  }
  return {
    title: gettext("We could not open this file as a photo."),
    detail: gettext("Use a JPEG, PNG or WebP photo smaller than 10 MB."),
  };
}

// --- Camera and upload --------------------------------------------------------------------------------------------

// The photo panel of a page (#stage with #stage-placeholder, #camera and #photo-frame/#photo; #start-camera,
// #capture and #photo-input; #capture-state for messages). Each photo taken or chosen goes to onPhoto(photo, source),
// source being "camera" or "upload". Without a usable camera the page still works by upload.
export function photoInput({ onPhoto }) {
  let stream = null;
  // One camera at a time: a press on "Start camera" while one is opening or running does nothing, and each opening
  // (or stop) takes a new ticket, so a camera that opens after the visitor moved on (an upload, a second start) is
  // closed at once instead of playing unseen with its light on.
  let opening = false;
  let cameraTicket = 0;

  const cameraAction = (primary) => ({
    label: gettext("Use the camera"), iconName: "camera", onClick: startCamera, primary,
  });
  const uploadAction = (primary) => ({
    label: gettext("Upload a photo"), iconName: "upload", onClick: () => $("photo-input").click(), primary,
  });

  function showCameraProblem(error) {
    const name = error?.name ?? "";
    let detail = gettext("This browser cannot open a camera on this page. You can upload a photo instead.");
    let title = gettext("The camera is not available.");
    if (name === "NotAllowedError" || name === "SecurityError") {
      title = gettext("The camera is blocked.");
      detail = gettext("Allow the camera for this site in your browser's settings and try again, or upload a photo.");
    } else if (name === "NotFoundError" || name === "OverconstrainedError") {
      title = gettext("No camera was found.");
      detail = gettext("Connect a camera and try again, or upload a photo.");
    } else if (name === "NotReadableError") {
      title = gettext("The camera is busy.");
      detail = gettext("Another app may be using it. Close that app and try again, or upload a photo.");
    }
    const [first] = showProblem($("capture-state"), {
      iconName: "camera-off", title, detail,
      actions: [uploadAction(true), { label: gettext("Try the camera again"), iconName: "retry", onClick: startCamera }],
    });
    first.focus();
  }

  async function startCamera() {
    if (stream || opening) return;
    clearState($("capture-state"));
    if (!navigator.mediaDevices?.getUserMedia) {
      showCameraProblem(null);
      return;
    }
    const ticket = ++cameraTicket;
    opening = true;
    let opened;
    try {
      opened = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
      });
    } catch (error) {
      if (ticket === cameraTicket) showCameraProblem(error);
      return;
    } finally {
      if (ticket === cameraTicket) opening = false;
    }
    if (ticket !== cameraTicket) {
      opened.getTracks().forEach((track) => track.stop()); // stopped while it opened
      return;
    }
    stream = opened;
    const video = $("camera");
    video.srcObject = stream;
    try {
      await video.play();
    } catch (error) {
      // Stopped (a photo chosen meanwhile) before the preview started: play() is interrupted, and that is all.
      if (ticket !== cameraTicket) return;
      stopCamera();
      showCameraProblem(error);
      return;
    }
    if (ticket !== cameraTicket) return;
    $("stage-placeholder").hidden = true;
    $("photo-frame").hidden = true;
    video.hidden = false;
    $("start-camera").hidden = true;
    $("capture").hidden = false;
    $("capture").focus();
  }

  function stopCamera() {
    cameraTicket += 1;
    opening = false;
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    $("camera").srcObject = null;
    $("camera").hidden = true;
    $("capture").hidden = true;
    $("start-camera").hidden = false;
  }

  async function takePhoto() {
    if (!stream) return; // a second press of "Take photo": the first one took it
    const video = $("camera");
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    // Stopped before the (asynchronous) encoding, so that a quick second press finds no camera and sends nothing.
    stopCamera();
    // Focus would be lost with the hidden Capture button; Start camera takes its place.
    $("start-camera").focus();
    const photo = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
    onPhoto(photo, "camera");
  }

  function uploadPhoto(event) {
    const [file] = event.target.files;
    event.target.value = ""; // so that choosing the same file again still reads it
    if (!file) return;
    stopCamera();
    onPhoto(file, "upload");
  }

  function showPhoto(photo) {
    const image = $("photo");
    if (image.src) URL.revokeObjectURL(image.src);
    image.src = URL.createObjectURL(photo);
    $("stage-placeholder").hidden = true;
    $("photo-frame").hidden = false;
  }

  // The second click of a double-click on "Take photo" lands on "Start camera", which takes its place: it would open
  // the camera again right after the photo. (A double-click on "Start camera" itself opens it once either way.)
  $("start-camera").addEventListener("click", (event) => {
    if (event.detail < 2) startCamera();
  });
  $("capture").addEventListener("click", takePhoto);
  $("photo-input").addEventListener("change", uploadPhoto);
  return { showPhoto, cameraAction, uploadAction };
}
