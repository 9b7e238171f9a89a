"""What an item shows, as numbers the taste model can generalise from: pure numpy, free of Django.

- `visual_statistics`: colour, texture and layout statistics of an image's pixels (no model, no download);
- `content_matrix`: one row per item: its emotion, its theme words and prompt words (over the catalogue's own most
  common words, read afresh with the catalogue, so any vocabulary works without a refit), and its standardised visual
  statistics, each block scaled so that no block drowns the others.
"""

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from recommender.taste import N_EMOTIONS

# The most common words of the catalogue's themes and prompts that become features (a word on a single item teaches
# nothing about any other).
THEME_WORDS = 48
PROMPT_WORDS = 48
VISUAL_DIMS = 16
# Block scales: a theme or prompt word weighs as much as the emotion; the visual statistics, many and correlated,
# a little less each. Chosen on benchmarks/online_sim.py's worlds, all of them.
EMOTION_SCALE = 1.0
THEME_SCALE = 1.0
PROMPT_SCALE = 0.7
VISUAL_SCALE = 0.35
THEME_RIDGE = 0.1

_WORD = re.compile(r"[^\W\d_]+")
# Words every prompt repeats (quality tags, connectives): they say nothing about one image.
_STOP_WORDS = frozenset({
    "a", "an", "and", "the", "of", "with", "in", "on", "at", "by", "to", "very", "best", "quality", "real", "strong",
    "extremely", "delicate", "beautiful", "lighting", "cinematic", "dramatic", "angle", "view", "wide", "expansive",
    "illustration", "hyperrealistic", "surrealist", "artstation", "artisation", "nature", "botanic", "botanical",
    "garden", "flowers",
})
# A prompt's emotion ("sad mood", "very happy nature") restates the item's emotion column: counted again as a word
# it would make one skipped page of an emotion weigh twice in the visitor's taste.
_EMOTION_WORDS = frozenset({"happy", "sad", "angry", "confused", "disgusted", "surprised", "calm", "fear", "mood"})


def words(text: str) -> list[str]:
    """The distinct informative words of a theme ("spring,rainy,day") or prompt, lower case, in order."""
    found = (word.lower() for word in _WORD.findall(text or ""))
    return list(dict.fromkeys(word for word in found if len(word) > 1 and word not in _STOP_WORDS))


