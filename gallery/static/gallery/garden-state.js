// What the gallery page's modules share: the page's config, what is on screen (the view), and small formatting and
// API helpers. Words come from Django's JavaScript catalogue (gettext, loaded before the modules); emotion and
// gender labels and the API's paths come from the page's config, so both follow the visitor's language.

import { request } from "./photo.js";

export const config = JSON.parse(document.getElementById("garden-config").textContent);
export const language = document.documentElement.lang || "en";

const VIEW_KEY = "emotion-garden:view"; // sessionStorage: what is on screen survives a language switch
export const PAGE_SIZE = 3;

// What is on screen. Changed in place (the modules share this one object), saved after each change (saveView) and
// restored when the page loads again.
export const view = {
  // The emotion API's answer without the photo ({emotion, emotions, faces, recognised}), or {emotion, chosen: true}
  // when the visitor picked a mood instead of showing a face.
  reading: null,
  pages: [], // [{items, mode}] in the order shown, so Previous shows the same images again
  pageIndex: -1,
  // The garden's cursor: the server's signed record of every image shown since the photo was read, so Next asks for
  // images outside it. Null before the first page, and again once the pool has ended (the server starts over).
  cursor: null,
  modeChoice: "auto", // "auto" until the person uses the switch
  likedIds: [],
  personalAfterLikes: null, // the server's threshold for automatic personal picks, learnt from the garden
  theme: "", // the theme picker's words, "" for any theme
};

// The cards and the privacy panel tell the pages what changed by an event rather than by importing them: the pages
// import the cards, and a module graph without circles loads in one obvious order.
export const GARDEN_CHANGED = "garden:changed";
export const announceChange = (detail) => document.dispatchEvent(new CustomEvent(GARDEN_CHANGED, { detail }));

export const liked = () => new Set(view.likedIds);
export const currentPage = () => view.pages[view.pageIndex];

export function saveView() {
  sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
}

// The view saved before the page was loaded again, or null.
export const savedView = () => JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? "null");

// --- Formatting ---------------------------------------------------------------------------------------------------

const percent = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 });
export const formatConfidence = (confidence) => percent.format(confidence / 100);
export const emotionLabel = (code) => config.emotions[code] || code;
// Labels are names for headings ("Fear"); inside a sentence the emotion is a word of its own ("who looked afraid").
export const emotionWord = (code) => config.feelings[code] || emotionLabel(code);
export const format = (text, values) => interpolate(text, values, true);

// --- The API ------------------------------------------------------------------------------------------------------

export const postJson = (url, body) =>
  request(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

export const faceUserUrl = (template, id) => template.replace(config.idPlaceholder, id);

// client_event_id makes a retried like count once; crypto.randomUUID needs HTTPS, getRandomValues does not.
export function eventId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
