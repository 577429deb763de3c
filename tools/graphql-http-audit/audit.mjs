// Runs graphql-http's GraphQL-over-HTTP audit suite (serverAudits: every MUST, SHOULD and MAY of
// the spec that the package checks) against the endpoint given as the only argument, and prints
// one JSON line per audit: {"id", "name", "status", "reason", "httpStatus"}. status is "ok" for a
// pass; "error" (a MUST), "warn" (a SHOULD) or "notice" (a MAY) for a failure, and "error" when
// the audit itself threw (no answer, say). Exits 1 if any audit did not pass, 2 on bad usage.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
//
// server/audit_test.go runs it against the real server and against a handler that breaks the
// spec on purpose, which must fail.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url || process.argv.length !== 3) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

let failed = 0;
// One at a time, in the suite's order: the lines come out in a stable order and the server
// sees no more than one audit's requests at once.
for (const audit of serverAudits({ url })) {
  let line;
  try {
    const result = await audit.fn();
    line = { id: result.id, name: result.name, status: result.status };
    if (result.status !== 'ok') {
      line.reason = result.reason;
      line.httpStatus = result.response?.status;
    }
  } catch (err) {
    line = { id: audit.id, name: audit.name, status: 'error', reason: `the audit threw: ${err?.message ?? err}` };
  }
  if (line.status !== 'ok') failed++;
  console.log(JSON.stringify(line));
}
process.exit(failed > 0 ? 1 : 0);
