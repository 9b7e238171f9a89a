"""A prompt template per emotion, written for this project, and the Curators group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEMPLATES = {
    "HAPPY": "a sunlit {theme} garden bursting with golden blossoms and sunflowers, butterflies dancing in warm "
             "morning light, a feeling of pure {emotion} joy, soft bokeh, painterly digital art, highly detailed",
    "SAD": "a quiet {theme} garden in the rain, drooping blue hydrangeas, grey mist over an empty bench, "
           "puddles reflecting a dim sky, a feeling of {emotion} longing, muted blue and grey oil painting",
    "ANGRY": "a storm-torn {theme} garden, thorny red roses whipped by wind, lightning splitting a black sky, "
             "sharp diagonal shapes, a feeling of {emotion} fury, dramatic crimson light, expressive digital art",
    "CONFUSED": "a labyrinth {theme} garden where paths loop back on themselves, spiralling vines, "
                "mismatched colours and signposts pointing every way, a feeling of being {emotion}, surreal art",
    "DISGUSTED": "a swampy overgrown {theme} garden, sickly yellow-green fungi, oozing bubbles, beetles crawling "
                 "over rotting leaves, a feeling of {emotion} revulsion, uneasy acid colours, detailed illustration",
    "SURPRISED": "a {theme} garden at the moment fireworks burst overhead, flowers opening all at once, bright "
                 "sparks and confetti petals, a feeling of {emotion} wonder, vivid colours, dynamic composition",
    "CALM": "a still {theme} zen garden, raked sand and smooth stones, a lily pond mirroring a pale sky, soft "
            "green and teal, wide empty space, a feeling of {emotion} peace, gentle watercolour",
    "FEAR": "a dark {theme} forest garden at night, tall black trees like shadows, fog and a few glowing eyes "
            "between the leaves, cold violet moonlight, a feeling of {emotion} dread, cinematic, high contrast",
}
NEGATIVE = "text, watermark, logo, people, faces, blurry, low quality"

CURATOR_PERMISSIONS = [
    ("curation", "view_image"), ("curation", "add_image"), ("curation", "change_image"),
    ("curation", "delete_image"), ("curation", "review_image"),
    ("curation", "view_generationjob"), ("curation", "add_generationjob"), ("curation", "change_generationjob"),
    ("curation", "view_generationitem"),
    ("curation", "view_prompttemplate"), ("curation", "add_prompttemplate"), ("curation", "change_prompttemplate"),
    ("curation", "delete_prompttemplate"),
]


def seed(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    PromptTemplate = apps.get_model("curation", "PromptTemplate")
    for emotion, text in TEMPLATES.items():
        PromptTemplate.objects.get_or_create(
            name=f"{emotion.lower()} garden", defaults={"emotion": emotion, "text": text, "negative_text": NEGATIVE}
        )
    # Permissions are normally created after all migrations; the group needs them now. A migration's app
    # config stub has no models module, which create_permissions checks before doing anything.
    app_config = apps.get_app_config("curation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.add(*(
        Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in CURATOR_PERMISSIONS
    ))


def unseed(apps, schema_editor):  # noqa: ANN001, ANN201
    names = [f"{emotion.lower()} garden" for emotion in TEMPLATES]
    apps.get_model("curation", "PromptTemplate").objects.filter(name__in=names).delete()
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0003_prompt_templates"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
