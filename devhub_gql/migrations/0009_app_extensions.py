from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0008_company_versions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppExtension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, max_length=40)),
                ('kind', fields.CharField(max_length=24)),
                ('position', fields.IntField()),
                ('definition', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'app_extension', 'app': 'devhub', 'indexes': [Index(fields=['app_id', 'position'])], 'pk_attr': 'id', 'table_description': "A place the app adds itself to the CRM's interface (devhub_gql.domain.extensions)."},
            bases=['Model'],
        ),
    ]
