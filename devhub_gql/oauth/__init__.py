"""OAuth 2.0 (RFC 6749 as the platform we model flavours it), with oauthlib as the engine."""
