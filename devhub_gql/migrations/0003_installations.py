from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.outbox import NoticeStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0002_reviews')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuthorizationCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_digest', fields.CharField(unique=True, max_length=64)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('user', fields.ForeignKeyField('devhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('redirect_uri', fields.CharField(max_length=2048)),
                ('scopes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('code_challenge', fields.CharField(null=True, max_length=128)),
                ('code_challenge_method', fields.CharField(null=True, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'authorization_code', 'app': 'devhub', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Installation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='installations', on_delete=OnDelete.RESTRICT)),
                ('company', fields.ForeignKeyField('devhub.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='installations', on_delete=OnDelete.RESTRICT)),
                ('user', fields.ForeignKeyField('devhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name='installations', on_delete=OnDelete.RESTRICT)),
                ('scopes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('needs_reauthorization', fields.BooleanField(default=False)),
                ('installed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('uninstalled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'installation', 'app': 'devhub', 'unique_together': (('app', 'user'),), 'indexes': [Index(fields=['company_id', 'uninstalled_at']), Index(fields=['app_id', 'uninstalled_at'])], 'pk_attr': 'id', 'table_description': 'One per app and user (a user belongs to one company), kept after uninstalling.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('webhook_id', fields.CharField(unique=True, max_length=64)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='outbox_messages', on_delete=OnDelete.RESTRICT)),
                ('event', fields.CharField(max_length=40)),
                ('url', fields.CharField(max_length=2048)),
                ('payload', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=NoticeStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED', enum_type=NoticeStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'devhub', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['app_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('devhub.OutboxMessage', source_field='message_id', db_constraint=True, to_field='id', related_name='delivery_attempts', on_delete=OnDelete.CASCADE)),
                ('attempted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status_code', fields.IntField(null=True)),
                ('error', fields.CharField(null=True, max_length=300)),
                ('duration_ms', fields.IntField()),
            ],
            options={'table': 'delivery_attempt', 'app': 'devhub', 'indexes': [Index(fields=['message_id', 'attempted_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('installation', fields.ForeignKeyField('devhub.Installation', source_field='installation_id', db_constraint=True, to_field='id', related_name='refresh_tokens', on_delete=OnDelete.RESTRICT)),
                ('code', fields.ForeignKeyField('devhub.AuthorizationCode', source_field='code_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refresh_token', 'app': 'devhub', 'indexes': [Index(fields=['installation_id', 'revoked_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('installation', fields.ForeignKeyField('devhub.Installation', source_field='installation_id', db_constraint=True, to_field='id', related_name='access_tokens', on_delete=OnDelete.RESTRICT)),
                ('refresh_token', fields.ForeignKeyField('devhub.RefreshToken', source_field='refresh_token_id', db_constraint=True, to_field='id', related_name='access_tokens', on_delete=OnDelete.RESTRICT)),
                ('scopes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'access_token', 'app': 'devhub', 'indexes': [Index(fields=['installation_id', 'revoked_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
