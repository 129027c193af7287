"""DevHub GraphQL: the back end of an app-marketplace developer hub."""
