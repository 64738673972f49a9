from pathlib import Path

from gateway.schema import sdl

BUILT_IN_SCALARS = {"String", "Int", "Boolean", "ID", "Float"}
ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_is_current() -> None:
    """schema.graphql is the checked-in contract; regenerate with `python -m gateway export-schema`."""
    assert (ROOT / "schema.graphql").read_text() == sdl()


def test_every_type_and_field_is_described() -> None:
    from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLScalarType

    from gateway.schema import schema

    missing = []
    for name, gql_type in schema._schema.type_map.items():
        if name.startswith("__") or (
            isinstance(gql_type, GraphQLScalarType) and name in {"String", "Int", "Boolean", "ID", "Float"}
        ):
            continue
        if not gql_type.description:
            missing.append(name)
        if isinstance(gql_type, GraphQLObjectType | GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, field in gql_type.fields.items() if not field.description]
    assert missing == []
