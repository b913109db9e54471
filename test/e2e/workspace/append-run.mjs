// Appends one live agent run to a state.db the way MergeXO does (tools/mergexo-writer.mjs: one short
// IMMEDIATE transaction, WAL mode), from its own process like the real writer. Used by the in-host
// suite, which cannot load better-sqlite3 in every extension host, and by hand:
//
//   node test/e2e/workspace/append-run.mjs --db <state.db> --repo acme/widgets --issue 909
//       [--flow bugfix] [--branch agent/bugfix/909-x]
//
// Prints the run id as JSON ({"runId": "..."}).
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MergexoWriter } from '../../../tools/mergexo-writer.mjs';

/** Starts a run with codex_active true (an active agent) and returns its run id. */
export function appendActiveRun({ db, repo, issue, flow = 'bugfix', branch }) {
  const writer = new MergexoWriter(db);
  try {
    return writer.startRun({
      repo,
      issue,
      runKind: 'issue_flow',
      flow,
      branch: branch ?? `agent/${flow}/${issue}-e2e`,
      active: true,
      prompt: `Work on issue #${issue} (written by the end-to-end test).`,
    });
  } finally {
    writer.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      repo: { type: 'string', default: 'acme/widgets' },
      issue: { type: 'string' },
      flow: { type: 'string', default: 'bugfix' },
      branch: { type: 'string' },
    },
  });
  if (!values.db || !values.issue) {
    console.error('Usage: append-run.mjs --db <state.db> --issue <n> [--repo owner/name] [--flow f]');
    process.exit(2);
  }
  const runId = appendActiveRun({ ...values, issue: Number(values.issue) });
  console.log(JSON.stringify({ runId }));
}
