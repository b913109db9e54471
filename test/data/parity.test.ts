// Parity: every figure the data layer computes equals what MergeXO's own dashboard returned for the
// same database at the same pinned clock, on both SQLite drivers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergexoDatabase } from '../../src/data/database';
import type { DriverName } from '../../src/data/sqlite';
import { parseTimestamp } from '../../src/data/timestamps';
import { WINDOWS, type Figure, type QueryScope } from '../../src/data/types';
import {
  assertClose,
  expectedFiles,
  fixturePath,
  isErrorSection,
  type ExpectedFile,
} from '../support/fixtures';

const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];

/**
 * Where MergeXO's query raised (old files), we must not copy the crash: either the figure is
 * unavailable with a gap naming the missing table, or it is computed and a note names the table.
 */
function expectSameOrExplained(figure: Figure<unknown>, expected: unknown, label: string) {
  if (isErrorSection(expected)) {
    const missing = /no such (?:table|column): (\S+)/.exec(expected.error.message)?.[1] ?? '';
    const table = missing.split('.')[0]!;
    if (figure.ok) {
      expect(
        figure.notes.map((note) => note.table),
        label,
      ).toContain(table);
    } else {
      expect(figure.gap.table, label).toBe(table);
      expect(figure.gap.message, label).toContain(table);
    }
    return;
  }
  if (!figure.ok) throw new Error(`${label}: unavailable (${figure.gap.message}) but MergeXO computed it`);
  assertClose(stripLiveness(figure.value), expected, label);
}

function stripLiveness(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((item) => {
    if (item && typeof item === 'object' && 'liveness' in item) {
      const { liveness: _liveness, ...rest } = item as Record<string, unknown>;
      return rest;
    }
    return item;
  });
}

describe.each(DRIVERS)('parity with MergeXO on %s', (driver) => {
  describe.each(expectedFiles().map((file) => [file.name, file] as [string, ExpectedFile]))(
    '%s',
    (_name, file) => {
      const { meta } = file.data;
      const scope: QueryScope = { repo: meta.repo_filter, nowMs: parseTimestamp(meta.now)! };
      let db: MergexoDatabase;
      beforeAll(() => {
        db = MergexoDatabase.open(fixturePath(meta.db), { driver });
      });
      afterAll(() => db?.close());

      it('uses the requested driver', () => {
        expect(db.driver).toBe(driver);
      });

      it.each(WINDOWS)('overview and metrics for %s', (window) => {
        const overview = file.data.overview as Record<string, unknown>;
        const metrics = file.data.metrics as Record<string, unknown>;
        expectSameOrExplained(db.queries.overview(scope, window), overview[window], `overview[${window}]`);
        expectSameOrExplained(db.queries.metrics(scope, window), metrics[window], `metrics[${window}]`);
        const snapshot = db.readDashboard(scope, window);
        expectSameOrExplained(snapshot.overview, overview[window], `snapshot overview[${window}]`);
      });

      it('active agents', () => {
        expectSameOrExplained(db.queries.activeAgents(scope), file.data.active_agents, 'active_agents');
      });

      it('tracked and blocked, full and as the TUI limits it', () => {
        expectSameOrExplained(db.queries.trackedAndBlocked(scope), file.data.tracked_and_blocked, 'tracked');
        expectSameOrExplained(
          db.queries.trackedAndBlocked(scope, 200),
          file.data.tracked_and_blocked_tui,
          'tracked_tui',
        );
      });

      it('terminal outcomes', () => {
        expectSameOrExplained(
          db.queries.terminalOutcomes(scope, meta.terminal_limit, 0),
          file.data.terminal_outcomes,
          'terminal_outcomes',
        );
      });

      it('issue and PR histories for every number', () => {
        const issues = file.data.issue_history as Record<string, unknown>;
        const prs = file.data.pr_history as Record<string, unknown>;
        expect(Object.keys(issues).length).toBeGreaterThan(0);
        for (const [number, expected] of Object.entries(issues)) {
          const figure = db.queries.issueHistory(scope, Number(number), meta.history_limit);
          expectSameOrExplained(figure, expected, `issue_history[${number}]`);
        }
        for (const [number, expected] of Object.entries(prs)) {
          const figure = db.queries.prHistory(scope, Number(number), meta.history_limit);
          expectSameOrExplained(figure, expected, `pr_history[${number}]`);
        }
      });

      it('roadmaps', () => {
        expectSameOrExplained(
          db.queries.roadmapLifecycleCounts(scope),
          file.data.roadmap_lifecycle_counts,
          'roadmap_lifecycle_counts',
        );
        expectSameOrExplained(
          db.queries.roadmapBlockerAges(scope, 50),
          file.data.roadmap_blocker_ages,
          'roadmap_blocker_ages',
        );
      });
    },
  );
});
