from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from devhub_gql.models.accounts import CompanyKind, Role
from devhub_gql.models.apps import AppStatus, AppType


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Category',
            fields=[
                ('slug', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('label', fields.CharField(max_length=100)),
                ('position', fields.IntField()),
            ],
            options={'table': 'category', 'app': 'devhub', 'pk_attr': 'slug'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='SANDBOX: SANDBOX\nPRODUCTION: PRODUCTION', enum_type=CompanyKind, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'company', 'app': 'devhub', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Scope',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('label', fields.CharField(max_length=100)),
                ('description', fields.CharField(max_length=300)),
                ('endpoints', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('position', fields.IntField()),
            ],
            options={'table': 'scope', 'app': 'devhub', 'pk_attr': 'name'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=100)),
                ('password_hash', fields.CharField(max_length=200)),
                ('company', fields.ForeignKeyField('devhub.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharEnumField(description='ADMIN: ADMIN\nREGULAR: REGULAR', enum_type=Role, max_length=16)),
                ('is_reviewer', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user', 'app': 'devhub', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='App',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('devhub.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='apps', on_delete=OnDelete.RESTRICT)),
                ('created_by', fields.ForeignKeyField('devhub.User', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_apps', on_delete=OnDelete.RESTRICT)),
                ('type', fields.CharEnumField(description='PUBLIC: PUBLIC\nPRIVATE: PRIVATE', enum_type=AppType, max_length=16)),
                ('status', fields.CharEnumField(default=AppStatus.DRAFT, description='DRAFT: DRAFT\nIN_REVIEW: IN_REVIEW\nAPPROVED: APPROVED\nPUBLISHED: PUBLISHED\nLIVE: LIVE', enum_type=AppStatus, max_length=16)),
                ('client_id', fields.CharField(unique=True, max_length=32)),
                ('client_secret_digest', fields.CharField(max_length=64)),
                ('previous_secret_digest', fields.CharField(null=True, max_length=64)),
                ('previous_secret_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('callback_url', fields.CharField(max_length=2048)),
                ('name', fields.CharField(max_length=100)),
                ('category', fields.ForeignKeyField('devhub.Category', source_field='category_id', null=True, db_constraint=True, to_field='slug', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('summary', fields.CharField(null=True, max_length=150)),
                ('icon_url', fields.CharField(null=True, max_length=2048)),
                ('listing_image_urls', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('description', fields.TextField(null=True, unique=False)),
                ('video_url', fields.CharField(null=True, max_length=2048)),
                ('setup_instructions', fields.TextField(null=True, unique=False)),
                ('website_url', fields.CharField(null=True, max_length=2048)),
                ('terms_of_service_url', fields.CharField(null=True, max_length=2048)),
                ('privacy_policy_url', fields.CharField(null=True, max_length=2048)),
                ('pricing_url', fields.CharField(null=True, max_length=2048)),
                ('support_url', fields.CharField(null=True, max_length=2048)),
                ('documentation_url', fields.CharField(null=True, max_length=2048)),
                ('support_email', fields.CharField(null=True, max_length=254)),
                ('contact_email', fields.CharField(null=True, max_length=254)),
                ('installation_url', fields.CharField(null=True, max_length=2048)),
                ('use_case', fields.TextField(null=True, unique=False)),
                ('test_account_notes', fields.TextField(null=True, unique=False)),
                ('partner_terms_accepted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delete_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'app', 'app': 'devhub', 'indexes': [Index(fields=['company_id', 'deleted_at', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AppScope',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='app_scopes', on_delete=OnDelete.CASCADE)),
                ('scope', fields.ForeignKeyField('devhub.Scope', source_field='scope_id', db_constraint=True, to_field='name', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'app_scope', 'app': 'devhub', 'unique_together': (('app', 'scope'),), 'pk_attr': 'id', 'table_description': "An access scope of an app's live version."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('devhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user_session', 'app': 'devhub', 'pk_attr': 'id', 'table_description': 'A sign-in. The bearer token itself is never stored, only its digest.'},
            bases=['Model'],
        ),
    ]
