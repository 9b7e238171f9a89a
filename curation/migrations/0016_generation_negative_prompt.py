"""A prompt template's negative text reaches the generators: a job keeps it, filled in, as its negative prompt, and
the text is checked for placeholders as the template's prompt text is (it is filled in with str.format too)."""

from django.db import migrations, models

import curation.placeholders


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0015_labels_in_the_curators_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='generationjob',
            name='negative_prompt',
            field=models.TextField(blank=True, help_text="What the images must not show, as sent: the prompt template's negative text, filled in.", verbose_name='negative prompt'),
        ),
        migrations.AlterField(
            model_name='prompttemplate',
            name='negative_text',
            field=models.TextField(blank=True, help_text='What the image must not show (where supported).', validators=[curation.placeholders.validate_prompt_placeholders], verbose_name='negative text'),
        ),
    ]
