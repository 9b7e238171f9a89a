"""settings.EMOTION_GARDEN_BACKENDS from the environment: which class serves each capability, with its options.

Each capability is a dotted path plus keyword options, like Django's STORAGES (emotion_garden.backends loads them).
The defaults are the offline ones; a *_BACKEND variable switches a capability to a scale-out or AWS implementation,
and the extra generators and song suggesters appear only when their endpoint or model is configured.
"""

from typing import Any

import environ


def configured_backends(env: environ.Env, *, aws_region: str) -> dict[str, dict[str, Any]]:
    backends: dict[str, dict[str, Any]] = {
        "face_analysis": {
            "BACKEND": env("FACE_ANALYSIS_BACKEND", default="gallery.faces.local.LocalFaceAnalyzer"),
            "OPTIONS": {},
        },
        "face_identity": {
            "BACKEND": env("FACE_IDENTITY_BACKEND", default="gallery.faces.local.LocalFaceIdentity"),
            "OPTIONS": {},
        },
        # The look-alike's reference people, in an index of their own (never the visitors' faces). By default the
        # same kind of backend as face_identity, so a Rekognition deployment loads no local face model for it.
        "face_reference": {
            "BACKEND": env("FACE_REFERENCE_BACKEND", default=(
                "gallery.faces.rekognition_references.RekognitionReferenceFaces"
                if env("FACE_IDENTITY_BACKEND", default="").endswith(".RekognitionFaceIdentity")
                else "gallery.faces.local_references.LocalReferenceFaces"
            )),
            "OPTIONS": {},
        },
        "recommender": {
            "BACKEND": env("RECOMMENDER_BACKEND", default="recommender.engines.local.LocalRecommender"),
            "OPTIONS": {},
        },
        # The songs for the mood: the local engine over tracks (recommender.items.TRACKS), whatever serves images.
        "song_recommender": {
            "BACKEND": "recommender.engines.local.LocalRecommender",
            "OPTIONS": {"kind": "track"},
        },
        "image_generation": {
            "BACKEND": env("IMAGE_GENERATION_BACKEND", default="curation.generators.procedural.ProceduralGenerator"),
            "OPTIONS": {},
        },
        # The offline catalogue of curation/songs/data/catalogue.json; the language models below are extra suggesters.
        "song_suggestion": {
            "BACKEND": env("SONG_SUGGESTION_BACKEND", default="curation.songs.catalogue.CatalogueSuggester"),
            "OPTIONS": {},
        },
    }

    # Which expression model of gallery/faces/models the local face backend runs (fer_emotion: the old baseline).
    if backends["face_analysis"]["BACKEND"] == "gallery.faces.local.LocalFaceAnalyzer":
        backends["face_analysis"]["OPTIONS"] = {
            "expression_model": env("EXPRESSION_MODEL", default="expression_eg2"),
            # The longest side YuNet looks at (gallery.faces.local.DETECTION_MAX_SIDE explains the default).
            "max_side": env.int("FACE_DETECTION_MAX_SIDE", default=320),
        }

    # The Rekognition collection of the look-alike's reference people: never the visitors' collection.
    if backends["face_reference"]["BACKEND"].endswith(".RekognitionReferenceFaces"):
        backends["face_reference"]["OPTIONS"] = {
            "collection_id": env("REKOGNITION_REFERENCE_COLLECTION", default="emotion-garden-references"),
        }

    # Amazon Personalize as the recommender: `manage.py setup_personalize` creates the resources and prints these.
    if backends["recommender"]["BACKEND"] == "recommender.engines.personalize.PersonalizeRecommender":
        backends["recommender"]["OPTIONS"] = {
            "campaign_arn": env("PERSONALIZE_CAMPAIGN_ARN", default=""),
            "tracking_id": env("PERSONALIZE_TRACKING_ID", default=""),
            "dataset_arn_items": env("PERSONALIZE_ITEMS_DATASET_ARN", default=""),
            "dataset_arn_users": env("PERSONALIZE_USERS_DATASET_ARN", default=""),
            "emotion_filter_arn": env("PERSONALIZE_EMOTION_FILTER_ARN", default=""),
            # Optional campaigns of the Trending-Now and Similar-Items recipes; without them the fallback answers.
            "trending_campaign_arn": env("PERSONALIZE_TRENDING_CAMPAIGN_ARN", default=""),
            "similar_campaign_arn": env("PERSONALIZE_SIMILAR_CAMPAIGN_ARN", default=""),
            "region_name": aws_region,
            # Answers while no campaign is trained yet (Personalize needs 1000 interactions) or Personalize fails.
            "fallback": env("PERSONALIZE_FALLBACK_BACKEND", default="recommender.engines.local.LocalRecommender"),
        }

    # More generators curators can pick per job, present only when configured.
    if sagemaker_endpoint := env("SAGEMAKER_ENDPOINT_NAME", default=""):
        backends["image_generation.sagemaker"] = {
            "BACKEND": "curation.generators.sagemaker.SageMakerStableDiffusion",
            "OPTIONS": {"endpoint_name": sagemaker_endpoint, "region_name": aws_region},
        }
    if bedrock_image_model := env("BEDROCK_IMAGE_MODEL_ID", default=""):
        backends["image_generation.bedrock"] = {
            "BACKEND": "curation.generators.bedrock.BedrockImageGenerator",
            "OPTIONS": {"model_id": bedrock_image_model, "region_name": aws_region},
        }

    # Song suggesters curators can pick per run, present only when configured: a Bedrock text model (Converse API) and
    # any OpenAI-compatible chat endpoint (OpenAI, or a model server of your own such as vLLM, llama.cpp or Ollama).
    if bedrock_song_model := env("BEDROCK_SONG_MODEL_ID", default=""):
        backends["song_suggestion.bedrock"] = {
            "BACKEND": "curation.songs.bedrock.BedrockSongSuggester",
            "OPTIONS": {"model_id": bedrock_song_model, "region_name": aws_region},
        }
    if openai_song_url := env("OPENAI_SONG_BASE_URL", default=""):
        backends["song_suggestion.openai"] = {
            "BACKEND": "curation.songs.openai_compatible.OpenAICompatibleSongSuggester",
            "OPTIONS": {
                "base_url": openai_song_url,
                "model": env("OPENAI_SONG_MODEL", default=""),
                "api_key": env("OPENAI_SONG_API_KEY", default=""),
                "json_mode": env.bool("OPENAI_SONG_JSON_MODE", default=True),
            },
        }
    return backends
