"""Fake platform servers over real HTTP on 127.0.0.1, answering like the real APIs
(see shared/reference/platform-apis.md), with failure injection and a request log."""
