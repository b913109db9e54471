// Before/after of each optimisation of the data layer, one at a time (`npm run bench -- --optimisations`,
// which runs this in a child process per database and driver, on a copy of bench/data/<size>.db).
// Every figure is a median after a warm-up. Where the data layer has no switch for an optimisation,
// the "before" is reproduced here and the way it is reproduced is named next to the figure:
//   - per-repository index ranges: the straightforward queries (bench/straightforward.ts) against the
//     optimised ones without incremental state, figure by figure;
//   - feedback events aggregated once: one statement per tracked PR (pending count and newest event
//     of that PR, as a per-row lookup would read them) against the straightforward two GROUP BYs over
//     every event, the optimised single pass over the tracked PRs' events, and the incremental tracker;
//   - prepared-statement reuse: the same refreshes on a connection whose statement cache is defeated
//     (every SQL text made unique with a comment, so each call prepares again);
//   - the data_version skip: the idle poll (ChangeDetector.check) against refreshing on every poll,
//     with incremental state whose remembered data_version is forgotten before each refresh (so it
//     reads its deltas: nothing), and straightforward;
//   - incremental buckets: the refresh after one run starts or finishes, with and without state;
//   - computing only visible views: one extension tick with every view, the status bar and the
//     metrics panel, against the parts that are skipped while hidden.
import { ChangeDetector } from '../src/data/changes';
import { MergexoDatabase } from '../src/data/database';
import type { Connection, DriverName } from '../src/data/sqlite';
import type { MetricsWindow, QueryScope } from '../src/data/types';
import { MergexoWriter } from '../tools/mergexo-writer.mjs';
import { startsAndFinishes } from './steady';
import { summarize, timeRuns, type Timing } from './timing';
import { StraightforwardQueries, straightforwardRefresh } from './straightforward';

export interface OptimisationRow {
  group: string;
  label: string;
  /** How the figure was obtained, when it is not the data layer as shipped. */
  how?: string;
  timing: Timing;
}

export interface OptimisationResult {
  size: string;
  driver: DriverName;
  rows: OptimisationRow[];
}

/** A connection that prepares every statement again: each SQL text is made unique by a comment. */
function withoutStatementReuse(connection: Connection): Connection {
  let unique = 0;
  return {
    driver: connection.driver,
    path: connection.path,
    prepare: (sql) => connection.prepare(`/* ${(unique += 1)} */ ${sql}`),
    readSnapshot: (fn) => connection.readSnapshot(fn),
    close: () => connection.close(),
  };
}

/** Forgets the data_version the incremental state and the work cache last saw (private fields). */
function forgetDataVersion(db: MergexoDatabase): void {
  const open = (value: unknown) => value as Record<string, unknown>;
  if (db.tracker) open(db.tracker).version = null;
  if (db.feedback) open(db.feedback).version = null;
  open(db).work = undefined;
}

const STATUS_WINDOW: MetricsWindow = '24h';
const PANEL_WINDOW: MetricsWindow = '30d';

