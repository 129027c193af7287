from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('devhub', '0013_listing_edits')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Submission',
            name='claimed_by',
            field=fields.ForeignKeyField('devhub.User', source_field='claimed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Submission',
            name='claimed_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
