"""The reviewers' back-office: its own schema at /backoffice/graphql, reviewers only."""
