"""Load the public domain and area names (data/public-2017.json) so every deployment has them.
The same digest as ``competencies.actions.load_framework`` makes a later load a no-op."""

import hashlib
import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parent.parent / "data" / "public-2017.json"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Framework = apps.get_model("competencies", "Framework")  # noqa: N806
    Domain = apps.get_model("competencies", "Domain")  # noqa: N806
    Area = apps.get_model("competencies", "Area")  # noqa: N806
    data = json.loads(FILE.read_text(encoding="utf-8"))
    if Framework.objects.filter(association=None, key=data["id"]).exists():
        return
    framework = Framework.objects.create(
        key=data["id"], name=data["name"], licensed=False, source=data.get("source", ""),
        sha256=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
    )  # fmt: skip
    for i, d in enumerate(data["domains"]):
        domain = Domain.objects.create(framework=framework, slug=d["slug"], name=d["name"], position=i, categories=d["categories"])
        for j, a in enumerate(d["areas"]):
            Area.objects.create(domain=domain, slug=a["slug"], name=a["name"], position=j, categories=a["categories"])


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("competencies", "Framework").objects.filter(association=None, key="public-2017").delete()


class Migration(migrations.Migration):
    dependencies = [("competencies", "0001_framework_domains_areas")]
    operations = [migrations.RunPython(load, unload)]
