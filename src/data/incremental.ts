// Incremental aggregates over agent_run_history: the metrics of every window and the overview's
// failure count, kept up to date by reading only what changed since the last refresh.
//
// Why this is exact: MergeXO updates only unfinished runs; a finished row never changes afterwards,
// and finished rows leave only by retention (`DELETE … WHERE finished_at < cutoff`). So, per
// repository, we keep totals in one bucket per hour of `finished_at` *text* (its first 13 characters,
// `YYYY-MM-DDTHH`), and a refresh reads:
//   - rows inserted since the last refresh (rowid above the highest one seen),
//   - rows that were unfinished last time and no longer are (looked up by rowid),
//   - one index count per repository on the oldest bucket held, which tells whether retention took
//     rows we hold (then the buckets it reached are re-read, oldest first, until one is intact).
// A window's figure is the sum of the buckets after the cutoff's hour plus the rows of the cutoff's own
// hour whose text is >= the cutoff text (kept row by row for that one bucket). Text comparison stays
// MergeXO's exactly, so mixed formats (`…00Z`, `…00.000Z`, `…00.000000Z`) sort as MergeXO sorts them.
// Anything the checks cannot explain (the newest row replaced, more rows than expected) rebuilds the
// state from scratch, as does opening the file again. The same state answers the newest failed runs
// (a sorted list per repository, read on first use) when the horizon holds enough of them.
//
// FeedbackTracker does the same for feedback_events (pending count and newest event per PR): events
// are inserted once and only their processed_at is set later, so a refresh reads new rows by rowid
// and re-checks the rows still pending.
import { parseMeta, type RunMeta } from './meta';
import type { SchemaInfo } from './schema';
import type { Connection, SqlRow, SqlValue } from './sqlite';
import { parseTimestamp, windowCutoffText } from './timestamps';
import type { Metrics, MetricsRow, MetricsWindow, QueryScope } from './types';

export const METRIC_RUN_KINDS = ['issue_flow', 'implementation_flow', 'pre_pr_followup'] as const;
export const METRIC_TERMINAL_STATUSES = ['completed', 'failed', 'blocked', 'interrupted'] as const;
export const ALL_REPOSITORIES = '__all__';

export const RUN_COLUMNS =
  'run_id, repo_full_name, run_kind, issue_number, pr_number, flow, branch, started_at, finished_at, ' +
  'terminal_status, failure_class, error, duration_seconds';

/** Characters of finished_at that name a bucket: one hour of ISO text. */
const BUCKET_CHARS = 13;
/** Bucket of rows whose finished_at is a blob: SQLite orders blobs after all text (every window). */
const ALWAYS = '\uffff';
/** The widest window a figure asks for; older buckets are dropped as time moves on. */
const WIDEST_WINDOW: MetricsWindow = '30d';

/** Bucket totals over rows shaped by CONTRIBUTION_COLUMNS. */
const AGGREGATE_COLUMNS = `bucket, COUNT(*) AS rows, SUM(metric) AS terminal,
  SUM(CASE WHEN metric = 1 AND failed_any = 1 THEN 1 ELSE 0 END) AS failed,
  SUM(failed_any) AS failed_any,
  SUM(CASE WHEN metric = 1 THEN d END) AS duration_sum,
  SUM(CASE WHEN metric = 1 THEN d * d END) AS duration_square_sum,
  COUNT(CASE WHEN metric = 1 THEN d END) AS duration_count`;

const METRIC_SQL =
  `(run_kind IN (${sqlList(METRIC_RUN_KINDS)}) ` +
  `AND terminal_status IN (${sqlList(METRIC_TERMINAL_STATUSES)}))`;

/** Rows that count toward anything kept here: the metric sample, or a failure of any kind. */
const CONTRIBUTES_SQL = `(${METRIC_SQL} OR terminal_status = 'failed')`;

/** The per-row inputs of a bucket, computed by SQLite so types convert as its SUM and COUNT do. */
const CONTRIBUTION_COLUMNS =
  `CASE typeof(finished_at) WHEN 'text' THEN substr(finished_at, 1, ${BUCKET_CHARS}) ` +
  `WHEN 'blob' THEN '${ALWAYS}' END AS bucket, ` +
  `CASE WHEN ${METRIC_SQL} THEN 1 ELSE 0 END AS metric, ` +
  `CASE WHEN terminal_status = 'failed' THEN 1 ELSE 0 END AS failed_any, ` +
  `duration_seconds * 1.0 AS d`;

/** Sums of the metric sample and the failure count over a set of finished rows. */
export interface RunningTotals {
  terminal: number;
  failed: number;
  durationSum: number;
  durationSquareSum: number;
  durationCount: number;
}

export function emptyTotals(): RunningTotals {
  return { terminal: 0, failed: 0, durationSum: 0, durationSquareSum: 0, durationCount: 0 };
}

