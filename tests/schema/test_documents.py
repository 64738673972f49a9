"""Each distinct document is parsed and validated once, within the limits, in a bounded cache."""

from __future__ import annotations

import pytest
from graphql import ASTValidationRule, GraphQLError, ValidationContext, build_schema

from gateway.schema.documents import DocumentCache

SCHEMA = build_schema("type Query { a: Int b: Int }")


class CountingRule(ASTValidationRule):
    """A rule that reports nothing and counts the documents it checks (one rule object per document)."""

    made = 0

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        CountingRule.made += 1


@pytest.fixture(autouse=True)
def reset_count() -> None:
    CountingRule.made = 0


def test_the_same_text_is_parsed_and_validated_once() -> None:
    cache = DocumentCache([CountingRule], max_tokens=100)
    first = cache.parse("{ a }")
    assert cache.validate(SCHEMA, "{ a }", first) == []
    again = cache.parse("{ a }")
    assert again is first
    assert cache.validate(SCHEMA, "{ a }", again) == []
    assert CountingRule.made == 1


def test_validation_errors_are_those_of_graphql_core_and_kept_too() -> None:
    cache = DocumentCache([CountingRule], max_tokens=100)
    document = cache.parse("{ c }")
    errors = cache.validate(SCHEMA, "{ c }", document)
    assert [e.message for e in errors] == ["Cannot query field 'c' on type 'Query'. Did you mean 'a' or 'b'?"]
    assert cache.validate(SCHEMA, "{ c }", cache.parse("{ c }")) is errors
    assert CountingRule.made == 1


def test_the_least_recently_used_document_leaves_first() -> None:
    cache = DocumentCache([], max_tokens=100, maxsize=2)
    a, b = cache.parse("{ a }"), cache.parse("{ b }")
    assert cache.parse("{ a }") is a  # now b is the least recently used
    cache.parse("{ a b }")
    assert cache.parse("{ a }") is a
    assert cache.parse("{ b }") is not b


def test_a_document_evicted_while_in_use_is_still_validated() -> None:
    cache = DocumentCache([CountingRule], max_tokens=100, maxsize=1)
    document = cache.parse("{ a }")
    cache.parse("{ b }")  # evicts "{ a }" before its request validates it
    assert cache.validate(SCHEMA, "{ a }", document) == []
    assert CountingRule.made == 1


def test_a_document_over_the_token_limit_is_refused_every_time() -> None:
    cache = DocumentCache([], max_tokens=5)
    for _ in range(2):
        with pytest.raises(GraphQLError, match="more than 5 tokens"):
            cache.parse("{ a b a b a b }")


def test_an_integer_longer_than_any_int_is_refused_with_the_document() -> None:
    cache = DocumentCache([], max_tokens=100)
    with pytest.raises(GraphQLError, match="more than 100 digits"):
        cache.parse("{ a(n: " + "9" * 101 + ") }")
    assert cache.parse("{ a(n: -" + "9" * 100 + ") }")  # long, but not past the limit: validation judges it
