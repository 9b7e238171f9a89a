// A garden card: the image (which opens the full-size view), why it was picked, Like and "Not interested".

import { $, clearState, element, icon, showProblem } from "./photo.js";
import {
  announceChange, config, currentPage, emotionWord, eventId, format, liked, postJson, saveView, view,
} from "./garden-state.js";
import { themeLabel } from "./theme-picker.js";
import { activeFaceUserId, asPerson } from "./privacy.js";
import { openViewer } from "./viewer.js";

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

export function cardFor(item, index) {
  const alt = altText(item);
  // The card shows a crop of a fixed shape (garden.css), whatever the image's orientation; the full-size view the
  // whole image.
  const image = element("img");
  Object.assign(image, { src: item.url, alt, width: item.width, height: item.height });
  image.decoding = "async";
  // Three buttons called "Like" would sound alike to a screen reader: each also says which image it is for.
  const which = format(gettext(": image %(number)s"), { number: index + 1 });
  const open = element("button", { className: "card-image" }, image,
    element("span", { className: "visually-hidden", text: gettext("View full size") }));
  open.type = "button";
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
  const reasonWords = reasonText(item);
  const reason = element("p", { className: "reason" }, icon("sparkle"), element("span", { text: reasonWords }));
  open.addEventListener("click", () => openViewer({ url: item.url, alt, caption: reasonWords, opener: open }));
  const card = element("li", { className: "card" },
    element("figure", {}, open,
      element("figcaption", {}, reason, element("div", { className: "card-actions" }, button, dismiss))));
  card.dataset.image = item.id;
  return card;
}

// "Not interested": the image and ones just like it are hidden from this visitor, and their taste learns from it.
async function notInterested(item, card, dismiss) {
  if (dismiss.getAttribute("aria-busy") === "true") return;
  dismiss.setAttribute("aria-busy", "true");
  try {
    await sendInteraction(config.urls.notInterested, item);
  } catch {
    showProblem($("garden-state"), {
      title: gettext("We could not hide this image."), detail: gettext("Please try again."),
    });
    return;
  } finally {
    dismiss.removeAttribute("aria-busy");
  }
  const page = currentPage();
  page.items = page.items.filter((shown) => shown.id !== item.id);
  page.hiddenCount = (page.hiddenCount ?? 0) + 1; // a page emptied this way still leads on (pages.js)
  const hidden = gettext("Hidden: you will see fewer images like this.");
  const text = element("p", { className: "reason", text: hidden });
  text.tabIndex = -1;
  card.replaceChildren(text);
  // The focused button is gone with the card's content: the focus stays on the card, on the words that replace it,
  // and the garden's live region says it too, for a screen reader that does not read a focused paragraph.
  text.focus();
  $("garden-state").replaceChildren(element("p", { className: "visually-hidden", text: hidden }));
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
  return body;
}

function setLiked(button, isLiked) {
  button.setAttribute("aria-pressed", String(isLiked));
  button.querySelector(".like-text").textContent = isLiked ? gettext("Liked") : gettext("Like");
}

// One retry with the same client_event_id: the server counts it once even if the first attempt got through. In the
// name of the visitor we remember; for nobody once the server no longer knows them (privacy.js asPerson).
function sendInteraction(url, item) {
  const event = { ...interactionBody(item), client_event_id: eventId() };
  return asPerson(async (faceUser) => {
    const body = faceUser ? { ...event, face_user: faceUser } : event;
    try {
      return await postJson(url, body);
    } catch (error) {
      if (error.status !== 0) throw error;
      return postJson(url, body);
    }
  });
}

async function toggleLike(item, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  const liking = button.getAttribute("aria-pressed") !== "true";
  const likesBefore = view.likedIds.length;
  button.setAttribute("aria-busy", "true");
  setLiked(button, liking);
  try {
    await sendInteraction(liking ? config.urls.like : config.urls.unlike, item);
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
  announceChange({ likes: true });
  saveView();
  const threshold = view.personalAfterLikes;
  const reachedThreshold = likesBefore < threshold && view.likedIds.length >= threshold;
  if (activeFaceUserId() && reachedThreshold && view.modeChoice === "auto" && currentPage().mode === "emotion") {
    announceChange({ personalPicksOpen: true });
  }
}
