"""On PostgreSQL, trigram indexes on the folded names, so that a search for a word anywhere in a
name (``LIKE '%garcia%'``: the directory, the verification API's name search) reads the index
instead of every person. They need the pg_trgm extension (shipped with PostgreSQL, "trusted"
since 13: the database owner may create it). Where it cannot be created the migration says so
and goes on: searches still work, reading every name."""

import sys

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "people_user_legal_name_key_trgm": "legal_name_key",
    "people_user_preferred_name_key_trgm": "preferred_name_key",
}


def add(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        print(
            f"\n  pg_trgm could not be created ({exc}); name searches will read every name."
            " Ask the database administrator to run CREATE EXTENSION pg_trgm, then migrate again"
            " from people 0003.",
            file=sys.stderr,
        )
        return
    with connection.cursor() as cursor:
        for name, column in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_user USING gin ({column} gin_trgm_ops)")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_name_keys")]

    operations = [migrations.RunPython(add, remove)]
