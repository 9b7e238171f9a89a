// Remembering the visitor: the consent asked once per visit, the privacy line, "Download my data" and "Forget me".

import { $, request } from "./photo.js";
import { announceChange, config, faceUserUrl, saveView, view } from "./garden-state.js";

// localStorage: who this browser remembers. Only a hint for the page: the server opens that person's data to the
// HttpOnly cookie it set, which this script never sees.
const FACE_USER_KEY = "emotion-garden:face-user";
const CONSENT_KEY = "emotion-garden:consent"; // sessionStorage: "remember" or "not-now", asked once per visit

const faceUserId = () => localStorage.getItem(FACE_USER_KEY);
const consentChoice = () => sessionStorage.getItem(CONSENT_KEY);
// The person this visit is for: only with today's "Remember me". After "Not now" the visit is anonymous, whoever
// this browser remembers: it may be someone else at the camera.
export const activeFaceUserId = () => (consentChoice() === "remember" ? faceUserId() : null);

export function rememberFaceUser(id) {
  localStorage.setItem(FACE_USER_KEY, id);
  sessionStorage.setItem(CONSENT_KEY, "remember");
  renderPrivacy();
}

export function dropFaceUser() {
  localStorage.removeItem(FACE_USER_KEY);
  view.likedIds = [];
  // Personal picks were theirs: the switch goes back to the garden's own choice (pages.js askedMode).
  if (view.modeChoice === "personal") view.modeChoice = "auto";
  renderPrivacy();
}

// A request in the name of a person this browser can no longer open (forgotten on another device, or the credential
// cookie is gone) is answered 403 person_credential_required, or 400 unknown_face_user.
const personGone = (error) => (error.status === 403 && error.code === "person_credential_required")
  || (error.status === 400 && error.code === "unknown_face_user");

// send(faceUserId) asks the API in the name of the visitor we remember (null: nobody). Where the server no longer
// knows them, the page forgets them too and asks again for nobody, so that the visit goes on instead of failing on
// every request.
export async function asPerson(send) {
  const id = activeFaceUserId();
  try {
    return await send(id);
  } catch (error) {
    if (!id || !personGone(error)) throw error;
    lostFaceUser(id);
    return send(null);
  }
}

// Said once: the garden, the songs and a like may all learn it at the same moment.
function lostFaceUser(id) {
  if (faceUserId() !== id) return;
  dropFaceUser();
  renderPrivacy(gettext("We no longer remember you on this device: your face data was deleted, or this browser can no longer reach it. The garden goes on without it."));
}

export function renderPrivacy(message) {
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
  announceChange({ likes: true });
}

// Resolves with the button the person chose, or "" when they closed the dialog with Escape.
function ask(dialog) {
  return new Promise((resolve) => {
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    dialog.showModal();
  });
}

export async function askConsent() {
  const choice = await ask($("consent-dialog"));
  if (choice) sessionStorage.setItem(CONSENT_KEY, choice);
  renderPrivacy();
  return choice;
}

// Asked once per visit, even in a browser that remembers someone: consent is the person's at the camera, and only
// "Remember me" lets the server search for their face. Escape keeps nothing.
export async function mayRemember() {
  const choice = consentChoice() ?? (await askConsent());
  return choice === "remember";
}

export async function forgetMe() {
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
  dropFaceUser();
  renderPrivacy(gettext("Done: your face print, age range and gender are deleted. Nothing about your face is kept."));
  announceChange({ forgotten: true });
  saveView();
  $("privacy-change").focus();
}

// Their likes, from the server: the garden marks them, and counts them towards personal picks.
export async function loadLikes() {
  const id = activeFaceUserId();
  if (!id) return;
  try {
    const { likes } = await request(faceUserUrl(config.urls.faceUserLikes, id));
    view.likedIds = likes.map((image) => image.id);
  } catch (error) {
    // Forgotten elsewhere, or this browser's credential is gone: stop sending an id that opens nothing here.
    if ([403, 404].includes(error.status)) lostFaceUser(id);
  }
}
