from django.urls import path

from gallery.compat import displays, lookalike, views
from gallery.compat.keys import DISPLAY, LIVE, POOL
from gallery.compat.views import throttled

app_name = "compat"

# The original system's paths, at the site root and without trailing slashes: the pages POST to exactly these. Each
# POST counts in its address's budget (views.throttled), the face readings at a face request's cost; the GETs of
# image files are not counted: a booth's screens poll theirs every few seconds.
urlpatterns = [
    # A kiosk (COMPAT_REMEMBER_FACES) searches the people: its address pays, whatever cookie comes with it.
    path("emotion", throttled(views.emotion, face=True, searches_people=True), name="emotion"),
    path("gallery", throttled(views.gallery), name="gallery"),
    path("createUser", throttled(views.create_user), name="create-user"),
    path("like", throttled(views.like), name="like"),
    path("galleryfromDB", throttled(views.gallery_from_db), name="gallery-from-db"),
    path("gardenfromDB", throttled(views.garden_from_db), name="garden-from-db"),
    path("garden", throttled(views.garden), name="garden"),
    path("generateDataset", throttled(views.generate_dataset), name="generate-dataset"),
    path("bulk", throttled(views.bulk), name="bulk"),
    path("remove", throttled(views.remove), name="remove"),
    path("removePool", throttled(views.remove), name="remove-pool"),
    path("clearIndex", throttled(views.clear_index), name="clear-index"),
    path("retrieve", throttled(views.retrieve), name="retrieve"),
    path("text2image", throttled(views.text2image), name="text2image"),
    path("updateDisplay", throttled(displays.update_display_view), name="update-display"),
    path("image", views.image_page, name="image-page"),
    # The celebrity look-alike page's only call.
    path("upload", throttled(lookalike.upload, face=True), name="upload"),
    path(f"{LIVE}/<path:rest>", views.image_file, {"prefix": LIVE}, name="live-image"),
    path(f"{POOL}/<path:rest>", views.image_file, {"prefix": POOL}, name="pool-image"),
    path(f"{DISPLAY}/<str:zone>/<str:name>", displays.screen, name="display-screen"),
]
