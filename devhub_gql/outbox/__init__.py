"""Durable outbound notifications: enqueued in the caller's transaction, delivered by a worker."""

from devhub_gql.outbox.notices import enqueue_uninstall_notice

__all__ = ["enqueue_uninstall_notice"]
