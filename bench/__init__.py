"""Benchmarks of the DevHub GraphQL service: `python -m bench.run --help`.

Not tests: nothing here asserts; it seeds a database, serves the real service, the baselines and
an Authlib peer in their own processes, drives them with a separate load generator and reports
the figures.
"""
