from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.ratings import ReportStatus
from devhub_gql.models.reviews import AuditAction
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0009_app_extensions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppRating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('devhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('stars', fields.SmallIntField()),
                ('title', fields.CharField(null=True, max_length=100)),
                ('body', fields.TextField(null=True, unique=False)),
                ('helpful_count', fields.IntField(default=0)),
                ('open_reports', fields.IntField(default=0)),
                ('first_reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('hidden_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('hidden_reason', fields.TextField(null=True, unique=False)),
                ('reply_body', fields.TextField(null=True, unique=False)),
                ('reply_created_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reply_updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'app_rating', 'app': 'devhub', 'unique_together': (('app', 'user'),), 'indexes': [Index(fields=['app_id', 'hidden_at', 'created_at']), Index(fields=['app_id', 'hidden_at', 'helpful_count']), Index(fields=['app_id', 'hidden_at', 'stars']), Index(fields=['open_reports', 'first_reported_at'])], 'pk_attr': 'id', 'table_description': "One user's rating of one app (1-5 stars), with an optional review and the developer's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AppRatingVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.ForeignKeyField('devhub.AppRating', source_field='rating_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('stars', fields.SmallIntField()),
                ('title', fields.CharField(null=True, max_length=100)),
                ('body', fields.TextField(null=True, unique=False)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('replaced_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'app_rating_version', 'app': 'devhub', 'indexes': [Index(fields=['rating_id', 'replaced_at'])], 'pk_attr': 'id', 'table_description': 'What a rating said before an edit: moderators see the whole history.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RatingReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.ForeignKeyField('devhub.AppRating', source_field='rating_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('devhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=ReportStatus.OPEN, description='OPEN: OPEN\nDISMISSED: DISMISSED\nUPHELD: UPHELD', enum_type=ReportStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rating_report', 'app': 'devhub', 'unique_together': (('rating', 'user'),), 'indexes': [Index(fields=['rating_id', 'status'])], 'pk_attr': 'id', 'table_description': "A signed-in user's report of a review, with their reason."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RatingVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.ForeignKeyField('devhub.AppRating', source_field='rating_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('devhub.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rating_vote', 'app': 'devhub', 'unique_together': (('rating', 'user'),), 'pk_attr': 'id', 'table_description': 'A user found a review helpful (once).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='App',
            name='rating_1',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='App',
            name='rating_2',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='App',
            name='rating_3',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='App',
            name='rating_4',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='App',
            name='rating_5',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='App',
            name='rating_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='App',
            name='rating_sum',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(description='SUBMIT: submit\nWITHDRAW: withdraw\nAPPROVE: approve\nREJECT: reject\nPUBLISH: publish\nUNPUBLISH: unpublish\nCHANGE_TO_LIVE: change_to_live\nDELETE: delete\nREVISION_SUBMITTED: revision_submitted\nREVISION_WITHDRAWN: revision_withdrawn\nREVISION_APPROVED: revision_approved\nREVISION_REJECTED: revision_rejected\nREVISION_MERGED: revision_merged\nREVISION_DISCARDED: revision_discarded\nREVIEW_HIDDEN: review_hidden\nREVIEW_REPORTS_DISMISSED: review_reports_dismissed', enum_type=AuditAction, max_length=40),
        ),
        ops.AddIndex(
            model_name='Installation',
            index=Index(fields=['app_id', 'installed_at']),
        ),
    ]
