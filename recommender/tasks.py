"""django-q2 task entry points of the recommender."""

from recommender.training import refit_personal_model as refit


def refit_personal_model() -> str:
    snapshot = refit()
    if snapshot is None:
        return "not enough likes to learn from yet"
    return f"fitted on {snapshot.likes} likes of {snapshot.users} people in {snapshot.fit_seconds} s"
