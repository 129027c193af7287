from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.reviews import RevisionStatus, SubmissionKind, SubmissionStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.RESTRICT)),
                ('actor', fields.ForeignKeyField('devhub.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharField(max_length=40)),
                ('from_status', fields.CharField(null=True, max_length=16)),
                ('to_status', fields.CharField(null=True, max_length=16)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'audit_entry', 'app': 'devhub', 'indexes': [Index(fields=['app_id', 'at'])], 'pk_attr': 'id', 'table_description': "One change of an app's state. Rows are only ever inserted."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PendingRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=RevisionStatus.DRAFT, description='DRAFT: DRAFT\nIN_REVIEW: IN_REVIEW\nAPPROVED: APPROVED\nMERGED: MERGED\nDISCARDED: DISCARDED', enum_type=RevisionStatus, max_length=16)),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pending_revision', 'app': 'devhub', 'indexes': [Index(fields=['app_id', 'status'])], 'pk_attr': 'id', 'table_description': 'Critical-field changes to an approved app, kept apart from the live app until merged.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Submission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.CASCADE)),
                ('revision', fields.ForeignKeyField('devhub.PendingRevision', source_field='revision_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='LISTING: LISTING\nREVISION: REVISION', enum_type=SubmissionKind, max_length=16)),
                ('status', fields.CharEnumField(default=SubmissionStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nREJECTED: REJECTED\nWITHDRAWN: WITHDRAWN', enum_type=SubmissionStatus, max_length=16)),
                ('snapshot', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('diff', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('checks', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('submitted_by', fields.ForeignKeyField('devhub.User', source_field='submitted_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('devhub.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(null=True, unique=False)),
                ('reasons', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'submission', 'app': 'devhub', 'indexes': [Index(fields=['status', 'submitted_at']), Index(fields=['app_id', 'submitted_at'])], 'pk_attr': 'id', 'table_description': "A frozen snapshot sent to review, its automated checks, and the reviewer's decision."},
            bases=['Model'],
        ),
    ]