/** Mean and population standard deviation `sqrt(max(0, mean(x²) − mean(x)²))`, 0 under 2 samples. */
export function metricsRow(repo: string, totals: RunningTotals): MetricsRow {
  const mean = totals.durationCount > 0 ? totals.durationSum / totals.durationCount : 0;
  const meanSquare = totals.durationCount > 0 ? totals.durationSquareSum / totals.durationCount : 0;
  const stddev = totals.terminal >= 2 ? Math.sqrt(Math.max(0, meanSquare - mean * mean)) : 0;
  return {
    repo_full_name: repo,
    terminal_count: totals.terminal,
    failed_count: totals.failed,
    failure_rate: totals.terminal > 0 ? totals.failed / totals.terminal : 0,
    mean_runtime_seconds: mean,
    stddev_runtime_seconds: stddev,
  };
}

/** A live run with its parsed meta; the raw material of active agents and stall detection. */
export interface UnfinishedRun {
  row: SqlRow;
  meta: RunMeta | null;
}

/** A float sum with Neumaier's compensation, so adding and merging buckets loses no precision. */
class Sum {
  value = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.value + x;
    this.compensation += Math.abs(this.value) >= Math.abs(x) ? this.value - t + x : x - t + this.value;
    this.value = t;
  }

  total(): number {
    return this.value + this.compensation;
  }
}

class Bucket {
  /** Contributing rows in this hour (metric sample or failed): what the retention check counts. */
  rows = 0;
  /** Rows added by the refresh in progress (an equal count proves nothing about older rows). */
  added = 0;
  terminal = 0;
  failed = 0;
  failedAny = 0;
  durationCount = 0;
  readonly durationSum = new Sum();
  readonly durationSquareSum = new Sum();

  add(row: Contribution): void {
    this.rows += 1;
    if (row.failedAny) this.failedAny += 1;
    if (!row.metric) return;
    this.terminal += 1;
    if (row.failedAny) this.failed += 1;
    if (row.d !== null) {
      this.durationCount += 1;
      this.durationSum.add(row.d);
      this.durationSquareSum.add(row.d * row.d);
    }
  }
}

/** One finished row as far as the aggregates care. */
interface Contribution {
  finishedAt: string;
  metric: boolean;
  failedAny: boolean;
  d: number | null;
}

interface RepoState {
  buckets: Map<string, Bucket>;
  /** Moves on every change to the buckets; window sums cached for an older value are stale. */
  revision: number;
  /** Sums of the buckets after a window's cutoff bucket, per window. */
  sums: Map<MetricsWindow, { boundary: string; revision: number; totals: WindowTotals }>;
  /** Bucket keys in ascending text order; `null` after a key was added or removed. */
  sorted: string[] | null;
  /** Row-level detail of the buckets that currently hold a window's cutoff. */
  details: Map<string, Contribution[]>;
  /**
   * Failed runs held (newest first), read on the first `failedRuns` call; `unusable` when a value is
   * not text (SQLite's order of blobs and numbers is not worth imitating: the query answers then).
   */
  failed: FailedEntry[] | null | 'unusable';
}

/** A failed run in the horizon, in the order of `ORDER BY finished_at DESC, run_id DESC`. */
interface FailedEntry {
  at: string;
  runId: string;
  rowid: number;
  bucket: string;
}

function compareFailed(a: FailedEntry, b: FailedEntry): number {
  return compareText(b.at, a.at) || compareText(b.runId, a.runId);
}

/** Window totals: the metric sample plus the failure count of the overview. */
export interface WindowTotals extends RunningTotals {
  failedAny: number;
}

/** Share of a repository's history the build window must exceed before one table scan beats index seeks. */
const SCAN_SHARE = 0.25;

function emptyWindowTotals(): WindowTotals {
  return { ...emptyTotals(), failedAny: 0 };
}

/**
 * How the first read gathers buckets: one sequential table scan, one index range per repository,
 * or whichever the share of history in the window suggests (the benchmark compares the two).
 */
export type BuildPlan = 'auto' | 'scan' | 'index';

export interface RunTrackerStats {
  /** Times the state was computed from scratch, and why the last time. */
  builds: number;
  lastBuildReason: string;
  /** Refreshes that found the database changed and read the difference. */
  deltaSyncs: number;
  /** Rows read by those refreshes (new, finished, re-counted), in total. */
  rowsRead: number;
  repositories: number;
  buckets: number;
  detailRows: number;
  unfinished: number;
  /** A rough size of the state in bytes (buckets, detail rows, live runs). */
  approxBytes: number;
}

/**
 * Keeps per-repository hourly buckets of finished runs and the set of live runs in step with the
 * database. Every method that reads runs inside the connection's snapshot and first brings the state
 * to that snapshot, so figures and state never disagree.
 */
export class RunTracker {
  private readonly repos = new Map<string, RepoState>();
  private unfinishedRuns = new Map<number, UnfinishedRun>();
  private readonly metaCache = new Map<number, { text: SqlValue; meta: RunMeta | null }>();
  private built = false;
  private version: number | null = null;
  private maxRowid = 0;
  private sentinel: string | null = null;
  private horizon = '';
  private lastNowMs = 0;
  /** Cutoff bucket last used by each window, so row detail of other buckets can be let go. */
  private readonly boundaries = new Map<MetricsWindow, string>();
  private readonly counters = { builds: 0, lastBuildReason: '', deltaSyncs: 0, rowsRead: 0 };

