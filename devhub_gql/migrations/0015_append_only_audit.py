"""The audit log is append-only in the database itself: a trigger refuses every UPDATE and DELETE
of audit_entry, whoever sends it (the application's role included), on SQLite and PostgreSQL."""

from tortoise import migrations
from tortoise.migrations import operations as ops

MESSAGE = "audit_entry is append-only"

SQLITE = [
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry"
    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    f" $$ BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry"
    " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
]
SQLITE_DOWN = ["DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete"]
POSTGRES_DOWN = [
    "DROP TRIGGER audit_entry_append_only ON audit_entry",
    "DROP FUNCTION audit_entry_append_only()",
]


def _dialect_is_sqlite(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "sqlite"


async def forward(apps, schema_editor) -> None:
    for statement in SQLITE if _dialect_is_sqlite(schema_editor) else POSTGRES:
        await schema_editor.client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    for statement in SQLITE_DOWN if _dialect_is_sqlite(schema_editor) else POSTGRES_DOWN:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("devhub", "0014_review_claims")]

    initial = False

    operations = [ops.RunPython(forward, backward)]
