"""Strawberry types, inputs, errors and context; `schema.build` assembles the public schema."""
