// "Songs for your mood" on the gallery page: once an expression is read (or a mood chosen), songs for it
// (POST /api/v1/songs) with their covers, a YouTube search link, the reason for each and a Like that teaches the
// recommender.
//
// A module of its own beside the garden's: it shares their helpers (garden-state.js, privacy.js) and follows the
// reading through the page itself, the emotion reading.js writes on #dominant-label as data-emotion (on every
// reading, and on one restored after a language switch), so no garden module needs to know about the songs.

import { $, clearState, element, icon, showBusy, showProblem } from "./photo.js";
import { GARDEN_CHANGED, config, emotionWord, eventId, format, postJson } from "./garden-state.js";
import { asPerson } from "./privacy.js";

const SONGS_KEY = "emotion-garden:songs"; // sessionStorage: the songs on screen survive a language switch
const PAGE_SIZE = 3;

let songs = { emotion: null, items: [], cursor: null, recommendationId: null, likedIds: [] };

const save = () => sessionStorage.setItem(SONGS_KEY, JSON.stringify(songs));

let songRequests = 0; // an answer for an older reading (a quick second photo) is not shown

async function loadSongs({ more = false } = {}) {
  const ticket = ++songRequests;
  const list = $("song-list");
  $("songs").hidden = false;
  list.setAttribute("aria-busy", "true");
  showBusy($("songs-state"), gettext("Picking songs for you…"));
  let answer;
  try {
    const body = { emotion: songs.emotion, n: PAGE_SIZE };
    if (more && songs.cursor) body.cursor = songs.cursor;
    // For nobody once the server no longer knows the visitor we remember (privacy.js asPerson).
    answer = await asPerson((faceUser) => postJson(config.urls.songs,
      faceUser ? { ...body, face_user: faceUser } : body));
  } catch (error) {
    if (ticket !== songRequests) return;
    const [retry] = showProblem($("songs-state"), {
      title: gettext("We could not pick songs just now."),
      detail: error.status === 0 ? gettext("Check your connection and try again.") : gettext("Please try again."),
      actions: [{ label: gettext("Try again"), iconName: "retry", onClick: () => loadSongs({ more }), primary: true }],
    });
    retry.focus();
    return;
  } finally {
    list.removeAttribute("aria-busy");
  }
  if (ticket !== songRequests) return;
  clearState($("songs-state"));
  songs = { ...songs, items: answer.items, cursor: answer.cursor, recommendationId: answer.recommendation_id };
  render();
  save();
}

function render() {
  $("songs").hidden = false;
  $("more-songs").disabled = songs.items.length === 0;
  if (songs.items.length === 0) {
    $("song-list").replaceChildren();
    showProblem($("songs-state"), {
      iconName: "sparkle", title: gettext("There are no songs yet."),
      detail: gettext("New songs are added after review. Please come back soon."),
    });
    return;
  }
  $("song-list").replaceChildren(...songs.items.map(songFor));
}

// Each pick's reason, in the visitor's language, by the stable code the API gives beside its English words: every
// code of recommender/engines/base.py's ReasonCode, in words for songs (the API's own are for images: "in the
// gallery").
function reasonText(item) {
  const emotion = emotionWord(songs.emotion);
  const words = {
    because_you_liked: gettext("Because you liked a similar song"),
    popular_with_mood: format(gettext("Loved by other visitors who looked %(emotion)s"), { emotion }),
    popular_with_everyone: gettext("Loved by many visitors"),
    matches_mood: format(gettext("Matches your mood: %(emotion)s"), { emotion }),
    new: gettext("New song"),
    rarely_shown: gettext("Rarely played so far"),
    in_gallery: gettext("From the song list"),
    promoted: gettext("Featured song"),
    recommended: gettext("Recommended for you"),
    matches_taste: gettext("Like the songs you liked"),
    for_your_mood: format(gettext("Visitors who looked %(emotion)s liked it"), { emotion }),
    trending: gettext("Trending now"),
    similar: gettext("Similar to a song you chose"),
  };
  return words[item.reason_code] ?? item.reason;
}

