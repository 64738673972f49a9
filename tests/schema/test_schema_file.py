import re
from enum import Enum
from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from gateway.core.config import Settings
from gateway.policy import vocabulary
from gateway.schema import build_schema, sdl

ROOT = Path(__file__).resolve().parents[2]
schema = build_schema(Settings.model_construct())
BUILT_IN_SCALARS = {"String", "Int", "Boolean", "ID", "Float"}


def test_schema_graphql_is_current() -> None:
    """schema.graphql is the checked-in contract; regenerate with `python -m gateway export-schema`."""
    assert (ROOT / "schema.graphql").read_text() == sdl()


async def test_schema_graphql_is_the_federation_sdl() -> None:
    result = await schema.execute("{ _service { sdl } }")
    assert result.errors is None
    assert result.data["_service"]["sdl"] + "\n" == (ROOT / "schema.graphql").read_text()


def test_every_type_and_field_is_described() -> None:
    missing = []
    for name, gql_type in schema._schema.type_map.items():
        # Names starting with "_" (and link__*) belong to GraphQL introspection and the Federation spec.
        if name.startswith("_") or name.startswith("link__") or name in BUILT_IN_SCALARS:
            continue
        if not gql_type.description:
            missing.append(name)
        if isinstance(gql_type, GraphQLObjectType | GraphQLInputObjectType):
            missing += [
                f"{name}.{f}" for f, field in gql_type.fields.items() if not field.description and not f.startswith("_")
            ]
    assert missing == []


def test_no_enum_copies_a_word_of_the_rules() -> None:
    """A word of the rules has one enum: where the schema shows one of `gateway.policy.vocabulary`'s
    enums it shows that enum itself (as `gateway/schema/enums.py` exposes them), never a copy with the
    same members, which could come to say something the rules do not."""
    words = [
        cls
        for cls in vars(vocabulary).values()
        if isinstance(cls, type) and issubclass(cls, Enum) and cls.__module__ == vocabulary.__name__
    ]
    copies = [
        name
        for name, gql_type in schema._schema.type_map.items()
        if isinstance(gql_type, CustomGraphQLEnumType)
        and gql_type.wrapped_cls not in words
        and any({m.name for m in gql_type.wrapped_cls} == {m.name for m in word} for word in words)
    ]
    assert copies == []


def _names(description: str | None) -> set[str]:
    return set(re.findall(r"\b[A-Z][A-Z_]+\b", description or ""))


def test_a_description_of_a_basis_names_every_basis_it_may_be() -> None:
    """Representation.basis may be any basis; an access-log entry's any but SELF (never logged) or
    SERVICE; `@proxyScope` binds every basis that acts by fullmakt (docs/access-rules.md#bases)."""
    bases = {b.name for b in vocabulary.Basis}
    representation = schema._schema.get_type("Representation")
    access_log_entry = schema._schema.get_type("AccessLogEntry")
    proxy_scope = schema._schema.get_directive("proxyScope")
    assert isinstance(representation, GraphQLObjectType) and isinstance(access_log_entry, GraphQLObjectType)
    assert proxy_scope is not None
    assert _names(representation.fields["basis"].description) >= bases
    assert _names(access_log_entry.fields["basis"].description) >= bases - {"SELF"} | {"SERVICE"}
    assert _names(proxy_scope.description) & bases == {"PROXY", "ASSIGNED_PROXY"}