  private constructor(
    private readonly connection: Connection,
    private readonly buildPlan: BuildPlan,
  ) {}

  /** `undefined` when the file lacks run history, or its table has no rowid to follow changes by. */
  static create(
    connection: Connection,
    schema: SchemaInfo,
    options: { buildPlan?: BuildPlan } = {},
  ): RunTracker | undefined {
    const columns = ['run_id', 'repo_full_name', 'run_kind', 'finished_at', 'terminal_status'];
    if (!columns.every((column) => schema.hasColumn('agent_run_history', column))) return undefined;
    if (!schema.hasColumn('agent_run_history', 'duration_seconds')) return undefined;
    try {
      connection.prepare('SELECT rowid FROM agent_run_history WHERE rowid = ?');
    } catch {
      return undefined; // a WITHOUT ROWID table: the caller falls back to plain queries
    }
    return new RunTracker(connection, options.buildPlan ?? 'auto');
  }

  /** Live runs of the repository (or all), as of the last sync. */
  unfinished(repo: string | null): UnfinishedRun[] {
    const runs = [...this.unfinishedRuns.values()];
    return repo === null ? runs : runs.filter((run) => run.row.repo_full_name === repo);
  }

  /** Repositories that have run history, as of the last sync, sorted. */
  repositories(): string[] {
    return [...this.repos.keys()].sort(compareText);
  }

  /** Metrics of a window, overall and per repository, exactly as MergeXO's query computes them. */
  metrics(scope: QueryScope, window: MetricsWindow): Metrics {
    return this.connection.readSnapshot(() => {
      this.sync(scope.nowMs, window);
      const perRepo: MetricsRow[] = [];
      const overall = emptyTotals();
      for (const repo of this.scopeRepos(scope)) {
        const totals = this.windowTotals(repo, scope.nowMs, window);
        if (totals.terminal === 0) continue;
        perRepo.push(metricsRow(repo, totals));
        overall.terminal += totals.terminal;
        overall.failed += totals.failed;
        overall.durationSum += totals.durationSum;
        overall.durationSquareSum += totals.durationSquareSum;
        overall.durationCount += totals.durationCount;
      }
      return { overall: metricsRow(scope.repo ?? ALL_REPOSITORIES, overall), per_repo: perRepo };
    });
  }

  /** Runs of any kind that failed and finished inside the window (the overview's "failures"). */
  failures(scope: QueryScope, window: MetricsWindow): number {
    return this.connection.readSnapshot(() => {
      this.sync(scope.nowMs, window);
      let count = 0;
      for (const repo of this.scopeRepos(scope))
        count += this.windowTotals(repo, scope.nowMs, window).failedAny;
      return count;
    });
  }

  /**
   * The newest failed runs (`ORDER BY finished_at DESC, run_id DESC`, then `offset`, `limit`) when the
   * horizon holds enough of them to be sure: every run held finished after every run not held. Returns
   * `undefined` when it cannot answer exactly (the caller queries the database then).
   */
  failedRuns(scope: QueryScope, limit: number, offset: number): SqlRow[] | undefined {
    return this.connection.readSnapshot(() => {
      this.sync(scope.nowMs);
      const wanted = limit + offset;
      const lists: FailedEntry[][] = [];
      let held = 0;
      for (const repo of this.scopeRepos(scope)) {
        const state = this.repos.get(repo)!;
        if (state.failed === null) {
          state.failed = [];
          this.loadFailed(state, repo, 'finished_at >= ?', [this.horizon]);
        }
        if (state.failed === 'unusable') return undefined;
        lists.push(state.failed.slice(0, wanted));
        held += state.failed.length;
      }
      if (held < wanted) return undefined;
      const chosen = lists.flat().sort(compareFailed).slice(offset, wanted);
      const statement = this.connection.prepare(
        `SELECT ${RUN_COLUMNS} FROM agent_run_history WHERE rowid = ?`,
      );
      const rows: SqlRow[] = [];
      for (const entry of chosen) {
        const row = statement.get(entry.rowid);
        if (!row) return undefined;
        rows.push(row);
      }
      return rows;
    });
  }

  /** Live runs as of the current snapshot (brings the state up to date first). */
  readUnfinished(scope: QueryScope): UnfinishedRun[] {
    return this.connection.readSnapshot(() => {
      this.sync(scope.nowMs);
      return this.unfinished(scope.repo);
    });
  }

  stats(): RunTrackerStats {
    let buckets = 0;
    let detailRows = 0;
    for (const state of this.repos.values()) {
      buckets += state.buckets.size;
      for (const rows of state.details.values()) detailRows += rows.length;
    }
    let metaBytes = 0;
    for (const run of this.unfinishedRuns.values()) {
      const text = run.row.meta_json;
      metaBytes += 600 + (typeof text === 'string' ? text.length * 4 : 0);
    }
    return {
      ...this.counters,
      repositories: this.repos.size,
      buckets,
      detailRows,
      unfinished: this.unfinishedRuns.size,
      approxBytes: buckets * 240 + detailRows * 96 + metaBytes,
    };
  }

