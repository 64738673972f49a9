// The GraphQL-over-HTTP audit suite of `graphql-http` against a running server.
//
//   node tests/conformance/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints a JSON array [{id, name, status, reason}] on stdout, one entry per audit in the suite's order;
// status is "ok", or what graphql-http reports for a failure: "error" (MUST), "warn" (SHOULD), "notice" (MAY).
// Exits 0 whatever the results: judging them is the caller's business (tests/conformance/test_graphql_http.py).
// An audit that throws (graphql-http throws only on fatal problems, e.g. connection refused) is listed as
// "error" with the message as its reason. Without a URL it exits 2.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

const results = [];
for (const { id, name, fn } of serverAudits({ url })) {
  // One at a time, so a failure's reason belongs to its own request.
  let result;
  try {
    result = await fn();
  } catch (err) {
    // graphql-http throws only on fatal errors (e.g. the connection was refused).
    result = { id, name, status: 'error', reason: `fatal: ${err && err.message ? err.message : String(err)}` };
  }
  results.push({
    id: result.id ?? id,
    name: result.name ?? name,
    status: result.status,
    reason: result.status === 'ok' ? null : String(result.reason ?? ''),
  });
}

process.stdout.write(JSON.stringify(results, null, 2) + '\n');