export function measureOptimisations(
  size: string,
  path: string,
  driver: DriverName,
  manifest: { now: string; repos: string[] },
  runs: number,
  steadyRuns: number,
): OptimisationResult {
  let clock = Date.parse(manifest.now);
  const scope = (): QueryScope => ({ repo: null, nowMs: clock });
  const rows: OptimisationRow[] = [];
  const add = (group: string, label: string, timing: Timing, how?: string) =>
    rows.push({ group, label, timing, ...(how ? { how } : {}) });

  const reference = MergexoDatabase.open(path, { driver, incremental: false });
  const straightforward = new StraightforwardQueries(reference.connection, reference.schema);
  const stateless = MergexoDatabase.open(path, { driver, incremental: false });

  // ---- 1. per-repository index ranges instead of full scans (no incremental state on either side)
  const perRepository: [
    string,
    (
      q: Pick<
        StraightforwardQueries,
        'repositories' | 'unfinishedRuns' | 'failedRuns' | 'metrics' | 'failures'
      >,
    ) => unknown,
  ][] = [
    ['repositories()', (q) => q.repositories()],
    ['unfinishedRuns()', (q) => q.unfinishedRuns(scope())],
    ['failedRuns(50)', (q) => q.failedRuns(scope(), 50)],
    ['failures(24h)', (q) => q.failures(scope(), '24h')],
    ['metrics(30d)', (q) => q.metrics(scope(), '30d')],
  ];
  for (const [label, run] of perRepository) {
    add(
      'index ranges',
      `${label}: full scan (straightforward)`,
      timeRuns(runs, 1, () => run(straightforward)),
    );
    add(
      'index ranges',
      `${label}: one index range per repository`,
      timeRuns(runs, 1, () => run(stateless.queries)),
    );
  }

  // ---- 2. feedback events: per tracked PR, aggregated once, incremental
  const tracked = reference.connection
    .prepare(
      `SELECT repo_full_name, pr_number FROM pr_feedback_state WHERE status IN ('awaiting_feedback', 'blocked')`,
    )
    .all();
  const perPr = reference.connection.prepare(
    `SELECT SUM(CASE WHEN processed_at IS NULL THEN 1 ELSE 0 END) AS pending, MAX(updated_at) AS at
       FROM feedback_events WHERE repo_full_name = ? AND pr_number = ?`,
  );
  add(
    'feedback events',
    `one statement per tracked PR (${tracked.length} PRs)`,
    timeRuns(Math.min(runs, 3), 1, () =>
      reference.connection.readSnapshot(() => {
        for (const row of tracked) perPr.get(row.repo_full_name!, row.pr_number!);
      }),
    ),
    'ad hoc: SELECT pending, MAX(updated_at) … WHERE repo_full_name = ? AND pr_number = ?, per PR',
  );
  const allEvents = [
    reference.connection.prepare(
      `SELECT repo_full_name, pr_number, COUNT(*) AS pending FROM feedback_events
        WHERE processed_at IS NULL GROUP BY repo_full_name, pr_number`,
    ),
    reference.connection.prepare(
      `SELECT repo_full_name, pr_number, MAX(updated_at) AS at FROM feedback_events
        WHERE 1 = 1 GROUP BY repo_full_name, pr_number`,
    ),
  ];
  add(
    'feedback events',
    'aggregated once over every event (straightforward: two GROUP BYs)',
    timeRuns(runs, 1, () => reference.connection.readSnapshot(() => allEvents.forEach((s) => s.all()))),
    'the two statements of bench/straightforward.ts',
  );
  const listed = stateless.connection.prepare(
    `SELECT repo_full_name, pr_number, MAX(updated_at) AS at,
            SUM(CASE WHEN processed_at IS NULL THEN 1 ELSE 0 END) AS pending
       FROM feedback_events WHERE 1 = 1 AND (repo_full_name, pr_number) IN (SELECT repo_full_name, pr_number FROM pr_feedback_state
                WHERE status IN ('awaiting_feedback', 'blocked')) GROUP BY repo_full_name, pr_number`,
  );
  add(
    'feedback events',
    'aggregated once, tracked PRs only (optimised, no state)',
    timeRuns(runs, 1, () => listed.all()),
    'the statement of MergexoQueries.lastActivity without incremental state',
  );
  add(
    'feedback events',
    'trackedAndBlocked(): straightforward',
    timeRuns(runs, 1, () => straightforward.trackedAndBlocked(scope())),
  );
  add(
    'feedback events',
    'trackedAndBlocked(): optimised, no state',
    timeRuns(runs, 1, () => stateless.queries.trackedAndBlocked(scope())),
  );

  // ---- writes from here on: a writer on this copy, as MergeXO would
  const writer = new MergexoWriter(path, { clock: () => clock, seed: 77 });
  const change = startsAndFinishes(writer, manifest.repos, 700_000, () => (clock += 2000));
  const pr = tracked[0]!;
  let comment = 0;
  const newEvent = () => {
    clock += 2000;
    comment += 1;
    writer.addFeedbackEvent({
      repo: String(pr.repo_full_name),
      pr: Number(pr.pr_number),
      issue: 1,
      commentId: 9_000_000 + comment,
      updatedAt: new Date(clock - 1000).toISOString(),
      at: clock,
    });
  };
  /** Median of `fn` timed after `before` (untimed) each time. */
  const after = (n: number, before: () => void, fn: () => unknown): Timing => {
    const samples: number[] = [];
    for (let index = 0; index < n + 2; index += 1) {
      before();
      const started = performance.now();
      fn();
      if (index >= 2) samples.push(performance.now() - started);
    }
    return summarize(samples);
  };

  const db = MergexoDatabase.open(path, { driver });
  const fullRefresh = (handle: MergexoDatabase) => {
    handle.readDashboard(scope(), STATUS_WINDOW);
    handle.queries.metrics(scope(), PANEL_WINDOW);
  };
  fullRefresh(db);
  const feedback = db.feedback!;
  add(
    'feedback events',
    'incremental tracker, one event added since the last read',
    after(steadyRuns, newEvent, () => feedback.activity()),
  );
  add(
    'feedback events',
    'incremental tracker, nothing changed',
    timeRuns(steadyRuns, 2, () => feedback.activity()),
  );

  // ---- 5. incremental buckets (steady state: one run started or finished before each refresh)
  const sfRefresh = () => straightforwardRefresh(straightforward, scope(), STATUS_WINDOW, PANEL_WINDOW);
  add(
    'incremental state',
    'refresh after one run started/finished: straightforward',
    after(Math.min(runs, 5), change, sfRefresh),
  );
  add(
    'incremental state',
    'refresh after one run started/finished: optimised, no state',
    after(Math.min(runs * 2, 10), change, () => fullRefresh(stateless)),
  );
  add(
    'incremental state',
    'refresh after one run started/finished: optimised, incremental state',
    after(steadyRuns, change, () => fullRefresh(db)),
  );
  // Where the steady refresh goes: the figures over run history, and the tracked list (current work,
  // re-read in full whenever data_version moves: 5,000 tracked PRs in the large database, 50 in the small).
  add(
    'incremental state',
    '  of which run-history figures (live runs, agents, failures, metrics 24h and 30d)',
    after(steadyRuns, change, () =>
      db.connection.readSnapshot(() => {
        const runs = db.queries.unfinishedRuns(scope());
        db.queries.activeAgents(scope(), undefined, runs.ok ? runs.value : []);
        db.queries.failures(scope(), STATUS_WINDOW);
        db.queries.metrics(scope(), STATUS_WINDOW);
        db.queries.metrics(scope(), PANEL_WINDOW);
      }),
    ),
  );
  add(
    'incremental state',
    '  of which the tracked list and work counts (trackedWork)',
    after(steadyRuns, change, () =>
      db.connection.readSnapshot(() => {
        const runs = db.queries.unfinishedRuns(scope());
        db.queries.trackedWork(scope(), runs.ok ? runs.value : []);
      }),
    ),
  );
  add(
    'incremental state',
    'metrics(30d) after one run started/finished: no state',
    after(Math.min(runs * 2, 10), change, () => stateless.queries.metrics(scope(), '30d')),
  );
  add(
    'incremental state',
    'metrics(30d) after one run started/finished: incremental state',
    after(steadyRuns, change, () => db.queries.metrics(scope(), '30d')),
  );

  // ---- 3. prepared-statement reuse
  const noReuse = MergexoDatabase.open(path, { driver, wrap: withoutStatementReuse });
  const noReuseStateless = MergexoDatabase.open(path, {
    driver,
    incremental: false,
    wrap: withoutStatementReuse,
  });
  fullRefresh(noReuse);
  add(
    'statement reuse',
    'refresh after one change, incremental: every statement prepared again',
    after(steadyRuns, change, () => fullRefresh(noReuse)),
    'statement cache defeated: each SQL text made unique with a comment',
  );
  add(
    'statement reuse',
    'refresh after one change, incremental: statements reused',
    after(steadyRuns, change, () => fullRefresh(db)),
  );
  add(
    'statement reuse',
    'idle refresh (nothing changed), incremental: prepared again',
    timeRuns(steadyRuns, 2, () => fullRefresh(noReuse)),
    'statement cache defeated',
  );
  add(
    'statement reuse',
    'idle refresh (nothing changed), incremental: reused',
    timeRuns(steadyRuns, 2, () => fullRefresh(db)),
  );
  add(
    'statement reuse',
    'refresh, no state: every statement prepared again',
    timeRuns(Math.min(runs, 5), 1, () => fullRefresh(noReuseStateless)),
    'statement cache defeated',
  );
  add(
    'statement reuse',
    'refresh, no state: statements reused',
    timeRuns(Math.min(runs, 5), 1, () => fullRefresh(stateless)),
  );
  noReuse.close();
  noReuseStateless.close();

  // ---- 4. the data_version skip (idle: nothing committed since the last poll)
  const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p, { driver }));
  detector.check();
  add(
    'idle poll',
    'poll: ChangeDetector.check() (data_version + stat), nothing changed',
    timeRuns(20_000, 1000, () => detector.check()),
  );
  detector.close();
  add(
    'idle poll',
    'refresh every poll, incremental state, data_version skip on',
    timeRuns(steadyRuns, 2, () => fullRefresh(db)),
  );
  add(
    'idle poll',
    'refresh every poll, incremental state, data_version forgotten',
    timeRuns(steadyRuns, 2, () => {
      forgetDataVersion(db);
      fullRefresh(db);
    }),
    'the remembered data_version of the trackers and the work cache reset before each refresh',
  );
  add('idle poll', 'refresh every poll, straightforward', timeRuns(Math.min(runs, 5), 1, sfRefresh));

  // ---- 6. only visible views (steady state, incremental)
  const outcomesView = () => {
    db.queries.terminalOutcomes(scope(), 51);
    db.queries.failedRuns(scope(), 51);
  };
  const roadmapsView = () => {
    db.queries.roadmapLifecycleCounts(scope());
    db.queries.roadmapBlockerAges(scope(), 200);
  };
  const dashboard = () => {
    db.readDashboard(scope(), STATUS_WINDOW);
    db.queries.roadmapLifecycleCounts(scope());
  };
  add(
    'visible views',
    'every view + status bar + metrics panel (all computed)',
    after(steadyRuns, change, () => {
      dashboard();
      db.queries.metrics(scope(), PANEL_WINDOW);
      outcomesView();
      roadmapsView();
    }),
  );
  add(
    'visible views',
    'status bar + Agents + Tracked only (panel closed, others hidden)',
    after(steadyRuns, change, dashboard),
  );
  add('visible views', '  Recent outcomes view alone', after(steadyRuns, change, outcomesView));
  add('visible views', '  Roadmaps view alone', after(steadyRuns, change, roadmapsView));
  add(
    'visible views',
    '  metrics panel (30d) alone',
    after(steadyRuns, change, () => db.queries.metrics(scope(), PANEL_WINDOW)),
  );
  const sfOutcomes = () => {
    straightforward.terminalOutcomes(scope(), 51);
    straightforward.failedRuns(scope(), 51);
    straightforward.roadmapLifecycleCounts(scope());
    straightforward.roadmapBlockerAges(scope(), 200);
  };
  add(
    'visible views',
    'straightforward: every view + panel',
    after(Math.min(runs, 3), change, () => {
      sfRefresh();
      sfOutcomes();
    }),
  );

  writer.close();
  for (const handle of [reference, stateless, db]) handle.close();
  return { size, driver, rows };
}
