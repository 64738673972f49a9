"""Tests of gateway/resolvers/: what each field returns, under the access rules."""
