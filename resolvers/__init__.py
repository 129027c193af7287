"""Thin resolvers: read arguments, call devhub_gql.domain, map results to schema types."""
