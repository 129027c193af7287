"""The rules of the developer hub. Nothing here imports GraphQL."""
