from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('devhub', '0004_marketplace')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AccessToken',
            index=Index(fields=['refresh_token_id', 'revoked_at']),
        ),
        ops.AddIndex(
            model_name='AuthorizationCode',
            index=Index(fields=['app_id', 'created_at']),
        ),
        ops.RemoveIndex(
            model_name='Installation',
            name=None,
            fields=['company_id', 'uninstalled_at'],
        ),
        ops.AddIndex(
            model_name='Installation',
            index=Index(fields=['company_id', 'uninstalled_at', 'installed_at']),
        ),
        ops.AddIndex(
            model_name='Installation',
            index=Index(fields=['user_id', 'uninstalled_at', 'installed_at']),
        ),
        ops.AddIndex(
            model_name='RefreshToken',
            index=Index(fields=['code_id']),
        ),
    ]
