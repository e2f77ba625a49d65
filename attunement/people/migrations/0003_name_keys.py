"""Folded name keys on people, filled for everyone already there."""

import re
import unicodedata

from django.db import migrations, models

_NOT_WORD = re.compile(r"[^\w]+")


def _fold(text):
    # A copy of attunement.people.names.fold_name as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())[:400]


def fill(apps, schema_editor):
    User = apps.get_model("people", "User")
    batch = []
    for person in User.objects.only("id", "legal_name", "preferred_name").order_by("id").iterator(chunk_size=2000):
        person.legal_name_key = _fold(person.legal_name)
        person.preferred_name_key = _fold(person.preferred_name)
        batch.append(person)
        if len(batch) == 2000:
            User.objects.bulk_update(batch, ["legal_name_key", "preferred_name_key"])
            batch = []
    if batch:
        User.objects.bulk_update(batch, ["legal_name_key", "preferred_name_key"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_secondary_email")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="legal_name_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=400),
        ),
        migrations.AddField(
            model_name="user",
            name="preferred_name_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=400),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
