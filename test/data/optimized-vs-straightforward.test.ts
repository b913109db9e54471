// The optimised data layer (per-repository index ranges, incremental run aggregates, one pass over
// feedback events, cached work lists) returns exactly what the straightforward queries return
// (bench/straightforward.ts, the data layer as it was before the performance work), on a database
// made by the benchmark generator, for every window, several clocks and repository filters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate.mjs';
import { StraightforwardQueries } from '../../bench/straightforward';
import { MergexoDatabase } from '../../src/data/database';
import type { DriverName } from '../../src/data/sqlite';
import { WINDOWS, type Figure, type QueryScope } from '../../src/data/types';
import { assertClose } from '../support/fixtures';

const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const HOUR = 3_600_000;

let dir: string;
let path: string;
let pinnedNow: number;
let repos: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mergexo-optimised-'));
  const manifest = generate({ size: 'small', out: dir, seed: 4242 });
  path = join(dir, 'small.db');
  pinnedNow = Date.parse(manifest.now);
  repos = manifest.repos;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Same availability and the same value (floats within the fixtures' relative 1e-9). */
function sameFigure(actual: Figure<unknown>, expected: Figure<unknown>, label: string) {
  expect(actual.ok, label).toBe(expected.ok);
  if (actual.ok && expected.ok) assertClose(actual.value, expected.value, label);
}

/** Live runs come back in index order per repository; the straightforward query returns rowid order. */
function byRunId<T extends { row: Record<string, unknown> }>(runs: T[]) {
  return [...runs]
    .sort((a, b) => String(a.row.run_id).localeCompare(String(b.row.run_id)))
    .map((run) => ({ row: { ...run.row }, meta: (run as { meta?: unknown }).meta }));
}

describe.each(DRIVERS)('optimised equals straightforward on a generated database (%s)', (driver) => {
  let incremental: MergexoDatabase;
  let stateless: MergexoDatabase;
  let reference: MergexoDatabase;
  let straightforward: StraightforwardQueries;

  beforeAll(() => {
    incremental = MergexoDatabase.open(path, { driver });
    stateless = MergexoDatabase.open(path, { driver, incremental: false });
    reference = MergexoDatabase.open(path, { driver, incremental: false });
    straightforward = new StraightforwardQueries(reference.connection, reference.schema);
  });
  afterAll(() => {
    for (const db of [incremental, stateless, reference]) db?.close();
  });

  it('the database is big enough to mean something', () => {
    const runs = reference.connection.prepare('SELECT COUNT(*) AS n FROM agent_run_history').get();
    expect(Number(runs?.n)).toBeGreaterThanOrEqual(10_000);
    expect(repos.length).toBeGreaterThanOrEqual(20);
  });

  // Clocks: the pinned now, later ones (windows slide, old buckets leave), and an earlier one (the
  // incremental state must reach back and rebuild, not answer from buckets it no longer holds).
  const offsets = [0, 0.5 * HOUR, 7 * HOUR, 3 * 24 * HOUR, -12 * HOUR];

  it.each(offsets)('metrics, failures and overview for every window and filter (clock %d ms)', (offset) => {
    const nowMs = pinnedNow + offset;
    const filters: (string | null)[] = [null, repos[0]!, repos[repos.length - 1]!, 'nobody/nothing'];
    for (const repo of filters) {
      const scope: QueryScope = { repo, nowMs };
      for (const window of WINDOWS) {
        const label = `${repo ?? 'all'} ${window} +${offset}`;
        const expected = straightforward.metrics(scope, window);
        assertClose(incremental.queries.metrics(scope, window), expected, `metrics ${label}`);
        assertClose(stateless.queries.metrics(scope, window), expected, `stateless metrics ${label}`);
        const failures = straightforward.failures(scope, window);
        expect(incremental.queries.failures(scope, window), `failures ${label}`).toEqual(failures);
        expect(stateless.queries.failures(scope, window), `failures ${label}`).toEqual(failures);
        assertClose(
          incremental.queries.overview(scope, window),
          straightforward.overview(scope, window),
          label,
        );
      }
    }
    // The sample is not trivially empty.
    const all = straightforward.metrics({ repo: null, nowMs }, '30d');
    expect(all.ok && all.value.overall.terminal_count).toBeGreaterThan(100);
  });

  it('live runs, active agents, tracked and blocked work, and the dashboard read', () => {
    for (const repo of [null, repos[0]!, repos[3]!]) {
      const scope: QueryScope = { repo, nowMs: pinnedNow + 60_000 };
      const expectedRuns = straightforward.unfinishedRuns(scope);
      for (const db of [incremental, stateless]) {
        const runs = db.queries.unfinishedRuns(scope);
        expect(runs.ok && expectedRuns.ok).toBe(true);
        if (runs.ok && expectedRuns.ok) expect(byRunId(runs.value)).toEqual(byRunId(expectedRuns.value));
        assertClose(db.queries.activeAgents(scope), straightforward.activeAgents(scope), 'agents');
        assertClose(db.queries.trackedAndBlocked(scope), straightforward.trackedAndBlocked(scope), 'tracked');
        assertClose(
          db.queries.trackedAndBlocked(scope, 25),
          straightforward.trackedAndBlocked(scope, 25),
          'top',
        );
        assertClose(db.queries.workCounts(scope), straightforward.workCounts(scope), 'counts');
        const snapshot = db.readDashboard(scope, '24h', 50);
        sameFigure(snapshot.overview, straightforward.overview(scope, '24h'), 'snapshot overview');
        sameFigure(snapshot.tracked, straightforward.trackedAndBlocked(scope, 50), 'snapshot tracked');
        sameFigure(snapshot.agents, straightforward.activeAgents(scope, 50), 'snapshot agents');
        sameFigure(snapshot.counts, straightforward.workCounts(scope), 'snapshot counts');
      }
    }
    const tracked = straightforward.trackedAndBlocked({ repo: null, nowMs: pinnedNow });
    expect(tracked.ok && tracked.value.some((row) => row.pending_event_count > 0)).toBe(true);
  });

  it('repositories, outcomes, failed runs, histories and pickers', () => {
    expect(incremental.queries.repositories()).toEqual(straightforward.repositories());
    const scopes: QueryScope[] = [
      { repo: null, nowMs: pinnedNow },
      { repo: repos[1]!, nowMs: pinnedNow },
    ];
    for (const scope of scopes) {
      for (const [limit, offset] of [
        [50, 0],
        [7, 3],
        [500, 0],
      ] as const) {
        assertClose(
          incremental.queries.failedRuns(scope, limit, offset),
          straightforward.failedRuns(scope, limit, offset),
          `failedRuns ${limit}/${offset}`,
        );
      }
      assertClose(
        incremental.queries.terminalOutcomes(scope, 40, 5),
        straightforward.terminalOutcomes(scope, 40, 5),
      );
      assertClose(
        incremental.queries.knownNumbers(scope),
        straightforward.knownNumbers(scope),
        'known numbers',
      );
      const numbers = straightforward.knownNumbers(scope);
      for (const ref of numbers.issues.slice(0, 8)) {
        assertClose(
          incremental.queries.issueHistory(scope, ref.number),
          straightforward.issueHistory(scope, ref.number),
        );
      }
      for (const ref of numbers.prs.slice(0, 8)) {
        assertClose(
          incremental.queries.prHistory(scope, ref.number, 5),
          straightforward.prHistory(scope, ref.number, 5),
        );
        assertClose(
          incremental.queries.prHistory(scope, ref.number),
          straightforward.prHistory(scope, ref.number),
        );
      }
    }
  });
});