  /** Forgets everything; the next read computes from scratch. */
  reset(reason = 'reset'): void {
    this.built = false;
    this.counters.lastBuildReason = reason;
  }

  /**
   * Brings the state to the connection's current snapshot: nothing when `PRAGMA data_version` did not
   * move, the difference when it did, everything when the difference cannot be trusted. Call inside
   * `readSnapshot`. `window` widens the horizon when a caller asks further back than it reaches.
   */
  sync(nowMs: number, window: MetricsWindow = WIDEST_WINDOW): void {
    const version = Number(this.connection.prepare('PRAGMA data_version').get()?.data_version ?? 0);
    const needed = bucketOf(windowCutoffText(nowMs, window));
    const widest = bucketOf(windowCutoffText(nowMs, WIDEST_WINDOW));
    const wanted = needed < widest ? needed : widest;
    if (!this.built) {
      this.build(wanted, this.counters.lastBuildReason || 'first read', nowMs);
    } else if (wanted < this.horizon) {
      this.build(wanted, 'a window reaches before the buckets held', nowMs);
    } else if (version !== this.version) {
      this.applyChanges();
    }
    this.version = version;
    if (this.horizon < wanted) this.dropBefore(wanted);
  }

  // ---- building and following changes --------------------------------------------------------------

  private build(horizon: string, reason: string, nowMs = this.lastNowMs): void {
    this.lastNowMs = nowMs;
    this.counters.builds += 1;
    this.counters.lastBuildReason = reason;
    this.repos.clear();
    this.boundaries.clear();
    this.unfinishedRuns = new Map();
    this.horizon = horizon;
    const last = this.connection
      .prepare('SELECT rowid AS rid, run_id FROM agent_run_history ORDER BY rowid DESC LIMIT 1')
      .get();
    this.maxRowid = last ? Number(last.rid) : 0;
    this.sentinel = last ? text(last.run_id) : null;
    const repos = distinctRepositories(this.connection, 'agent_run_history');
    for (const repo of repos) this.repoState(repo);
    const scan =
      this.buildPlan === 'auto' ? this.windowIsLargeShare(repos, horizon, nowMs) : this.buildPlan === 'scan';
    if (scan) {
      // One sequential pass over the table: cheaper than a random row lookup per index entry when
      // the window holds a large share of the rows.
      const rows = this.connection
        .prepare(
          `SELECT repo_full_name AS repo, ${AGGREGATE_COLUMNS}
             FROM (SELECT repo_full_name, ${CONTRIBUTION_COLUMNS} FROM agent_run_history NOT INDEXED
                    WHERE finished_at >= ? AND ${CONTRIBUTES_SQL})
            WHERE bucket IS NOT NULL GROUP BY repo_full_name, bucket`,
        )
        .all(horizon);
      for (const row of rows) {
        this.repoState(text(row.repo)).buckets.set(row.bucket as string, bucketFromAggregate(row));
      }
    } else {
      for (const repo of repos) {
        const state = this.repoState(repo);
        for (const row of this.aggregate(repo, horizon, null)) {
          state.buckets.set(row.bucket as string, bucketFromAggregate(row));
        }
      }
    }
    for (const state of this.repos.values()) state.sorted = null;
    this.loadUnfinished();
    this.built = true;
  }

  /**
   * Whether the horizon covers a large share of the history, judged by time span (oldest finished_at
   * of each repository, one index seek each). Only chooses a plan; both plans give the same result.
   */
  private windowIsLargeShare(repos: string[], horizon: string, nowMs: number): boolean {
    const oldest = this.connection.prepare(
      `SELECT MIN(finished_at) AS oldest FROM agent_run_history WHERE repo_full_name = ?`,
    );
    const horizonMs = parseTimestamp(`${horizon}:00:00Z`);
    let earliest = Infinity;
    for (const repo of repos) {
      const value = oldest.get(repo)?.oldest;
      const ms = typeof value === 'string' ? parseTimestamp(value) : null;
      if (ms !== null && ms < earliest) earliest = ms;
    }
    if (horizonMs === null || !Number.isFinite(earliest) || earliest >= horizonMs) return true;
    const latest = Math.max(nowMs, horizonMs);
    return (latest - horizonMs) / (latest - earliest) > SCAN_SHARE;
  }

