from django.urls import path

from gallery import api_faces, api_garden, api_interactions, api_people, api_similar, api_songs

app_name = "api"

# No trailing slashes: clients POST to exactly these paths (APPEND_SLASH cannot redirect a POST).
urlpatterns = [
    path("emotion", api_faces.EmotionView.as_view(), name="emotion"),
    path("garden", api_garden.GardenView.as_view(), name="garden"),
    path("songs", api_songs.SongsView.as_view(), name="songs"),
    path("like", api_interactions.LikeView.as_view(), name="like"),
    path("unlike", api_interactions.UnlikeView.as_view(), name="unlike"),
    path("not-interested", api_interactions.NotInterestedView.as_view(), name="not-interested"),
    path("images/<int:image_id>/similar", api_similar.SimilarImagesView.as_view(), name="similar-images"),
    path("faces/compare", api_faces.FaceCompareView.as_view(), name="compare-faces"),
    path("lookalike", api_faces.LookalikeView.as_view(), name="lookalike"),
    path("credential", api_people.PersonCredentialView.as_view(), name="person-credential"),
    path("users/<uuid:face_user_id>", api_people.FaceUserView.as_view(), name="face-user"),
    path("users/<uuid:face_user_id>/likes", api_people.FaceUserLikesView.as_view(), name="face-user-likes"),
    path("users/<uuid:face_user_id>/export", api_people.FaceUserExportView.as_view(), name="face-user-export"),
]