def word_rows(texts: Sequence[str], limit: int, *, ignored: frozenset[str] = frozenset()) -> np.ndarray:
    """Rows of word indicators over the `limit` words found on most items (at least two), each row normalised to
    unit length (0 for no such word)."""
    found = [set(words(text)) - ignored for text in texts]
    counts = Counter(word for item in found for word in item)
    # Ties in alphabetical order: a set's order follows the process's string hashing, so ties broken by it would give
    # each process (each web worker, each benchmark run) its own column order, or its own words at the limit.
    common = [word for word, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
              if count >= 2]
    column = {word: position for position, word in enumerate(common)}
    matrix = np.zeros((len(texts), len(common)))
    for row, item in enumerate(found):
        matrix[row, [column[word] for word in item if word in column]] = 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def visual_statistics(rgb: np.ndarray) -> np.ndarray:
    """VISUAL_DIMS statistics of an RGB image (h x w x 3, uint8): colour (means, saturation, hue direction, warmth,
    colourfulness), light (brightness mean and spread, contrast), texture (edge density) and layout (top against
    bottom, centre against border)."""
    pixels = rgb.astype(np.float32) / 255.0
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    high, low = pixels.max(axis=2), pixels.min(axis=2)
    saturation = np.where(high > 0, (high - low) / np.maximum(high, 1e-6), 0.0)
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    # Hue as a direction weighted by saturation: grey pixels have no hue to speak of.
    hue_x = (2 * red - green - blue) / 2
    hue_y = (green - blue) * (np.sqrt(3) / 2)
    rg, yb = red - green, 0.5 * (red + green) - blue
    colourfulness = np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    edges = np.hypot(*_gradients(luma))
    height, width = luma.shape
    # At least a row each: a strip under three pixels tall had an empty top and its whole self as the bottom.
    third = max(1, height // 3)
    top, bottom = luma[:third].mean(), luma[-third:].mean()
    centre = luma[height // 4: height - height // 4, width // 4: width - width // 4].mean()
    return np.array([
        red.mean(), green.mean(), blue.mean(),
        saturation.mean(), saturation.std(),
        hue_x.mean(), hue_y.mean(),
        (red > blue).mean(),
        colourfulness,
        luma.mean(), luma.std(), np.percentile(luma, 95) - np.percentile(luma, 5),
        edges.mean(), (edges > 0.1).mean(),
        top - bottom, centre - luma.mean(),
    ], dtype=np.float32)


def _gradients(luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The luma's change down and across. np.gradient needs two pixels along an axis (a 384x1 thumbnail of a 20000x20
    upload raised); along a single pixel there is no change to measure."""
    down = np.gradient(luma, axis=0) if luma.shape[0] > 1 else np.zeros_like(luma)
    across = np.gradient(luma, axis=1) if luma.shape[1] > 1 else np.zeros_like(luma)
    return down, across


def content_matrix(emotions: np.ndarray, themes: Sequence[str], prompts: Sequence[str],
                   visuals: np.ndarray) -> np.ndarray:
    """One row per item. emotions: emotion indices (0..7); visuals: visual_statistics rows (n x VISUAL_DIMS; NaN
    rows for items not measured yet), standardised over the catalogue given after what the emotion and the theme
    tell of them is taken out (_beyond_words)."""
    n = len(themes)
    emotion_block = np.zeros((n, N_EMOTIONS))
    emotion_block[np.arange(n), emotions] = 1.0
    theme_block = word_rows(themes, THEME_WORDS)
    visuals = np.asarray(visuals, dtype=np.float64).reshape(n, VISUAL_DIMS)
    measured = ~np.isnan(visuals).any(axis=1)
    visual_block = np.zeros((n, VISUAL_DIMS))
    if measured.any():
        residual = _beyond_words(visuals[measured], emotions[measured], theme_block[measured])
        spread = residual.std(axis=0)
        visual_block[measured] = residual / np.where(spread > 1e-6, spread, 1.0)
    return np.hstack([
        EMOTION_SCALE * emotion_block,
        THEME_SCALE * theme_block,
        PROMPT_SCALE * word_rows(prompts, PROMPT_WORDS, ignored=_EMOTION_WORDS),
        VISUAL_SCALE * visual_block / np.sqrt(VISUAL_DIMS / 4),
    ]).astype(np.float32)


def word_columns(content: np.ndarray) -> slice:
    """content_matrix's theme and prompt word columns: where a person's taste is sparse (a few themes and subjects
    loved or shunned), unlike their response to an emotion or a palette."""
    return slice(N_EMOTIONS, content.shape[1] - VISUAL_DIMS)


def _beyond_words(visuals: np.ndarray, emotions: np.ndarray, theme_rows: np.ndarray) -> np.ndarray:
    """The visual statistics less what the emotion and the theme words tell of them: an emotion's palette is the
    emotion column's to tell, a snowy night's the theme's, and the pixels tell what differs beyond them. Without it
    the palettes drown how warm, bright or vivid an image is (benchmarks/online_sim.py's painted traits: about half
    of their variance read linearly from the pixels centred per emotion, two thirds to four fifths after the theme).

    Centred on each emotion's mean (centred_per_emotion), then less a ridge regression on the theme words (a word may
    be on two images only: THEME_RIDGE items' worth of shrinkage)."""
    centred = centred_per_emotion(visuals, emotions)
    if not theme_rows.any():
        return centred
    words_told = theme_rows - theme_rows.mean(axis=0)
    weights = np.linalg.solve(words_told.T @ words_told + THEME_RIDGE * np.eye(words_told.shape[1]),
                              words_told.T @ centred)
    return centred - words_told @ weights


def centred_per_emotion(visuals: np.ndarray, emotions: np.ndarray) -> np.ndarray:
    """Each row less its emotion's mean row; an emotion with a single item keeps the overall mean."""
    centred = visuals - visuals.mean(axis=0)
    for emotion in np.unique(emotions):
        same = emotions == emotion
        if same.sum() >= 2:
            centred[same] = visuals[same] - visuals[same].mean(axis=0)
    return centred
