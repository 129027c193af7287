from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0003_installations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppSlug',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=100)),
                ('app', fields.ForeignKeyField('devhub.App', source_field='app_id', db_constraint=True, to_field='id', related_name='slugs', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'app_slug', 'app': 'devhub', 'indexes': [Index(fields=['app_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "Every slug an app's name has given it: an old link keeps working after a rename."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MarketplaceState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.BigIntField(default=0)),
            ],
            options={'table': 'marketplace_state', 'app': 'devhub', 'pk_attr': 'id', 'table_description': 'One row: a version bumped by every change to what the marketplace lists.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='App',
            name='installation_count',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='App',
            name='published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='App',
            index=Index(fields=['status', 'published_at']),
        ),
        ops.AddIndex(
            model_name='App',
            index=Index(fields=['status', 'installation_count']),
        ),
        ops.AddIndex(
            model_name='App',
            index=Index(fields=['status', 'name']),
        ),
        ops.AddIndex(
            model_name='App',
            index=Index(fields=['status', 'category_id', 'published_at']),
        ),
    ]
