// The minimal web gallery: photo -> emotion -> three images at a time, with Like.
"use strict";

const state = { emotion: null, shown: [], seen: [] };
const $ = (id) => document.getElementById(id);

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
  return data;
}

async function readEmotion(file) {
  $("status").textContent = "Reading your expression…";
  const response = await fetch("/api/v1/emotion", { method: "POST", headers: { "Content-Type": file.type }, body: file });
  const data = await response.json();
  if (!response.ok) { $("status").textContent = data.error.message; return; }
  $("status").textContent = "";
  state.emotion = data.emotion;
  state.seen = [];
  $("emotion").textContent = data.emotion.toLowerCase();
  $("confidences").replaceChildren(...data.emotions.map((score) => {
    const item = document.createElement("li");
    item.textContent = `${score.Type.toLowerCase()} ${score.Confidence.toFixed(1)}%`;
    return item;
  }));
  $("reading").hidden = false;
  await showNext();
}

async function showNext() {
  const data = await postJson("/api/v1/garden", { emotion: state.emotion, n: 3, exclude: state.seen });
  state.shown = data.items.map((item) => item.id);
  state.seen.push(...state.shown);
  $("images").replaceChildren(...data.items.map(figureFor));
  $("garden").hidden = false;
}

function figureFor(item) {
  const figure = document.createElement("figure");
  const image = document.createElement("img");
  image.src = item.url;
  image.alt = `${item.emotion.toLowerCase()} image (${item.reason})`;
  const caption = document.createElement("figcaption");
  const reason = document.createElement("span");
  reason.textContent = item.reason;
  const like = document.createElement("button");
  like.type = "button";
  like.textContent = "Like";
  like.addEventListener("click", async () => {
    await postJson("/api/v1/like", {
      image: item.id, impressions: state.shown, emotion: state.emotion, client_event_id: crypto.randomUUID(),
    });
    like.textContent = "Liked";
    like.disabled = true;
  });
  caption.append(reason, like);
  figure.append(image, caption);
  return figure;
}

$("photo").addEventListener("change", (event) => { if (event.target.files[0]) readEmotion(event.target.files[0]); });
$("next").addEventListener("click", showNext);
