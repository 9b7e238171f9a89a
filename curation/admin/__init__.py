"""The curation workflow in the Django admin, one module per model admin and its views: images (review the pool,
upload), generation jobs, prompt templates, tracks and song-suggestion runs. The dashboard, which reads the
recommender, lives in its layer."""

# Importing them registers their model admins.
from curation.admin import images, jobs, prompts, song_suggestions, tracks  # noqa: F401
