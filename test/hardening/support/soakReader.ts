// The soak's reader: what the extension does on every poll (a change check, and on change one
// snapshot with the dashboard and the metrics), every `periodMs`, for `durationMs`. Each refresh is
// checked for consistency inside its snapshot and against the previous one (the soak's writer only
// appends, so every count only grows). It runs in the test process for one driver and in a child
// process for the other: two SQLite libraries in one process must not share a file.
import { performance } from 'node:perf_hooks';
import { ChangeDetector } from '../../../src/data/changes';
import { MergexoDatabase } from '../../../src/data/database';
import { errorText, type DriverName } from '../../../src/data/sqlite';

export interface SoakReaderOptions {
  file: string;
  driver: DriverName;
  durationMs: number;
  periodMs: number;
}

interface Counts {
  runs: number;
  finished: number;
  unfinished: number;
  transitions: number;
  feedback: number;
}

export interface SoakReaderStats {
  driver: DriverName;
  checks: number;
  refreshes: number;
  /** Everything the user would have been shown as a failure: check errors and failed reads. */
  errors: string[];
  /** Broken invariants, inside a snapshot or between two. */
  inconsistencies: string[];
  refreshMs: number[];
  checkMs: number[];
  last: Counts | null;
}

const COUNTS_SQL = `SELECT
  (SELECT count(*) FROM agent_run_history) AS runs,
  (SELECT count(*) FROM agent_run_history WHERE finished_at IS NOT NULL) AS finished,
  (SELECT count(*) FROM agent_run_history WHERE finished_at IS NULL) AS unfinished,
  (SELECT count(*) FROM pr_status_history) AS transitions,
  (SELECT count(*) FROM feedback_events) AS feedback`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function soakRead(options: SoakReaderOptions): Promise<SoakReaderStats> {
  const stats: SoakReaderStats = {
    driver: options.driver,
    checks: 0,
    refreshes: 0,
    errors: [],
    inconsistencies: [],
    refreshMs: [],
    checkMs: [],
    last: null,
  };
  const detector = new ChangeDetector(options.file, (path) =>
    MergexoDatabase.open(path, { driver: options.driver }),
  );
  const started = performance.now();
  let next = started;
  while (performance.now() - started < options.durationMs) {
    const check = detector.check();
    stats.checks++;
    stats.checkMs.push(check.durationMs);
    if (check.kind === 'error' || check.kind === 'missing') stats.errors.push(`check: ${check.error}`);
    const db = detector.database;
    if (db && (check.kind === 'changed' || check.kind === 'reopened')) {
      const began = performance.now();
      try {
        refresh(db, stats);
      } catch (error) {
        stats.errors.push(`read: ${errorText(error)}`);
      }
      stats.refreshMs.push(performance.now() - began);
      stats.refreshes++;
    }
    next += options.periodMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  detector.close();
  return stats;
}

function refresh(db: MergexoDatabase, stats: SoakReaderStats): void {
  const nowMs = Date.now();
  const scope = { repo: null, nowMs };
  const seen = db.connection.readSnapshot(() => {
    const dashboard = db.readDashboard(scope, '24h');
    const metrics = db.queries.metrics(scope, '24h');
    const scratch = db.queries.metricsFromScratch(scope, '24h');
    const row = db.connection.prepare(COUNTS_SQL).get()!;
    const counts: Counts = {
      runs: Number(row.runs),
      finished: Number(row.finished),
      unfinished: Number(row.unfinished),
      transitions: Number(row.transitions),
      feedback: Number(row.feedback),
    };
    const problems: string[] = [];
    // Inside one snapshot: every live run of the soak has an active agent; finished ones do not.
    if (counts.runs !== counts.finished + counts.unfinished) problems.push('runs != finished + unfinished');
    if (dashboard.totalAgents !== counts.unfinished) {
      problems.push(`active agents ${dashboard.totalAgents} != unfinished runs ${counts.unfinished}`);
    }
    if (!metrics.ok || !dashboard.overview.ok) {
      problems.push('a figure is unavailable');
    } else {
      // The incremental aggregates agree with a from-scratch read of the same snapshot, and every
      // finished run (all inside the window) is in the sample.
      const fast = metrics.value.overall;
      if (fast.terminal_count !== scratch.overall.terminal_count) problems.push('incremental terminal count');
      if (fast.failed_count !== scratch.overall.failed_count) problems.push('incremental failed count');
      if (Math.abs(fast.mean_runtime_seconds - scratch.overall.mean_runtime_seconds) > 1e-6) {
        problems.push('incremental mean runtime');
      }
      if (fast.terminal_count !== counts.finished) {
        problems.push(`terminal ${fast.terminal_count} != finished ${counts.finished}`);
      }
      if (dashboard.overview.value.active_agents !== counts.unfinished) problems.push('overview active');
    }
    return { counts, problems };
  });
  stats.inconsistencies.push(...seen.problems);
  const last = stats.last;
  if (last) {
    for (const key of ['runs', 'finished', 'transitions', 'feedback'] as const) {
      if (seen.counts[key] < last[key]) {
        stats.inconsistencies.push(`${key} went back from ${last[key]} to ${seen.counts[key]}`);
      }
    }
  }
  stats.last = seen.counts;
}
