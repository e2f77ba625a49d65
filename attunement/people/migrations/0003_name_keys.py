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
    # In pages of 2,000 by id (no cursor left open while the same rows are written).
    User = apps.get_model("people", "User")
    last = 0
    while True:
        batch = list(User.objects.filter(pk__gt=last).order_by("pk").only("id", "legal_name", "preferred_name")[:2000])
        if not batch:
            return
        for person in batch:
            person.legal_name_key = _fold(person.legal_name)
            person.preferred_name_key = _fold(person.preferred_name)
        User.objects.bulk_update(batch, ["legal_name_key", "preferred_name_key"])
        last = batch[-1].pk


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
