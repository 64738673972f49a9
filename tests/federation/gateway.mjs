// An Apollo Federation 2 gateway over named subgraphs, as another team would run one in front of ours.
//
//   node tests/federation/gateway.mjs [--port N] name=http://host:port/graphql ...
//   (or FEDERATION_PORT and FEDERATION_SUBGRAPHS="name=url,name=url" in the environment)
//
// Fetches each subgraph's SDL ({ _service { sdl } }), composes them with @apollo/composition
// (exits 1 printing every error; prints every hint to stderr as "hint CODE: message"), serves the
// supergraph with @apollo/gateway on @apollo/server, forwarding the caller's Authorization header to
// every subgraph, and prints one line "READY <url>" on stdout when it listens (port 0: any free port).

import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';

function parseArgs(argv) {
  let port = Number(process.env.FEDERATION_PORT ?? 0);
  const specs = (process.env.FEDERATION_SUBGRAPHS ?? '').split(',').filter(Boolean);
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--port') {
      port = Number(argv[(i += 1)]);
    } else {
      specs.push(argv[i]);
    }
  }
  const subgraphs = specs.map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0) throw new Error(`expected name=url, got ${JSON.stringify(spec)}`);
    return { name: spec.slice(0, at), url: spec.slice(at + 1) };
  });
  if (subgraphs.length === 0) throw new Error('no subgraphs given: pass name=url arguments');
  if (!Number.isInteger(port) || port < 0) throw new Error(`bad port ${port}`);
  return { port, subgraphs };
}

async function fetchSdl({ name, url }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${name}: _service answered HTTP ${response.status}: ${text}`);
  const body = JSON.parse(text);
  const sdl = body?.data?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error(`${name}: _service gave no sdl: ${text}`);
  return { name, url, typeDefs: parse(sdl) };
}

class ForwardAuthorization extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context?.authorization) request.http.headers.set('authorization', context.authorization);
  }
}

async function main() {
  const { port, subgraphs } = parseArgs(process.argv.slice(2));
  const services = await Promise.all(subgraphs.map(fetchSdl));
  const composed = composeServices(services);
  if (composed.errors) {
    for (const error of composed.errors) {
      const code = error.extensions?.code ?? 'ERROR';
      console.error(`composition error ${code}: ${error.message}`);
    }
    process.exit(1);
  }
  for (const hint of composed.hints) {
    console.error(`hint ${hint.definition.code}: ${hint.message}`);
  }

  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ url }) => new ForwardAuthorization({ url }),
  });
  const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`READY ${url}`);
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
