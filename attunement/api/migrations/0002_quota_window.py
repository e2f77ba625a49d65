from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE api_quotawindow SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_clients_keys_webhooks")]

    operations = [
        migrations.CreateModel(
            name="QuotaWindow",
            fields=[
                (
                    "key",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="api.apikey",
                    ),
                ),
                ("minute", models.BigIntegerField()),
                ("used", models.PositiveIntegerField()),
                ("refused", models.BooleanField(default=False)),
            ],
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
