from django.urls import path

from gallery.compat import displays, lookalike, views
from gallery.compat.keys import DISPLAY, LIVE, POOL
from gallery.compat.views import throttled

app_name = "compat"

# The original system's paths, at the site root and without trailing slashes: the pages POST to exactly these. The
# face readings count in their address's budget (views.throttled), as the API's do: a script read 3,000 faces a
# minute through /upload. The other calls are cheap and their bodies small (views.json_body), and a booth's pages
# call them as fast as their visitors click, so they are not counted.
urlpatterns = [
    # A kiosk (COMPAT_REMEMBER_FACES) searches the people: its address pays, whatever cookie comes with it.
    path("emotion", throttled(views.emotion, face=True, searches_people=True), name="emotion"),
    path("gallery", views.gallery, name="gallery"),
    path("createUser", views.create_user, name="create-user"),
    path("like", views.like, name="like"),
    path("galleryfromDB", views.gallery_from_db, name="gallery-from-db"),
    path("gardenfromDB", views.garden_from_db, name="garden-from-db"),
    path("garden", views.garden, name="garden"),
    path("generateDataset", views.generate_dataset, name="generate-dataset"),
    path("bulk", views.bulk, name="bulk"),
    path("remove", views.remove, name="remove"),
    path("removePool", views.remove, name="remove-pool"),
    path("clearIndex", views.clear_index, name="clear-index"),
    path("retrieve", views.retrieve, name="retrieve"),
    path("text2image", views.text2image, name="text2image"),
    path("updateDisplay", displays.update_display_view, name="update-display"),
    path("image", views.image_page, name="image-page"),
    # The celebrity look-alike page's only call.
    path("upload", throttled(lookalike.upload, face=True), name="upload"),
    path(f"{LIVE}/<path:rest>", views.image_file, {"prefix": LIVE}, name="live-image"),
    path(f"{POOL}/<path:rest>", views.image_file, {"prefix": POOL}, name="pool-image"),
    path(f"{DISPLAY}/<str:zone>/<str:name>", displays.screen, name="display-screen"),
]
