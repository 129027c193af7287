from tortoise import migrations
from tortoise.migrations import operations as ops
from devhub_gql.models.reviews import AuditAction
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('devhub', '0012_notifications')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(description='SUBMIT: submit\nWITHDRAW: withdraw\nAPPROVE: approve\nREJECT: reject\nPUBLISH: publish\nUNPUBLISH: unpublish\nCHANGE_TO_LIVE: change_to_live\nDELETE: delete\nREVISION_SUBMITTED: revision_submitted\nREVISION_WITHDRAWN: revision_withdrawn\nREVISION_APPROVED: revision_approved\nREVISION_REJECTED: revision_rejected\nREVISION_MERGED: revision_merged\nREVISION_DISCARDED: revision_discarded\nLISTING_EDITED: listing_edited\nREVIEW_HIDDEN: review_hidden\nREVIEW_REPORTS_DISMISSED: review_reports_dismissed', enum_type=AuditAction, max_length=40),
        ),
    ]