  /** Reads the difference since the last sync; falls back to a build when it cannot be trusted. */
  private applyChanges(): void {
    this.counters.deltaSyncs += 1;
    if (this.sentinel !== null) {
      const row = this.connection
        .prepare('SELECT run_id FROM agent_run_history WHERE rowid = ?')
        .get(this.maxRowid);
      if (!row || text(row.run_id) !== this.sentinel) {
        this.build(this.horizon, 'the newest run row was deleted or replaced');
        return;
      }
    }
    const touched = new Set<Bucket>();
    const inserted = this.connection
      .prepare(
        `SELECT rowid AS rid, run_id, repo_full_name, finished_at, ${CONTRIBUTION_COLUMNS}
           FROM agent_run_history WHERE rowid > ? ORDER BY rowid`,
      )
      .all(this.maxRowid);
    this.counters.rowsRead += inserted.length;
    for (const row of inserted) {
      this.repoState(text(row.repo_full_name));
      if (row.finished_at != null) this.addFinished(row, touched);
      this.maxRowid = Number(row.rid);
      this.sentinel = text(row.run_id);
    }
    const previous = this.unfinishedRuns;
    this.loadUnfinished();
    const byRowid = this.connection.prepare(
      `SELECT rowid AS rid, run_id, repo_full_name, finished_at, ${CONTRIBUTION_COLUMNS}
         FROM agent_run_history WHERE rowid = ?`,
    );
    for (const rowid of previous.keys()) {
      if (this.unfinishedRuns.has(rowid)) continue;
      const row = byRowid.get(rowid);
      this.counters.rowsRead += 1;
      if (row && row.finished_at != null) this.addFinished(row, touched);
      // A live row that vanished (deleted while running) was never counted: nothing to take back.
    }
    this.checkRetention();
    for (const bucket of touched) bucket.added = 0;
  }

  /**
   * Retention removes the oldest finished rows of a repository. If it reached rows we hold, the oldest
   * bucket we hold has fewer rows than we count: re-read buckets oldest first until one is intact.
   */
  private checkRetention(): void {
    for (const [repo, state] of this.repos) {
      for (const key of this.sortedKeys(state)) {
        if (key === ALWAYS) break;
        const bucket = state.buckets.get(key)!;
        const actual = this.countBucket(repo, key);
        if (actual > bucket.rows) {
          this.build(this.horizon, `more finished runs in ${repo} ${key} than were read`);
          return;
        }
        if (actual === bucket.rows) {
          if (bucket.rows > bucket.added) break; // it holds older rows and lost none: the rest is intact
          continue;
        }
        this.recount(repo, state, key);
      }
    }
  }

  private countBucket(repo: string, key: string): number {
    const range = bucketRange(key);
    const row = this.connection
      .prepare(
        `SELECT COUNT(*) AS n FROM agent_run_history
          WHERE repo_full_name = ? AND finished_at >= ? AND finished_at < ? AND ${CONTRIBUTES_SQL}`,
      )
      .get(repo, range.from, range.to);
    return Number(row?.n ?? 0);
  }

  /** Replaces one bucket by what the database holds now. */
  private recount(repo: string, state: RepoState, key: string): void {
    state.buckets.delete(key);
    state.details.delete(key);
    state.sorted = null;
    state.revision += 1;
    const [row] = this.aggregate(repo, key, key);
    this.counters.rowsRead += 1;
    if (row && Number(row.rows) > 0) state.buckets.set(key, bucketFromAggregate(row));
    if (Array.isArray(state.failed)) {
      state.failed = state.failed.filter((entry) => entry.bucket !== key);
      const range = bucketRange(key);
      this.loadFailed(state, repo, 'finished_at >= ? AND finished_at < ?', [range.from, range.to]);
    }
  }

  /** Adds the failed runs of a repository matching `where` to its sorted list. */
  private loadFailed(state: RepoState, repo: string, where: string, params: SqlValue[]): void {
    const rows = this.connection
      .prepare(
        `SELECT rowid AS rid, run_id, finished_at, ${CONTRIBUTION_COLUMNS} FROM agent_run_history
          WHERE repo_full_name = ? AND terminal_status = 'failed' AND ${where}`,
      )
      .all(repo, ...params);
    this.counters.rowsRead += rows.length;
    for (const row of rows) this.addFailed(state, row);
  }

