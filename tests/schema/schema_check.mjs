// Schema quality checks the Python tests run (tests/schema/test_schema_quality.py).
//
//   node tests/schema/schema_check.mjs lint <schema.graphql>
//     Prints a JSON list of problems ({rule, path, message}); exit 1 if there are any, 0 if none.
//     Rules: every type, field, argument, enum value and custom directive is described; type names are
//     PascalCase, field/argument/directive names camelCase, enum values UPPER_SNAKE_CASE; Relay connections
//     follow the gateway's shape (edges, nodes, pageInfo, totalCount, hiddenCount; cursor and node on edges;
//     `first: Int` and `after: String` on every field that returns a connection).
//
//   node tests/schema/schema_check.mjs diff <old.graphql> <new.graphql>
//     Prints {"breaking": [...], "dangerous": [...], "safe": [...]}, each change as {type, message, path,
//     reason}, from @graphql-inspector/core's diff; exit 0 whatever changed (the Python side decides).
//
// Either mode exits 2, with {"error": ...} on stdout, when a file cannot be read or is not a valid SDL.
//
// The SDL is an Apollo Federation v2 subgraph SDL: it applies federation directives (@key, @link, ...) that it
// does not declare. Those are declared here, with the spec's signatures, before graphql's buildSchema validates
// the document; names of the federation and link specs ("_*", "federation__*", "link__*") are not linted.

import { readFileSync } from 'node:fs';
import process from 'node:process';
import { diff } from '@graphql-inspector/core';
import {
  Kind,
  buildASTSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  parse,
  validateSchema,
  visit,
} from 'graphql';

// Federation v2 directive definitions (https://www.apollographql.com/docs/graphos/reference/federation/directives).
const ALL_LOCATIONS_BUT_SCHEMA =
  'FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT' +
  ' | INPUT_FIELD_DEFINITION';
const FEDERATION_DIRECTIVES = {
  key: '(fields: federation__FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE',
  link: '(url: String!, as: String, import: [link__Import], for: link__Purpose) repeatable on SCHEMA',
  shareable: ' repeatable on OBJECT | FIELD_DEFINITION',
  external: '(reason: String) on OBJECT | FIELD_DEFINITION',
  requires: '(fields: federation__FieldSet!) on FIELD_DEFINITION',
  provides: '(fields: federation__FieldSet!) on FIELD_DEFINITION',
  extends: ' on OBJECT | INTERFACE',
  inaccessible: ` on ${ALL_LOCATIONS_BUT_SCHEMA}`,
  tag: `(name: String!) repeatable on ${ALL_LOCATIONS_BUT_SCHEMA} | SCHEMA`,
  override: '(from: String!, label: String) on FIELD_DEFINITION',
  interfaceObject: ' on OBJECT',
  composeDirective: '(name: String!) repeatable on SCHEMA',
  authenticated: ' on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM',
  requiresScopes: '(scopes: [[federation__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM',
  policy: '(policies: [[federation__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM',
  context: '(name: String!) repeatable on INTERFACE | OBJECT | UNION',
  fromContext: '(field: federation__ContextFieldValue) on ARGUMENT_DEFINITION',
  cost: '(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR',
  listSize:
    '(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true)' +
    ' on FIELD_DEFINITION',
};
const FEDERATION_TYPES = {
  federation__FieldSet: 'scalar federation__FieldSet',
  federation__Scope: 'scalar federation__Scope',
  federation__Policy: 'scalar federation__Policy',
  federation__ContextFieldValue: 'scalar federation__ContextFieldValue',
  link__Import: 'scalar link__Import',
  link__Purpose: 'enum link__Purpose { SECURITY EXECUTION }',
};

class UsageError extends Error {}

