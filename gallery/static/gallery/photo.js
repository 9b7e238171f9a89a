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

// --- Camera and upload --------------------------------------------------------------------------------------------

// The photo panel of a page (#stage with #stage-placeholder, #camera and #photo-frame/#photo; #start-camera,
// #capture and #photo-input; #capture-state for messages). Each photo taken or chosen goes to onPhoto(photo, source),
// source being "camera" or "upload". Without a usable camera the page still works by upload.
export function photoInput({ onPhoto }) {
  let stream = null;

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
    clearState($("capture-state"));
    if (!navigator.mediaDevices?.getUserMedia) {
      showCameraProblem(null);
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
      });
    } catch (error) {
      showCameraProblem(error);
      return;
    }
    const video = $("camera");
    video.srcObject = stream;
    await video.play();
    $("stage-placeholder").hidden = true;
    $("photo-frame").hidden = true;
    video.hidden = false;
    $("start-camera").hidden = true;
    $("capture").hidden = false;
    $("capture").focus();
  }

  function stopCamera() {
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    $("camera").srcObject = null;
    $("camera").hidden = true;
    $("capture").hidden = true;
    $("start-camera").hidden = false;
  }

  async function takePhoto() {
    const video = $("camera");
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    const photo = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
    stopCamera();
    // Focus would be lost with the hidden Capture button; Start camera takes its place.
    $("start-camera").focus();
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

  $("start-camera").addEventListener("click", startCamera);
  $("capture").addEventListener("click", takePhoto);
  $("photo-input").addEventListener("change", uploadPhoto);
  return { showPhoto, cameraAction, uploadAction };
}