  private addFailed(state: RepoState, row: SqlRow): void {
    if (!Array.isArray(state.failed) || typeof row.bucket !== 'string') return;
    if (typeof row.finished_at !== 'string' || typeof row.run_id !== 'string') {
      state.failed = 'unusable';
      return;
    }
    const entry = { at: row.finished_at, runId: row.run_id, rowid: Number(row.rid), bucket: row.bucket };
    const list = state.failed;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareFailed(list[middle]!, entry) <= 0) low = middle + 1;
      else high = middle;
    }
    list.splice(low, 0, entry);
  }

  /** Buckets of one repository from `from` on (or exactly one bucket when `only` is given). */
  private aggregate(repo: string, from: string, only: string | null): SqlRow[] {
    const where = only === null ? 'finished_at >= ?' : `finished_at >= ? AND finished_at < ?`;
    const params: SqlValue[] =
      only === null ? [repo, from] : [repo, bucketRange(only).from, bucketRange(only).to];
    return this.connection
      .prepare(
        `SELECT ${AGGREGATE_COLUMNS}
           FROM (SELECT ${CONTRIBUTION_COLUMNS} FROM agent_run_history
                  WHERE repo_full_name = ? AND ${where} AND ${CONTRIBUTES_SQL})
          WHERE bucket IS NOT NULL
          GROUP BY bucket`,
      )
      .all(...params);
  }

  /** Reads the live runs of every known repository through the (repository, finished_at) index. */
  private loadUnfinished(): void {
    const statement = this.connection.prepare(
      `SELECT rowid AS rid, ${RUN_COLUMNS}, meta_json FROM agent_run_history
        WHERE repo_full_name = ? AND finished_at IS NULL`,
    );
    const next = new Map<number, UnfinishedRun>();
    for (const repo of this.repos.keys()) {
      for (const row of statement.all(repo)) {
        const rowid = Number(row.rid);
        delete row.rid;
        next.set(rowid, { row, meta: this.parseMetaCached(rowid, row.meta_json) });
      }
    }
    for (const rowid of this.metaCache.keys()) if (!next.has(rowid)) this.metaCache.delete(rowid);
    this.unfinishedRuns = next;
  }

  private parseMetaCached(rowid: number, metaJson: SqlValue | undefined): RunMeta | null {
    const cached = this.metaCache.get(rowid);
    if (cached && cached.text === metaJson) return cached.meta;
    const meta = parseMeta(metaJson);
    this.metaCache.set(rowid, { text: metaJson ?? null, meta });
    return meta;
  }

  private addFinished(row: SqlRow, touched: Set<Bucket>): void {
    const key = row.bucket;
    if (typeof key !== 'string') return; // a number: SQLite orders it before any cutoff text
    if (key !== ALWAYS && key < this.horizon) return;
    const contribution = toContribution(row);
    if (!contribution.metric && !contribution.failedAny) return;
    const state = this.repoState(text(row.repo_full_name));
    let bucket = state.buckets.get(key);
    if (!bucket) {
      bucket = new Bucket();
      state.buckets.set(key, bucket);
      state.sorted = null;
    }
    state.revision += 1;
    bucket.add(contribution);
    bucket.added += 1;
    touched.add(bucket);
    state.details.get(key)?.push(contribution);
    if (contribution.failedAny) this.addFailed(state, row);
  }

  private repoState(repo: string): RepoState {
    let state = this.repos.get(repo);
    if (!state) {
      state = {
        buckets: new Map(),
        revision: 0,
        sums: new Map(),
        sorted: [],
        details: new Map(),
        failed: null,
      };
      this.repos.set(repo, state);
    }
    return state;
  }

  private sortedKeys(state: RepoState): string[] {
    if (!state.sorted) state.sorted = [...state.buckets.keys()].sort(compareText);
    return state.sorted;
  }

  /** Lets buckets that no window can reach any more go (time moved on). */
  private dropBefore(horizon: string): void {
    this.horizon = horizon;
    for (const state of this.repos.values()) {
      const keys = this.sortedKeys(state);
      let index = 0;
      while (index < keys.length && keys[index]! < horizon) {
        state.buckets.delete(keys[index]!);
        state.details.delete(keys[index]!);
        index += 1;
      }
      if (index > 0) {
        state.sorted = keys.slice(index);
        state.revision += 1;
      }
      if (Array.isArray(state.failed)) {
        let keep = state.failed.length;
        while (keep > 0 && state.failed[keep - 1]!.bucket < horizon) keep -= 1;
        state.failed.length = keep;
      }
    }
  }

  // ---- reading a window ------------------------------------------------------------------------------

  private scopeRepos(scope: QueryScope): string[] {
    if (scope.repo !== null) return this.repos.has(scope.repo) ? [scope.repo] : [];
    return this.repositories();
  }

  private windowTotals(repo: string, nowMs: number, window: MetricsWindow): WindowTotals {
    const cutoff = windowCutoffText(nowMs, window);
    const boundary = bucketOf(cutoff);
    this.noteBoundary(window, boundary);
    const state = this.repos.get(repo);
    if (!state) return emptyWindowTotals();
    const after = this.sumAfter(state, window, boundary);
    const totals = { ...after };
    if (!state.buckets.has(boundary)) return totals;
    const durationSum = new Sum();
    const durationSquareSum = new Sum();
    durationSum.add(after.durationSum);
    durationSquareSum.add(after.durationSquareSum);
    for (const row of this.details(repo, state, boundary)) {
      if (row.finishedAt < cutoff) continue;
      addRow(totals, durationSum, durationSquareSum, row);
    }
    totals.durationSum = durationSum.total();
    totals.durationSquareSum = durationSquareSum.total();
    return totals;
  }

  /** Totals of the buckets after `boundary`, cached until the repository's buckets change. */
  private sumAfter(state: RepoState, window: MetricsWindow, boundary: string): WindowTotals {
    const cached = state.sums.get(window);
    if (cached && cached.boundary === boundary && cached.revision === state.revision) return cached.totals;
    const totals = emptyWindowTotals();
    const durationSum = new Sum();
    const durationSquareSum = new Sum();
    const keys = this.sortedKeys(state);
    let index = lowerBound(keys, boundary);
    if (keys[index] === boundary) index += 1;
    for (; index < keys.length; index += 1) {
      const bucket = state.buckets.get(keys[index]!)!;
      totals.terminal += bucket.terminal;
      totals.failed += bucket.failed;
      totals.failedAny += bucket.failedAny;
      totals.durationCount += bucket.durationCount;
      durationSum.add(bucket.durationSum.total());
      durationSquareSum.add(bucket.durationSquareSum.total());
    }
    totals.durationSum = durationSum.total();
    totals.durationSquareSum = durationSquareSum.total();
    state.sums.set(window, { boundary, revision: state.revision, totals });
    return totals;
  }

  private noteBoundary(window: MetricsWindow, boundary: string): void {
    const previous = this.boundaries.get(window);
    if (previous === boundary) return;
    this.boundaries.set(window, boundary);
    if (previous === undefined) return;
    const inUse = new Set(this.boundaries.values());
    if (inUse.has(previous)) return;
    for (const state of this.repos.values()) state.details.delete(previous);
  }

  /** Row-level detail of the bucket holding a cutoff; read once, then kept in step by the deltas. */
  private details(repo: string, state: RepoState, key: string): Contribution[] {
    let rows = state.details.get(key);
    if (rows) return rows;
    const range = bucketRange(key);
    rows = this.connection
      .prepare(
        `SELECT finished_at, ${CONTRIBUTION_COLUMNS} FROM agent_run_history
          WHERE repo_full_name = ? AND finished_at >= ? AND finished_at < ? AND ${CONTRIBUTES_SQL}`,
      )
      .all(repo, range.from, range.to)
      .map(toContribution);
    this.counters.rowsRead += rows.length;
    state.details.set(key, rows);
    return rows;
  }
}

