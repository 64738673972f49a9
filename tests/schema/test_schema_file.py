from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType

from gateway.core.config import Settings
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
