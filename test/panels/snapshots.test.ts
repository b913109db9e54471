// The metrics panel's numbers equal the CLI's (and so MergeXO's) for the same window and filter:
// the snapshot is compared with `mergexo-obs overview|metrics --json` run in-process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { MergexoDatabase } from '../../src/data/database';
import { parseTimestamp } from '../../src/data/timestamps';
import { WINDOWS } from '../../src/data/types';
import { readMetricsSnapshot } from '../../src/panels/snapshots';
import { assertClose, fixturePath } from '../support/fixtures';

const NOW = '2026-03-15T12:00:00Z';

function cliJson(args: string[]): unknown {
  let out = '';
  const code = runCli([...args, '--db', fixturePath('small.db'), '--now', NOW, '--json'], {
    stdout: (text) => (out += text),
    stderr: () => {},
    cwd: process.cwd(),
  });
  expect(code).toBe(0);
  return JSON.parse(out);
}

let db: MergexoDatabase;
beforeAll(() => {
  db = MergexoDatabase.open(fixturePath('small.db'));
});
afterAll(() => db.close());

describe('metrics snapshot equals the CLI', () => {
  for (const repo of [null, 'acme/widgets', 'octo/docs']) {
    for (const window of WINDOWS) {
      it(`${repo ?? 'all repositories'}, ${window}`, () => {
        const snapshot = readMetricsSnapshot(db, { window, repo }, parseTimestamp(NOW)!);
        const filter = repo ? ['--repo', repo] : [];
        const overview = cliJson(['overview', '--window', window, ...filter]) as Record<string, number>;
        const metrics = cliJson(['metrics', '--window', window, ...filter]);
        if (!snapshot.metrics.ok || !snapshot.work.ok || !snapshot.activeAgents.ok || !snapshot.failures.ok) {
          throw new Error('a figure is unavailable on small.db');
        }
        assertClose(snapshot.metrics.value, metrics);
        expect(snapshot.activeAgents.value).toBe(overview.active_agents);
        expect(snapshot.work.value).toEqual({ blocked: overview.blocked_prs, tracked: overview.tracked_prs });
        expect(snapshot.failures.value).toBe(overview.failures);
        expect(snapshot.repositories).toEqual(['acme/gadgets', 'acme/widgets', 'octo/docs']);
        // What crosses postMessage must survive JSON (no bigint, no undefined holes that matter).
        expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
      });
    }
  }
});