/** How long an incremental feedback state is trusted before it is read again in full (ms). */
const FEEDBACK_REVERIFY_MS = 10 * 60_000;

/**
 * Per-PR aggregates of `feedback_events` (newest `updated_at`, pending count), kept in step by rowid.
 * MergeXO inserts an event once (its key includes the GitHub update time, so `updated_at` never
 * changes) and later sets `processed_at` once. A refresh reads the rows inserted since the last one
 * and re-checks the rows still pending (live work); `COUNT(*)` (a b-tree count) tells a deletion,
 * and the newest row's key tells a replaced row. Anything else a future MergeXO might do to old
 * events is caught by a full re-read at the first change after ten minutes.
 */
export class FeedbackTracker {
  private readonly latest = new Map<string, string>();
  private readonly pending = new Map<string, number>();
  /** rowid → PR key of every event still pending. */
  private readonly pendingRows = new Map<number, string>();
  private built = false;
  private builtAtMs = 0;
  private version: number | null = null;
  private maxRowid = 0;
  private sentinel: string | null = null;
  private count = 0;
  private readonly counters = { builds: 0, deltaSyncs: 0 };

  private constructor(
    private readonly connection: Connection,
    private readonly clock: () => number,
  ) {}

  static create(
    connection: Connection,
    schema: SchemaInfo,
    options: { clock?: () => number } = {},
  ): FeedbackTracker | undefined {
    const columns = ['repo_full_name', 'pr_number', 'event_key', 'updated_at', 'processed_at'];
    if (!columns.every((column) => schema.hasColumn('feedback_events', column))) return undefined;
    try {
      connection.prepare('SELECT rowid FROM feedback_events WHERE rowid = ?');
    } catch {
      return undefined;
    }
    return new FeedbackTracker(connection, options.clock ?? Date.now);
  }

  /**
   * Newest event text and pending count per PR key (`repo#pr`), as of the current snapshot. The maps
   * are the tracker's own: read them, do not change them.
   */
  activity(): { latest: ReadonlyMap<string, string>; pending: ReadonlyMap<string, number> } {
    this.connection.readSnapshot(() => this.sync());
    return { latest: this.latest, pending: this.pending };
  }

  stats() {
    return { ...this.counters, prs: this.latest.size, pendingRows: this.pendingRows.size };
  }

  private sync(): void {
    const version = Number(this.connection.prepare('PRAGMA data_version').get()?.data_version ?? 0);
    if (this.built && version === this.version) return;
    this.version = version;
    if (!this.built || this.clock() - this.builtAtMs > FEEDBACK_REVERIFY_MS) {
      this.build();
      return;
    }
    this.counters.deltaSyncs += 1;
    if (this.sentinel !== null) {
      const row = this.connection
        .prepare('SELECT event_key FROM feedback_events WHERE rowid = ?')
        .get(this.maxRowid);
      if (!row || row.event_key !== this.sentinel) return this.build();
    }
    const inserted = this.connection
      .prepare(
        `SELECT rowid AS rid, repo_full_name, pr_number, event_key, updated_at, processed_at IS NULL AS open
           FROM feedback_events WHERE rowid > ? ORDER BY rowid`,
      )
      .all(this.maxRowid);
    for (const row of inserted) this.add(row);
    const total = this.connection.prepare('SELECT COUNT(*) AS n FROM feedback_events').get();
    if (Number(total?.n ?? 0) !== this.count) return this.build();
    if (this.pendingRows.size === 0) return;
    const processed = this.connection
      .prepare(
        `SELECT rowid AS rid FROM feedback_events
          WHERE rowid IN (SELECT value FROM json_each(?)) AND processed_at IS NOT NULL`,
      )
      .all(JSON.stringify([...this.pendingRows.keys()]));
    for (const row of processed) {
      const rowid = Number(row.rid);
      const key = this.pendingRows.get(rowid);
      if (key === undefined) continue;
      this.pendingRows.delete(rowid);
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    }
  }

