from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.outbox import AttemptOutcome
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('devhub', '0005_lookup_indexes')]

    initial = False

    operations = [
        # Null when the authorize request named no redirect URI (the callback was used).
        ops.AlterField(
            model_name='AuthorizationCode',
            name='redirect_uri',
            field=fields.CharField(null=True, max_length=2048),
        ),
        # Derived from the granted and the live scopes instead of stored.
        ops.RemoveField(model_name='Installation', name='needs_reauthorization'),
        ops.AddField(
            model_name='DeliveryAttempt',
            name='outcome',
            field=fields.CharEnumField(default=AttemptOutcome.FAILED, description='SENDING: SENDING\nDELIVERED: DELIVERED\nFAILED: FAILED\nINTERRUPTED: INTERRUPTED', enum_type=AttemptOutcome, max_length=16),
        ),
        ops.RunSQL(
            "UPDATE delivery_attempt SET outcome = 'DELIVERED'"
            " WHERE status_code >= 200 AND status_code < 300",
            reverse_sql="SELECT 1",
        ),
    ]
