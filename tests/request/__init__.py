"""Tests of gateway/request/: the per-request context and the Decisions object."""
