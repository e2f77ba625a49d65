"""Load the default rule set shipped with Attunement (rulesets/alliance-2025.json).

The file is read as data; the same digest as ``endorsement.actions.rulesets.load_rule_set`` makes a
later `attunement rulesets load` of the same file a no-op."""

import hashlib
import json
from datetime import date
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parent.parent / "rulesets" / "alliance-2025.json"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    RuleSetVersion = apps.get_model("endorsement", "RuleSetVersion")  # noqa: N806
    data = json.loads(FILE.read_text(encoding="utf-8"))
    if RuleSetVersion.objects.filter(key=data["id"]).exists():
        return
    RuleSetVersion.objects.create(
        key=data["id"],
        name=data["name"],
        association=None,
        effective=date.fromisoformat(data["effective"]),
        data=data,
        sha256=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
    )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("endorsement", "RuleSetVersion").objects.filter(key="alliance-2025").delete()


class Migration(migrations.Migration):
    dependencies = [("endorsement", "0001_rule_set_versions")]
    operations = [migrations.RunPython(load, unload)]
