from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.outbox import Channel
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('devhub', '0011_install_analytics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NotificationSetting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(max_length=254)),
                ('kind', fields.CharField(max_length=40)),
                ('subscribed', fields.BooleanField()),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification_setting', 'app': 'devhub', 'unique_together': (('email', 'kind'),), 'pk_attr': 'id', 'table_description': "One address's choice for one kind of notification (devhub_gql.notifications): company"},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='OutboxMessage',
            name='app',
            field=fields.ForeignKeyField('devhub.App', source_field='app_id', null=True, db_constraint=True, to_field='id', related_name='outbox_messages', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='channel',
            field=fields.CharEnumField(default=Channel.WEBHOOK, description='WEBHOOK: WEBHOOK\nEMAIL: EMAIL', db_default='WEBHOOK', enum_type=Channel, max_length=16),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='company',
            field=fields.ForeignKeyField('devhub.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
    ]