function songFor(item) {
  const cover = element("img", { className: "song-cover" });
  Object.assign(cover, { src: item.cover_url, alt: "", width: 96, height: 96 }); // the cover repeats the title
  cover.decoding = "async";
  // Several "Like" and "Listen" buttons would sound alike to a screen reader: each also names its song.
  const which = format(gettext(": %(title)s by %(artist)s"), { title: item.title, artist: item.artist });
  const listen = element("a", { className: "button small" }, icon("next"),
    element("span", { text: gettext("Listen on YouTube") }), element("span", { className: "visually-hidden", text: which }));
  Object.assign(listen, { href: item.link, target: "_blank", rel: "noopener noreferrer" });
  const like = element("button", { className: "like" }, icon("heart"), element("span", { className: "like-text" }),
    element("span", { className: "visually-hidden", text: which }));
  like.type = "button";
  like.dataset.track = item.id;
  setLiked(like, item.liked || songs.likedIds.includes(item.id));
  like.addEventListener("click", () => toggleLike(item, like));
  const song = element("li", { className: "song" }, cover,
    element("div", { className: "song-text" },
      element("p", { className: "song-title", text: item.title }),
      element("p", { className: "song-artist", text: item.artist }),
      element("p", { className: "reason" }, icon("sparkle"), element("span", { text: reasonText(item) }))),
    element("div", { className: "song-actions" }, listen, like));
  song.dataset.track = item.id;
  return song;
}

function setLiked(button, isLiked) {
  button.setAttribute("aria-pressed", String(isLiked));
  button.querySelector(".like-text").textContent = isLiked ? gettext("Liked") : gettext("Like");
}

async function toggleLike(item, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  const liking = button.getAttribute("aria-pressed") !== "true";
  button.setAttribute("aria-busy", "true");
  setLiked(button, liking);
  const event = {
    track: item.id, impressions: songs.items.map((shown) => shown.id), emotion: songs.emotion,
    recommendation_id: songs.recommendationId, client_event_id: eventId(),
  };
  const url = liking ? config.urls.like : config.urls.unlike;
  try {
    // One retry with the same client_event_id: the server counts it once even if the first attempt got through.
    await asPerson((faceUser) => {
      const body = faceUser ? { ...event, face_user: faceUser } : event;
      return postJson(url, body).catch((error) => (error.status === 0 ? postJson(url, body) : Promise.reject(error)));
    });
  } catch {
    setLiked(button, !liking);
    showProblem($("songs-state"), {
      title: liking ? gettext("Your like could not be saved.") : gettext("Your like could not be taken back."),
      detail: gettext("Please try again."),
    });
    return;
  } finally {
    button.removeAttribute("aria-busy");
  }
  clearState($("songs-state"));
  item.liked = liking;
  songs.likedIds = liking ? [...songs.likedIds, item.id] : songs.likedIds.filter((id) => id !== item.id);
  save();
}

// A reading (a new photo, even of the same mood) asks for new songs; a restored one shows the songs it had.
function follow(emotion, { restored }) {
  if (!emotion) return;
  const saved = JSON.parse(sessionStorage.getItem(SONGS_KEY) ?? "null");
  if (restored && saved?.emotion === emotion && saved.items) {
    songs = saved;
    render();
    return;
  }
  songs = { emotion, items: [], cursor: null, recommendationId: null, likedIds: songs.likedIds };
  loadSongs();
}

const label = $("dominant-label");
new MutationObserver(() => follow(label.dataset.emotion, { restored: false }))
  .observe(label, { attributes: true, attributeFilter: ["data-emotion"] });
follow(label.dataset.emotion, { restored: true });
$("more-songs").addEventListener("click", () => loadSongs({ more: true }));
// "Forget me": the songs on screen are no longer anyone's likes.
document.addEventListener(GARDEN_CHANGED, ({ detail }) => {
  if (!detail?.forgotten) return;
  songs.likedIds = [];
  for (const item of songs.items) item.liked = false;
  if (songs.emotion) render();
  save();
});
