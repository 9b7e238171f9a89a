"""The uniqueness of a reference person's name_key, filled and freed of duplicates by 0007."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('gallery', '0007_reference_person_names_unique'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='referenceperson',
            constraint=models.UniqueConstraint(fields=('name_key',), name='unique_reference_person_name'),
        ),
    ]
