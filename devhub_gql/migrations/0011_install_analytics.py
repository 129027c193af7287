from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.analytics import InstallEventKind, UninstallReason
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0010_ratings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('installs', fields.IntField(default=0)),
                ('reinstalls', fields.IntField(default=0)),
                ('uninstalls', fields.IntField(default=0)),
                ('refreshes', fields.IntField(default=0)),
            ],
            options={'table': 'app_day', 'app': 'devhub', 'unique_together': (('app', 'day'),), 'pk_attr': 'id', 'table_description': "One app's figures for one UTC day."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstallEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('installation', fields.ForeignKeyField('devhub.Installation', source_field='installation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='INSTALL: INSTALL\nREINSTALL: REINSTALL\nUNINSTALL: UNINSTALL', enum_type=InstallEventKind, max_length=16)),
                ('reason', fields.CharEnumField(null=True, description='NOT_USING: NOT_USING\nNOT_WORKING: NOT_WORKING\nTOO_EXPENSIVE: TOO_EXPENSIVE\nMISSING_FEATURES: MISSING_FEATURES\nFOUND_ANOTHER: FOUND_ANOTHER\nOTHER: OTHER', enum_type=UninstallReason, max_length=24)),
                ('reason_text', fields.TextField(null=True, unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'install_event', 'app': 'devhub', 'indexes': [Index(fields=['app_id', 'at'])], 'pk_attr': 'id', 'table_description': 'One install, re-install or uninstall. It names the installation, never to the developer:'},
            bases=['Model'],
        ),
    ]