  private build(): void {
    this.counters.builds += 1;
    this.latest.clear();
    this.pending.clear();
    this.pendingRows.clear();
    this.maxRowid = 0;
    this.sentinel = null;
    this.count = 0;
    const rows = this.connection
      .prepare(
        `SELECT rowid AS rid, repo_full_name, pr_number, event_key, updated_at, processed_at IS NULL AS open
           FROM feedback_events ORDER BY rowid`,
      )
      .all();
    for (const row of rows) this.add(row);
    this.built = true;
    this.builtAtMs = this.clock();
  }

  private add(row: SqlRow): void {
    const key = prKey(text(row.repo_full_name), row.pr_number ?? 0);
    const at = row.updated_at;
    // MAX() of text: numbers sort below any text, so only text can be the newest activity.
    if (typeof at === 'string') {
      const current = this.latest.get(key);
      if (current === undefined || at > current) this.latest.set(key, at);
    }
    if (Number(row.open) === 1) {
      this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
      this.pendingRows.set(Number(row.rid), key);
    }
    this.count += 1;
    this.maxRowid = Number(row.rid);
    this.sentinel = text(row.event_key);
  }
}

export function prKey(repo: string, pr: SqlValue): string {
  return `${repo}#${String(pr)}`;
}

function addRow(totals: WindowTotals, durationSum: Sum, durationSquareSum: Sum, row: Contribution): void {
  if (row.failedAny) totals.failedAny += 1;
  if (!row.metric) return;
  totals.terminal += 1;
  if (row.failedAny) totals.failed += 1;
  if (row.d !== null) {
    totals.durationCount += 1;
    durationSum.add(row.d);
    durationSquareSum.add(row.d * row.d);
  }
}

function toContribution(row: SqlRow): Contribution {
  return {
    finishedAt: typeof row.finished_at === 'string' ? row.finished_at : ALWAYS,
    metric: Number(row.metric) === 1,
    failedAny: Number(row.failed_any) === 1,
    d: row.d == null ? null : Number(row.d),
  };
}

function bucketFromAggregate(row: SqlRow): Bucket {
  const bucket = new Bucket();
  bucket.rows = Number(row.rows);
  bucket.terminal = Number(row.terminal ?? 0);
  bucket.failed = Number(row.failed ?? 0);
  bucket.failedAny = Number(row.failed_any ?? 0);
  bucket.durationCount = Number(row.duration_count ?? 0);
  if (row.duration_sum != null) bucket.durationSum.add(Number(row.duration_sum));
  if (row.duration_square_sum != null) bucket.durationSquareSum.add(Number(row.duration_square_sum));
  return bucket;
}

/** The bucket a finished_at text falls in. */
export function bucketOf(finishedAt: string): string {
  return finishedAt.slice(0, BUCKET_CHARS);
}

/**
 * Text bounds [from, to) of exactly the strings whose bucket is `key`. A key shorter than a full
 * bucket is a whole (short) value; otherwise every string starting with the key, which ends just
 * before the key with its last character raised by one.
 */
export function bucketRange(key: string): { from: string; to: string } {
  if (key.length < BUCKET_CHARS) return { from: key, to: `${key}\u0000` };
  const last = key.charCodeAt(key.length - 1);
  return { from: key, to: key.slice(0, -1) + String.fromCharCode(last + 1) };
}

/** Repositories of a table through its index, one seek per repository (a skip scan). */
export function distinctRepositories(connection: Connection, table: string): string[] {
  const rows = connection
    .prepare(
      `WITH RECURSIVE r(repo) AS (
         SELECT (SELECT MIN(repo_full_name) FROM "${table}")
         UNION ALL
         SELECT (SELECT MIN(repo_full_name) FROM "${table}" WHERE repo_full_name > r.repo) FROM r
          WHERE r.repo IS NOT NULL)
       SELECT repo FROM r WHERE repo IS NOT NULL`,
    )
    .all();
  return rows.map((row) => text(row.repo));
}

/** First index whose key is >= `key` in an ascending array. */
function lowerBound(keys: string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * SQLite's BINARY collation (and Python's `sorted`): by code point, which is not JavaScript's UTF-16
 * order once a string holds characters beyond U+FFFF (`😀` sorts after `！` U+FF01, not before).
 */
export function compareText(a: string, b: string): number {
  // Below U+D800 both orders agree; the native comparison is much faster than the loop (hot in sorts).
  if (!AT_OR_ABOVE_SURROGATES.test(a) && !AT_OR_ABOVE_SURROGATES.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

const AT_OR_ABOVE_SURROGATES = /[\ud800-\uffff]/;

/** Moves surrogates (U+D800–U+DFFF, the halves of code points above U+FFFF) after U+E000–U+FFFF. */
function codePointOrder(unit: number): number {
  return unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

function text(value: SqlValue | undefined): string {
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

export function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(', ');
}
