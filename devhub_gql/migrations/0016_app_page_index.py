"""A developer's apps page reads in the index's order and stops after its rows: (company_id,
created_at, id) instead of (company_id, deleted_at, created_at), whose order PostgreSQL could not
use behind `deleted_at IS NULL` (it read and sorted all of a company's apps, 1,000 at the
benchmark's large size)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("devhub", "0015_append_only_audit")]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name="App",
            name=None,
            fields=["company_id", "deleted_at", "created_at"],
        ),
        ops.AddIndex(
            model_name="App",
            index=Index(fields=["company_id", "created_at", "id"]),
        ),
    ]
