from django.urls import path

from gallery import api, api_people, api_similar, api_songs

app_name = "api"

# No trailing slashes: clients POST to exactly these paths (APPEND_SLASH cannot redirect a POST).
urlpatterns = [
    path("emotion", api.EmotionView.as_view(), name="emotion"),
    path("garden", api.GardenView.as_view(), name="garden"),
    path("songs", api_songs.SongsView.as_view(), name="songs"),
    path("like", api.LikeView.as_view(), name="like"),
    path("unlike", api.UnlikeView.as_view(), name="unlike"),
    path("not-interested", api.NotInterestedView.as_view(), name="not-interested"),
    path("images/<int:image_id>/similar", api_similar.SimilarImagesView.as_view(), name="similar-images"),
    path("faces/compare", api.FaceCompareView.as_view(), name="compare-faces"),
    path("lookalike", api.LookalikeView.as_view(), name="lookalike"),
    path("credential", api_people.PersonCredentialView.as_view(), name="person-credential"),
    path("users/<uuid:face_user_id>", api_people.FaceUserView.as_view(), name="face-user"),
    path("users/<uuid:face_user_id>/likes", api_people.FaceUserLikesView.as_view(), name="face-user-likes"),
    path("users/<uuid:face_user_id>/export", api_people.FaceUserExportView.as_view(), name="face-user-export"),
]