function readSdl(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error.message}`);
  }
}

/** A GraphQLSchema from a subgraph SDL, and the names of the directives declared here rather than in the SDL. */
function buildSubgraphSchema(sdl, path) {
  let document;
  try {
    document = parse(sdl);
  } catch (error) {
    throw new UsageError(`${path}: ${error.message}`);
  }
  const declaredDirectives = new Set();
  const declaredTypes = new Set();
  const usedDirectives = new Set();
  visit(document, {
    DirectiveDefinition: (node) => void declaredDirectives.add(node.name.value),
    Directive: (node) => void usedDirectives.add(node.name.value),
  });
  for (const definition of document.definitions) {
    if ('name' in definition && definition.kind !== Kind.DIRECTIVE_DEFINITION && definition.name) {
      declaredTypes.add(definition.name.value);
    }
  }
  const injected = new Set();
  const extra = [];
  for (const name of usedDirectives) {
    if (declaredDirectives.has(name)) continue;
    const bare = name.startsWith('federation__') ? name.slice('federation__'.length) : name;
    if (Object.hasOwn(FEDERATION_DIRECTIVES, bare)) {
      extra.push(`directive @${name}${FEDERATION_DIRECTIVES[bare]}`);
      injected.add(name);
    }
  }
  const signatures = extra.join('\n');
  for (const [name, definition] of Object.entries(FEDERATION_TYPES)) {
    if (!declaredTypes.has(name) && new RegExp(`\\b${name}\\b`).test(signatures)) extra.push(definition);
  }
  let schema;
  try {
    schema = buildASTSchema(extra.length ? parse(`${sdl}\n${extra.join('\n')}`) : document);
  } catch (error) {
    throw new UsageError(`${path}: not a valid schema: ${error.message}`);
  }
  const errors = validateSchema(schema);
  if (errors.length) {
    throw new UsageError(`${path}: not a valid schema: ${errors.map((error) => error.message).join('; ')}`);
  }
  return { schema, injected };
}

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const UPPER_SNAKE_CASE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** Names of the GraphQL, introspection, federation and link specs, which this schema does not choose. */
function isSpecName(name) {
  return name.startsWith('_') || name.startsWith('link__') || name.startsWith('federation__');
}

function lint(schema, injected) {
  const problems = [];
  const report = (rule, path, message) => problems.push({ rule, path, message });
  const described = (path, thing, what) => {
    if (!thing.description || !thing.description.trim()) report('description', path, `${what} has no description`);
  };
  const named = (path, name, pattern, convention) => {
    if (!pattern.test(name)) report('naming', path, `"${name}" is not ${convention}`);
  };
  const checkArguments = (ownerPath, args) => {
    for (const arg of args) {
      const path = `${ownerPath}(${arg.name}:)`;
      described(path, arg, 'argument');
      named(path, arg.name, CAMEL_CASE, 'camelCase');
    }
  };

  for (const type of Object.values(schema.getTypeMap())) {
    const name = type.name;
    if (isSpecName(name) || isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    described(name, type, 'type');
    named(name, name, PASCAL_CASE, 'PascalCase');
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (isSpecName(field.name)) continue; // _entities, _service
        const path = `${name}.${field.name}`;
        described(path, field, 'field');
        named(path, field.name, CAMEL_CASE, 'camelCase');
        if (field.args) checkArguments(path, field.args);
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        const path = `${name}.${value.name}`;
        described(path, value, 'enum value');
        named(path, value.name, UPPER_SNAKE_CASE, 'UPPER_SNAKE_CASE');
      }
    }
  }

  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive) || injected.has(directive.name) || isSpecName(directive.name)) continue;
    const path = `@${directive.name}`;
    described(path, directive, 'directive');
    named(path, directive.name, CAMEL_CASE, 'camelCase');
    checkArguments(path, directive.args);
  }

  lintConnections(schema, report);
  return problems;
}

function lintConnections(schema, report) {
  const expectFields = (type, expected) => {
    const fields = type.getFields();
    for (const [fieldName, expectedType] of Object.entries(expected)) {
      const path = `${type.name}.${fieldName}`;
      if (!fields[fieldName]) {
        report('connection', path, `${type.name} has no field ${fieldName}: ${expectedType}`);
      } else if (String(fields[fieldName].type) !== expectedType) {
        report('connection', path, `is ${fields[fieldName].type}, expected ${expectedType}`);
      }
    }
  };
  const hasFields = (type) => isObjectType(type) || isInterfaceType(type);
  // A connection's item is its edges' node type (XConnection usually holds X, but an
  // AccessLogConnection may hold AccessLogEntry); edges and nodes must agree on it.
  const itemOf = (connection) => {
    const edges = connection.getFields().edges;
    const edge = edges && getNamedType(edges.type);
    const node = edge && hasFields(edge) && edge.getFields().node;
    return node ? getNamedType(node.type).name : connection.name.slice(0, -'Connection'.length);
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (isSpecName(type.name) || isIntrospectionType(type)) continue;
    for (const [suffix, shape] of [
      [
        'Connection',
        (item) => ({
          edges: `[${item}Edge!]!`,
          nodes: `[${item}!]!`,
          pageInfo: 'PageInfo!',
          totalCount: 'Int!',
          hiddenCount: 'Int!',
        }),
      ],
      ['Edge', (item) => ({ cursor: 'String!', node: `${item}!` })],
    ]) {
      if (!type.name.endsWith(suffix) || type.name === suffix) continue;
      if (!hasFields(type)) {
        report('connection', type.name, `a type named *${suffix} must be an object type with the ${suffix} fields`);
        continue;
      }
      expectFields(type, shape(suffix === 'Connection' ? itemOf(type) : type.name.slice(0, -suffix.length)));
    }

    if (!hasFields(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const returned = getNamedType(field.type);
      if (!returned.name.endsWith('Connection') || !hasFields(returned)) continue;
      const args = Object.fromEntries(field.args.map((arg) => [arg.name, String(arg.type)]));
      for (const [argName, argType] of [
        ['first', 'Int'],
        ['after', 'String'],
      ]) {
        const path = `${type.name}.${field.name}(${argName}:)`;
        if (!(argName in args)) {
          report('connection', path, `returns ${returned.name} but takes no ${argName}: ${argType}`);
        } else if (args[argName] !== argType) {
          report('connection', path, `is ${args[argName]}, expected ${argType}`);
        }
      }
    }
  }
}

const CRITICALITY = { BREAKING: 'breaking', DANGEROUS: 'dangerous', NON_BREAKING: 'safe' };

async function schemaDiff(oldSchema, newSchema) {
  const result = { breaking: [], dangerous: [], safe: [] };
  for (const change of await diff(oldSchema, newSchema)) {
    const bucket = CRITICALITY[change.criticality.level] ?? 'breaking';
    result[bucket].push({
      type: change.type,
      message: change.message,
      path: change.path ?? null,
      reason: change.criticality.reason ?? null,
    });
  }
  return result;
}

async function main(argv) {
  const [mode, ...files] = argv;
  if (mode === 'lint' && files.length === 1) {
    const { schema, injected } = buildSubgraphSchema(readSdl(files[0]), files[0]);
    const problems = lint(schema, injected);
    console.log(JSON.stringify(problems, null, 2));
    return problems.length ? 1 : 0;
  }
  if (mode === 'diff' && files.length === 2) {
    const [oldSchema, newSchema] = files.map((file) => buildSubgraphSchema(readSdl(file), file).schema);
    console.log(JSON.stringify(await schemaDiff(oldSchema, newSchema), null, 2));
    return 0;
  }
  throw new UsageError('usage: schema_check.mjs lint <schema.graphql> | diff <old.graphql> <new.graphql>');
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.log(JSON.stringify({ error: error.message }));
  process.exitCode = 2;
}
