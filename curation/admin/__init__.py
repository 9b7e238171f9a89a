"""The curation workflow in the Django admin, one module per model admin and its views: images (review the pool,
upload), generation jobs and prompt templates. The dashboard, which reads the recommender, lives in its layer."""

from curation.admin import images, jobs, prompts  # noqa: F401  (importing them registers their model admins)
