from django.urls import path

from gallery import api

app_name = "api"

# No trailing slashes: clients POST to exactly these paths (APPEND_SLASH cannot redirect a POST).
urlpatterns = [
    path("emotion", api.EmotionView.as_view(), name="emotion"),
    path("garden", api.GardenView.as_view(), name="garden"),
    path("like", api.LikeView.as_view(), name="like"),
    path("unlike", api.UnlikeView.as_view(), name="unlike"),
]
