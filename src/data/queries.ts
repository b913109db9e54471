// Every figure of MergeXO's dashboard, with MergeXO's own semantics (see the contract in
// docs/figures.md). Each function reads through one connection, takes the repository filter and a
// pinned clock, and returns either the figure or the schema gap that prevents it.
import {
  ALL_REPOSITORIES,
  compareText,
  distinctRepositories,
  emptyTotals,
  METRIC_RUN_KINDS,
  METRIC_TERMINAL_STATUSES,
  metricsRow,
  prKey,
  RUN_COLUMNS,
  sqlList,
  type FeedbackTracker,
  type RunningTotals,
  type RunTracker,
  type UnfinishedRun,
} from './incremental';
import { isCodexActive, metaNumber, metaString, parseMeta } from './meta';
import type { SchemaInfo } from './schema';
import type { Connection, SqlRow, SqlValue } from './sqlite';
import { parseTimestamp, secondsSince, windowCutoffText } from './timestamps';
import type {
  ActiveAgentDetail,
  Figure,
  Int,
  Metrics,
  MetricsWindow,
  OperatorCommandRow,
  Overview,
  PrTransition,
  QueryScope,
  RoadmapBlocker,
  RoadmapLifecycleCounts,
  RunHistoryRow,
  RuntimeOperationRow,
  SchemaGap,
  TerminalOutcome,
  TrackedRow,
} from './types';

export { ALL_REPOSITORIES, METRIC_RUN_KINDS, METRIC_TERMINAL_STATUSES, metricsRow, type UnfinishedRun };

function ok<T>(value: T, notes: SchemaGap[] = []): Figure<T> {
  return { ok: true, value, notes };
}

function fail<T>(gap: SchemaGap): Figure<T> {
  return { ok: false, gap };
}

function text(value: SqlValue | undefined): string {
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

function textOrNull(value: SqlValue | undefined): string | null {
  return value == null ? null : text(value);
}

function int(value: SqlValue | undefined): Int {
  return typeof value === 'bigint' || typeof value === 'number' ? value : Number(value ?? 0);
}

function intOrNull(value: SqlValue | undefined): Int | null {
  return value == null ? null : int(value);
}

function num(value: SqlValue | undefined): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

function numOrNull(value: SqlValue | undefined): number | null {
  return value == null ? null : num(value);
}

/** SQLite's order of two column values: NULL, then numbers, then text (bytewise), then blobs. */
function compareSql(a: SqlValue | undefined, b: SqlValue | undefined): number {
  const rank = (value: SqlValue | undefined) =>
    value == null ? 0 : typeof value === 'string' ? 2 : value instanceof Uint8Array ? 3 : 1;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return a! < b! ? -1 : a! > b! ? 1 : 0;
  if (ra === 2) return compareText(a as string, b as string);
  if (ra === 3) return Buffer.compare(a as Uint8Array, b as Uint8Array);
  return 0;
}

function compareInt(a: Int | null, b: Int | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A live run with its parsed meta; the raw material of active agents and stall detection. */
export interface NumberRef {
  repo: string;
  number: Int;
}

export class MergexoQueries {
  /** Tables whose rows can be enumerated by repository through an index (a skip scan). */
  private readonly repoIndexed = new Map<string, boolean>();

  constructor(
    readonly connection: Connection,
    readonly schema: SchemaInfo,
    /** Incremental run aggregates; without it every figure is computed from the database. */
    readonly tracker?: RunTracker,
    /** Incremental feedback-event aggregates (pending counts, newest event per PR). */
    readonly feedback?: FeedbackTracker,
  ) {}

  private all(sql: string, params: SqlValue[]): SqlRow[] {
    return this.connection.prepare(sql).all(...params);
  }

  private repoClause(scope: QueryScope, column = 'repo_full_name'): { sql: string; params: SqlValue[] } {
    return scope.repo === null
      ? { sql: '', params: [] }
      : { sql: ` AND ${column} = ?`, params: [scope.repo] };
  }

  /** Repositories present in any table that has a repository column, sorted. */
  repositories(): string[] {
    const names = new Set<string>();
    for (const table of this.schema.tableNames()) {
      if (!this.schema.hasColumn(table, 'repo_full_name')) continue;
      for (const repo of this.tableRepositories(table)) names.add(repo);
    }
    return [...names].sort(compareText);
  }

  /**
   * Distinct repositories of one table. Every MergeXO index leads with `repo_full_name`, so one index
   * seek per repository finds them (instead of reading every row); a table without such an index
   * (never seen in MergeXO files) is read in full.
   */
  tableRepositories(table: string): string[] {
    if (this.hasRepoIndex(table)) return distinctRepositories(this.connection, table);
    return this.all(`SELECT DISTINCT repo_full_name AS repo FROM "${table}"`, [])
      .map((row) => row.repo)
      .filter((repo): repo is string => typeof repo === 'string');
  }

  private hasRepoIndex(table: string): boolean {
    let known = this.repoIndexed.get(table);
    if (known === undefined) {
      const indexes = this.all(`SELECT name FROM pragma_index_list(?)`, [table]);
      known = indexes.some(
        (index) =>
          this.connection
            .prepare('SELECT name FROM pragma_index_info(?) WHERE seqno = 0')
            .get(text(index.name))?.name === 'repo_full_name',
      );
      this.repoIndexed.set(table, known);
    }
    return known;
  }

  /**
   * The repositories a figure reads one by one: the chosen one, or every repository of the table. A
   * query per repository turns "all repositories" into range scans of the repository-led indexes.
   */
  private scopeRepositories(scope: QueryScope, table: string): string[] {
    return scope.repo === null ? this.tableRepositories(table) : [scope.repo];
  }

  // ---- live runs ---------------------------------------------------------------------------

  unfinishedRuns(scope: QueryScope): Figure<UnfinishedRun[]> {
    const gap = this.schema.gap(['agent_run_history']);
    if (gap) return fail(gap);
    if (this.tracker) return ok(this.tracker.readUnfinished(scope));
    const statement = this.connection.prepare(
      `SELECT ${RUN_COLUMNS}, meta_json FROM agent_run_history
        WHERE repo_full_name = ? AND finished_at IS NULL`,
    );
    const rows = this.connection.readSnapshot(() =>
      this.scopeRepositories(scope, 'agent_run_history').flatMap((repo) => statement.all(repo)),
    );
    return ok(rows.map((row) => ({ row, meta: parseMeta(row.meta_json) })));
  }

  /** Active agents, oldest first; `limit` applies after the `codex_active` filter, as in MergeXO. */
  activeAgents(scope: QueryScope, limit?: number, runs?: UnfinishedRun[]): Figure<ActiveAgentDetail[]> {
    let source = runs;
    if (!source) {
      const unfinished = this.unfinishedRuns(scope);
      if (!unfinished.ok) return unfinished;
      source = unfinished.value;
    }
    const agents = source
      .filter((run) => isCodexActive(run.meta))
      .map((run) => toActiveAgent(run, scope.nowMs))
      .sort(
        (a, b) =>
          compareText(a.started_at, b.started_at) ||
          compareText(a.repo_full_name, b.repo_full_name) ||
          compareInt(a.issue_number, b.issue_number),
      );
    return ok(limit === undefined ? agents : agents.slice(0, limit));
  }

  // ---- tracked and blocked -----------------------------------------------------------------

  /**
   * SQL that is true for rows of work MergeXO ignores (taken over, or closed on GitHub). `issueRow` is
   * the alias of the work's own `issue_runs` row when the query already has it (one lookup, not two).
   */
  private excludedSql(alias: string, issueRow?: string): { sql: string; notes: SchemaGap[] } {
    const parts: string[] = [];
    const notes = this.schema.gaps(['issue_takeover_state', 'issue_runs.github_state']);
    if (this.schema.hasTable('issue_takeover_state')) {
      parts.push(
        `EXISTS (SELECT 1 FROM issue_takeover_state t WHERE t.repo_full_name = ${alias}.repo_full_name ` +
          `AND t.issue_number = ${alias}.issue_number AND t.ignore_active = 1)`,
      );
    }
    if (this.schema.hasColumn('issue_runs', 'github_state')) {
      // The key is unique: at most one issue_runs row per issue, so the row itself answers.
      parts.push(
        issueRow
          ? `coalesce(lower(${issueRow}.github_state) = 'closed', 0)`
          : `EXISTS (SELECT 1 FROM issue_runs g WHERE g.repo_full_name = ${alias}.repo_full_name ` +
              `AND g.issue_number = ${alias}.issue_number AND lower(g.github_state) = 'closed')`,
      );
    }
    return { sql: parts.length ? `(${parts.join(' OR ')})` : '0', notes };
  }

  /** PRs that have a live feedback turn with an active agent: MergeXO lists them as agents instead. */
  private prsWithActiveFeedbackTurn(runs: UnfinishedRun[]): Set<string> {
    const keys = new Set<string>();
    for (const run of runs) {
      if (run.row.run_kind === 'feedback_turn' && run.row.pr_number != null && isCodexActive(run.meta)) {
        keys.add(prKey(text(run.row.repo_full_name), int(run.row.pr_number)));
      }
    }
    return keys;
  }

  private trackedPrRows(scope: QueryScope): Figure<SqlRow[]> {
    const gap = this.schema.gap(['pr_feedback_state', 'issue_runs', 'feedback_events']);
    if (gap) return fail(gap);
    const excluded = this.excludedSql('p', 'i');
    const repo = this.repoClause(scope, 'p.repo_full_name');
    const rows = this.all(
      `SELECT p.repo_full_name, p.pr_number, p.issue_number, p.status, p.branch, p.last_seen_head_sha,
              CASE WHEN p.status = 'blocked' THEN i.error END AS blocked_reason
         FROM pr_feedback_state p
         LEFT JOIN issue_runs i ON i.repo_full_name = p.repo_full_name AND i.issue_number = p.issue_number
        WHERE p.status IN ('awaiting_feedback', 'blocked') AND NOT ${excluded.sql}${repo.sql}`,
      repo.params,
    );
    return ok(rows, excluded.notes);
  }

  private blockedIssueRows(scope: QueryScope): Figure<SqlRow[]> {
    const gap = this.schema.gap(['issue_runs']);
    if (gap) return fail(gap);
    const excluded = this.excludedSql('i', 'i');
    const repo = this.repoClause(scope, 'i.repo_full_name');
    const hasFollowups = this.schema.hasTable('pre_pr_followup_state');
    const followupJoin = hasFollowups
      ? 'LEFT JOIN pre_pr_followup_state f ' +
        'ON f.repo_full_name = i.repo_full_name AND f.issue_number = i.issue_number'
      : '';
    const reason = hasFollowups ? 'COALESCE(f.waiting_reason, i.error)' : 'i.error';
    const branch = hasFollowups ? "COALESCE(i.branch, f.branch, '-')" : "COALESCE(i.branch, '-')";
    const rows = this.all(
      `SELECT i.repo_full_name, i.issue_number, i.status, ${branch} AS branch, ${reason} AS blocked_reason
         FROM issue_runs i ${followupJoin}
        WHERE i.status = 'awaiting_issue_followup' AND NOT ${excluded.sql}${repo.sql}`,
      repo.params,
    );
    return ok(rows, [...excluded.notes, ...this.schema.gaps(['pre_pr_followup_state'])]);
  }

  /** Overview counts of tracked and blocked work (they keep PRs with an active feedback turn). */
  workCounts(scope: QueryScope): Figure<{ blocked: number; tracked: number }> {
    return this.countsOf(this.workRows(scope));
  }

  /** The tracked-and-blocked list, newest activity first. */
  trackedAndBlocked(scope: QueryScope, limit?: number, runs?: UnfinishedRun[]): Figure<TrackedRow[]> {
    return this.listOf(scope, this.workRows(scope), limit, runs);
  }

  /** The list and the overview counts from one read of the PR and issue rows (what a refresh needs). */
  trackedWork(scope: QueryScope, runs?: UnfinishedRun[], options: { list?: boolean } = {}): TrackedWork {
    const rows = this.workRows(scope);
    const counts = this.countsOf(rows);
    if (options.list === false) return { counts };
    return { counts, tracked: this.listOf(scope, rows, undefined, runs) };
  }

  private workRows(scope: QueryScope): Figure<{ prs: Figure<SqlRow[]>; issues: Figure<SqlRow[]> }> {
    const prs = this.trackedPrRows(scope);
    if (!prs.ok) return prs;
    const issues = this.blockedIssueRows(scope);
    if (!issues.ok) return issues;
    return ok({ prs, issues });
  }

  private countsOf(
    rows: Figure<{ prs: Figure<SqlRow[]>; issues: Figure<SqlRow[]> }>,
  ): Figure<{ blocked: number; tracked: number }> {
    if (!rows.ok) return rows;
    const { prs, issues } = rows.value as { prs: OkFigure<SqlRow[]>; issues: OkFigure<SqlRow[]> };
    const blockedPrs = prs.value.filter((row) => row.status === 'blocked').length;
    return ok(
      { blocked: blockedPrs + issues.value.length, tracked: prs.value.length - blockedPrs },
      mergeNotes(prs.notes, issues.notes),
    );
  }

  private listOf(
    scope: QueryScope,
    rows: Figure<{ prs: Figure<SqlRow[]>; issues: Figure<SqlRow[]> }>,
    limit: number | undefined,
    runs: UnfinishedRun[] | undefined,
  ): Figure<TrackedRow[]> {
    if (!rows.ok) return rows;
    const { prs, issues } = rows.value as { prs: OkFigure<SqlRow[]>; issues: OkFigure<SqlRow[]> };
    let liveRuns = runs;
    if (!liveRuns) {
      const unfinished = this.unfinishedRuns(scope);
      liveRuns = unfinished.ok ? unfinished.value : [];
    }
    const hidden = this.prsWithActiveFeedbackTurn(liveRuns);
    const activity = this.lastActivity(scope);
    const pending = activity.pending;
    const result: TrackedRow[] = [];
    for (const row of prs.value) {
      const repo = text(row.repo_full_name);
      const pr = int(row.pr_number);
      const key = prKey(repo, pr);
      if (hidden.has(key)) continue;
      result.push({
        repo_full_name: repo,
        pr_number: pr,
        issue_number: int(row.issue_number),
        status: text(row.status),
        branch: text(row.branch),
        last_seen_head_sha: textOrNull(row.last_seen_head_sha),
        blocked_reason: textOrNull(row.blocked_reason),
        pending_event_count: pending.get(key) ?? 0,
        updated_at: activity.prs.get(key) ?? '-',
      });
    }
    for (const row of issues.value) {
      const repo = text(row.repo_full_name);
      const issue = int(row.issue_number);
      result.push({
        repo_full_name: repo,
        pr_number: null,
        issue_number: issue,
        status: text(row.status),
        branch: text(row.branch),
        last_seen_head_sha: null,
        blocked_reason: textOrNull(row.blocked_reason),
        pending_event_count: 0,
        updated_at: activity.issues.get(issueKey(repo, issue)) ?? '-',
      });
    }
    result.sort(
      (a, b) =>
        compareText(b.updated_at, a.updated_at) ||
        compareText(a.repo_full_name, b.repo_full_name) ||
        compareInt(a.issue_number, b.issue_number) ||
        compareInt(a.pr_number, b.pr_number),
    );
    // Without these, "last activity" is built from what remains (feedback events) and may read `-`.
    const activityGaps = this.schema.gaps(['action_tokens', 'github_comment_poll_cursors']);
    return ok(
      limit === undefined ? result : result.slice(0, limit),
      mergeNotes(mergeNotes(prs.notes, issues.notes), activityGaps),
    );
  }

  /**
   * Last activity per PR and per issue: the text maximum (as MergeXO compares) of feedback events,
   * observed action tokens and comment-poll cursors that have seen a comment.
   */
  private lastActivity(scope: QueryScope): {
    prs: { get(key: string): string | undefined };
    issues: Map<string, string>;
    pending: ReadonlyMap<string, number>;
  } {
    const prs = new Map<string, string>();
    let pending: ReadonlyMap<string, number> = new Map<string, number>();
    const issues = new Map<string, string>();
    const bump = (map: Map<string, string>, key: string, value: SqlValue | undefined) => {
      if (typeof value !== 'string') return;
      const current = map.get(key);
      if (current === undefined || value > current) map.set(key, value);
    };
    const repo = this.repoClause(scope);
    let events: ReadonlyMap<string, string> | undefined;
    if (this.feedback) {
      // Kept incrementally: only events inserted since the last refresh and those still pending are read.
      const activity = this.feedback.activity();
      events = activity.latest;
      pending = activity.pending;
    } else if (this.schema.hasTable('feedback_events')) {
      // One pass gives both the pending count and the newest event of each listed PR; events of PRs
      // that are no longer tracked (most of them, in a long history) are skipped before grouping.
      const listed = this.schema.hasTable('pr_feedback_state')
        ? `AND (repo_full_name, pr_number) IN (SELECT repo_full_name, pr_number FROM pr_feedback_state
                WHERE status IN ('awaiting_feedback', 'blocked'))`
        : '';
      const rows = this.all(
        `SELECT repo_full_name, pr_number, MAX(updated_at) AS at,
                SUM(CASE WHEN processed_at IS NULL THEN 1 ELSE 0 END) AS pending
           FROM feedback_events WHERE 1 = 1 ${listed}${repo.sql} GROUP BY repo_full_name, pr_number`,
        repo.params,
      );
      const counts = new Map<string, number>();
      for (const row of rows) {
        const key = prKey(text(row.repo_full_name), int(row.pr_number));
        bump(prs, key, row.at);
        const count = num(row.pending);
        if (count > 0) counts.set(key, count);
      }
      pending = counts;
    }
    if (this.schema.gap(['action_tokens.observed_updated_at', 'action_tokens.scope_kind']) === undefined) {
      // No GROUP BY: `bump` keeps the maximum, and skipping the sort is what costs least.
      const rows = this.all(
        `SELECT repo_full_name, scope_kind, scope_number, observed_updated_at AS at FROM action_tokens
          WHERE status = 'observed' AND observed_updated_at IS NOT NULL${repo.sql}`,
        repo.params,
      );
      for (const row of rows) {
        const key = prKey(text(row.repo_full_name), int(row.scope_number));
        if (row.scope_kind === 'pr') bump(prs, key, row.at);
        else if (row.scope_kind === 'issue') bump(issues, key, row.at);
      }
    }
    if (this.schema.hasTable('github_comment_poll_cursors')) {
      const rows = this.all(
        `SELECT repo_full_name, surface, scope_number, last_updated_at AS at
           FROM github_comment_poll_cursors WHERE last_comment_id > 0${repo.sql}`,
        repo.params,
      );
      for (const row of rows) {
        const key = prKey(text(row.repo_full_name), int(row.scope_number));
        const surface = text(row.surface);
        if (surface.startsWith('pr_')) bump(prs, key, row.at);
        else if (surface.startsWith('issue_')) bump(issues, key, row.at);
      }
    }
    const merged = events
      ? {
          get(key: string) {
            const a = events.get(key);
            const b = prs.get(key);
            return a === undefined ? b : b === undefined || a >= b ? a : b;
          },
        }
      : prs;
    return { prs: merged, issues, pending };
  }

  // ---- counts, failures and metrics ----------------------------------------------------------

  failures(scope: QueryScope, window: MetricsWindow): Figure<number> {
    const gap = this.schema.gap(['agent_run_history']);
    if (gap) return fail(gap);
    if (this.tracker) return ok(this.tracker.failures(scope, window));
    const statement = this.connection.prepare(
      `SELECT COUNT(*) AS n FROM agent_run_history
        WHERE repo_full_name = ? AND finished_at >= ? AND terminal_status = 'failed'`,
    );
    const cutoff = windowCutoffText(scope.nowMs, window);
    return ok(
      this.connection.readSnapshot(() =>
        this.scopeRepositories(scope, 'agent_run_history').reduce(
          (sum, repo) => sum + num(statement.get(repo, cutoff)?.n),
          0,
        ),
      ),
    );
  }

  metrics(scope: QueryScope, window: MetricsWindow): Figure<Metrics> {
    const gap = this.schema.gap(['agent_run_history']);
    if (gap) return fail(gap);
    if (this.tracker) return ok(this.tracker.metrics(scope, window));
    return ok(this.metricsFromScratch(scope, window));
  }

  /** Metrics read from the database, one index range per repository (no incremental state). */
  metricsFromScratch(scope: QueryScope, window: MetricsWindow): Metrics {
    const statement = this.connection.prepare(
      `SELECT COUNT(*) AS terminal_count,
              SUM(CASE WHEN terminal_status = 'failed' THEN 1 ELSE 0 END) AS failed_count,
              SUM(duration_seconds) AS duration_sum,
              SUM(duration_seconds * duration_seconds) AS duration_square_sum,
              COUNT(duration_seconds) AS duration_count
         FROM agent_run_history
        WHERE repo_full_name = ? AND finished_at >= ?
          AND run_kind IN (${sqlList(METRIC_RUN_KINDS)})
          AND terminal_status IN (${sqlList(METRIC_TERMINAL_STATUSES)})`,
    );
    const cutoff = windowCutoffText(scope.nowMs, window);
    const perRepo = this.connection.readSnapshot(() =>
      this.scopeRepositories(scope, 'agent_run_history')
        .sort(compareText)
        .flatMap((repo) => {
          const row = statement.get(repo, cutoff);
          return row && num(row.terminal_count) > 0 ? [{ repo, row }] : [];
        }),
    );
    const total = emptyTotals();
    const rows = perRepo.map(({ repo, row }) => {
      const totals: RunningTotals = {
        terminal: num(row.terminal_count),
        failed: num(row.failed_count),
        durationSum: num(row.duration_sum),
        durationSquareSum: num(row.duration_square_sum),
        durationCount: num(row.duration_count),
      };
      total.terminal += totals.terminal;
      total.failed += totals.failed;
      total.durationSum += totals.durationSum;
      total.durationSquareSum += totals.durationSquareSum;
      total.durationCount += totals.durationCount;
      return metricsRow(repo, totals);
    });
    return { overall: metricsRow(scope.repo ?? ALL_REPOSITORIES, total), per_repo: rows };
  }

  overview(scope: QueryScope, window: MetricsWindow): Figure<Overview> {
    const agents = this.activeAgents(scope);
    if (!agents.ok) return agents;
    const work = this.workCounts(scope);
    if (!work.ok) return work;
    const failures = this.failures(scope, window);
    if (!failures.ok) return failures;
    const metrics = this.metrics(scope, window);
    if (!metrics.ok) return metrics;
    return ok(
      {
        active_agents: agents.value.length,
        blocked_prs: work.value.blocked,
        tracked_prs: work.value.tracked,
        failures: failures.value,
        mean_runtime_seconds: metrics.value.overall.mean_runtime_seconds,
        stddev_runtime_seconds: metrics.value.overall.stddev_runtime_seconds,
      },
      work.notes,
    );
  }

  // ---- outcomes and histories ------------------------------------------------------------------

  terminalOutcomes(scope: QueryScope, limit = 200, offset = 0): Figure<TerminalOutcome[]> {
    const gap = this.schema.gap(['issue_runs']);
    if (gap) return fail(gap);
    const repo = this.repoClause(scope);
    const rows = this.all(
      `SELECT repo_full_name, issue_number, pr_number, status, branch, updated_at FROM issue_runs
        WHERE status IN ('merged', 'closed')${repo.sql}
        ORDER BY updated_at DESC, repo_full_name, issue_number LIMIT ? OFFSET ?`,
      [...repo.params, limit, offset],
    );
    return ok(
      rows.map((row) => ({
        repo_full_name: text(row.repo_full_name),
        issue_number: int(row.issue_number),
        pr_number: intOrNull(row.pr_number),
        status: text(row.status),
        branch: textOrNull(row.branch),
        updated_at: text(row.updated_at),
      })),
    );
  }

  /** Failed runs, newest first (the extension's "recent outcomes" view adds them to merges). */
  failedRuns(scope: QueryScope, limit = 50, offset = 0): Figure<RunHistoryRow[]> {
    const gap = this.schema.gap(['agent_run_history']);
    if (gap) return fail(gap);
    const held = this.tracker?.failedRuns(scope, limit, offset);
    if (held) return ok(held.map(toRunHistoryRow));
    // The failed runs of each repository through its (repository, terminal_status, …) index, instead
    // of a scan of the whole table; merged and cut below.
    const statement = this.connection.prepare(
      `SELECT ${RUN_COLUMNS} FROM agent_run_history
        WHERE repo_full_name = ? AND terminal_status = 'failed'
        ORDER BY finished_at DESC, run_id DESC LIMIT ?`,
    );
    const rows = this.connection.readSnapshot(() =>
      this.scopeRepositories(scope, 'agent_run_history').flatMap((repo) =>
        statement.all(repo, limit + offset),
      ),
    );
    rows.sort((a, b) => compareSql(b.finished_at, a.finished_at) || compareSql(b.run_id, a.run_id));
    return ok(rows.slice(offset, offset + limit).map(toRunHistoryRow));
  }

  issueHistory(scope: QueryScope, issue: Int, limit = 50): Figure<RunHistoryRow[]> {
    const gap = this.schema.gap(['agent_run_history']);
    if (gap) return fail(gap);
    const repo = this.repoClause(scope);
    const rows = this.all(
      `SELECT ${RUN_COLUMNS} FROM agent_run_history WHERE issue_number = ?${repo.sql}
        ORDER BY started_at DESC, run_id DESC LIMIT ?`,
      [issue, ...repo.params, limit],
    );
    return ok(rows.map(toRunHistoryRow));
  }

  prHistory(scope: QueryScope, pr: Int, limit = 50): Figure<PrTransition[]> {
    const gap = this.schema.gap(['pr_status_history']);
    if (gap) return fail(gap);
    // One (repository, pr_number, changed_at) index range per repository instead of a table scan.
    const statement = this.connection.prepare(
      `SELECT id, repo_full_name, pr_number, issue_number, from_status, to_status, reason, detail, changed_at
         FROM pr_status_history WHERE repo_full_name = ? AND pr_number = ?
        ORDER BY changed_at DESC, id DESC LIMIT ?`,
    );
    const rows = this.connection.readSnapshot(() =>
      this.scopeRepositories(scope, 'pr_status_history').flatMap((repo) => statement.all(repo, pr, limit)),
    );
    rows.sort((a, b) => compareSql(b.changed_at, a.changed_at) || compareSql(b.id, a.id));
    rows.length = Math.min(rows.length, limit);
    return ok(
      rows.map((row) => ({
        id: int(row.id),
        repo_full_name: text(row.repo_full_name),
        pr_number: int(row.pr_number),
        issue_number: int(row.issue_number),
        from_status: textOrNull(row.from_status),
        to_status: text(row.to_status),
        reason: textOrNull(row.reason),
        detail: textOrNull(row.detail),
        changed_at: text(row.changed_at),
      })),
    );
  }

  /** Issue and PR numbers that have any history, for the "Show History…" pickers. */
  knownNumbers(scope: QueryScope): { issues: NumberRef[]; prs: NumberRef[] } {
    const sources = (pairs: [string, string][]) => pairs.filter(([table]) => this.schema.hasTable(table));
    return {
      issues: this.distinctNumbers(
        scope,
        sources([
          ['agent_run_history', 'issue_number'],
          ['issue_runs', 'issue_number'],
        ]),
      ),
      prs: this.distinctNumbers(
        scope,
        sources([
          ['pr_status_history', 'pr_number'],
          ['pr_feedback_state', 'pr_number'],
        ]),
      ),
    };
  }

  private distinctNumbers(scope: QueryScope, sources: [string, string][]): NumberRef[] {
    if (sources.length === 0) return [];
    const repo = this.repoClause(scope);
    const sql = sources
      .map(
        ([table, column]) =>
          `SELECT repo_full_name AS repo, ${column} AS number FROM ${table} WHERE 1 = 1${repo.sql}`,
      )
      .join(' UNION ');
    const params = sources.flatMap(() => repo.params);
    return this.all(`${sql} ORDER BY repo, number DESC`, params).map((row) => ({
      repo: text(row.repo),
      number: int(row.number),
    }));
  }

  operatorCommands(scope: QueryScope, target: { issue?: Int; pr?: Int }): Figure<OperatorCommandRow[]> {
    const gap = this.schema.gap(['operator_commands']);
    if (gap) return fail(gap);
    const repo = this.repoClause(scope);
    const byPr = target.pr !== undefined;
    const rows = this.all(
      `SELECT repo_full_name, command_key, issue_number, pr_number, author_login, command, status, result,
              created_at, updated_at
         FROM operator_commands WHERE ${byPr ? 'pr_number' : 'issue_number'} = ?${repo.sql}
        ORDER BY created_at DESC, command_key DESC LIMIT 200`,
      [(byPr ? target.pr : target.issue) ?? 0, ...repo.params],
    );
    return ok(
      rows.map((row) => ({
        repo_full_name: text(row.repo_full_name),
        command_key: text(row.command_key),
        issue_number: int(row.issue_number),
        pr_number: intOrNull(row.pr_number),
        author_login: text(row.author_login),
        command: text(row.command),
        status: text(row.status),
        result: text(row.result),
        created_at: text(row.created_at),
        updated_at: text(row.updated_at),
      })),
    );
  }

  /** Service-wide operations (restarts) created inside [from, to], compared as text like MergeXO. */
  runtimeOperations(from: string, to: string): Figure<RuntimeOperationRow[]> {
    const gap = this.schema.gap(['runtime_operations']);
    if (gap) return fail(gap);
    const rows = this.all(
      `SELECT op_name, status, requested_by, request_repo_full_name, mode, detail, created_at, updated_at
         FROM runtime_operations WHERE created_at >= ? AND created_at <= ? ORDER BY created_at DESC LIMIT 200`,
      [from, to],
    );
    return ok(
      rows.map((row) => ({
        op_name: text(row.op_name),
        status: text(row.status),
        requested_by: text(row.requested_by),
        request_repo_full_name: text(row.request_repo_full_name),
        mode: text(row.mode),
        detail: textOrNull(row.detail),
        created_at: text(row.created_at),
        updated_at: text(row.updated_at),
      })),
    );
  }

  // ---- roadmaps ------------------------------------------------------------------------------

  roadmapLifecycleCounts(scope: QueryScope): Figure<RoadmapLifecycleCounts> {
    const gap = this.schema.gap(['roadmap_state', 'roadmap_state.adjustment_state']);
    if (gap) return fail(gap);
    const repo = this.repoClause(scope);
    const row = this.connection
      .prepare(
        `SELECT
           SUM(CASE WHEN status = 'active' AND adjustment_state != 'awaiting_revision_merge' THEN 1 ELSE 0 END)
             AS active,
           SUM(CASE WHEN status = 'active' AND adjustment_state = 'awaiting_revision_merge' THEN 1 ELSE 0 END)
             AS revision_requested,
           SUM(CASE WHEN status = 'superseded' THEN 1 ELSE 0 END) AS superseded,
           SUM(CASE WHEN status = 'abandoned' THEN 1 ELSE 0 END) AS abandoned,
           SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed
         FROM roadmap_state WHERE 1 = 1${repo.sql}`,
      )
      .get(...repo.params);
    return ok({
      active: num(row?.active),
      revision_requested: num(row?.revision_requested),
      superseded: num(row?.superseded),
      abandoned: num(row?.abandoned),
      completed: num(row?.completed),
    });
  }

  roadmapBlockerAges(scope: QueryScope, limit = 50): Figure<RoadmapBlocker[]> {
    const gap = this.schema.gap(['roadmap_nodes', 'roadmap_state', 'roadmap_nodes.blocked_since_at']);
    if (gap) return fail(gap);
    const repo = this.repoClause(scope, 'n.repo_full_name');
    const rows = this.all(
      `SELECT n.repo_full_name, n.roadmap_issue_number, n.node_id, n.blocked_since_at, n.child_issue_number
         FROM roadmap_nodes n JOIN roadmap_state r
           ON r.repo_full_name = n.repo_full_name AND r.roadmap_issue_number = n.roadmap_issue_number
        WHERE r.status = 'active' AND n.status = 'blocked' AND n.is_active = 1
          AND n.blocked_since_at IS NOT NULL${repo.sql}
        ORDER BY n.blocked_since_at ASC, n.repo_full_name, n.roadmap_issue_number, n.node_id LIMIT ?`,
      [...repo.params, limit],
    );
    return ok(
      rows.map((row) => {
        const since = text(row.blocked_since_at);
        const sinceMs = parseTimestamp(since);
        return {
          repo_full_name: text(row.repo_full_name),
          roadmap_issue_number: int(row.roadmap_issue_number),
          node_id: text(row.node_id),
          blocked_since_at: since,
          age_seconds: sinceMs === null ? 0 : secondsSince(scope.nowMs, sinceMs),
          child_issue_number: intOrNull(row.child_issue_number),
        };
      }),
    );
  }
}

function toActiveAgent(run: UnfinishedRun, nowMs: number): ActiveAgentDetail {
  const { row, meta } = run;
  const startedAt = text(row.started_at);
  const startedMs = parseTimestamp(startedAt);
  return {
    run_id: text(row.run_id),
    repo_full_name: text(row.repo_full_name),
    run_kind: text(row.run_kind),
    issue_number: int(row.issue_number),
    pr_number: intOrNull(row.pr_number),
    flow: textOrNull(row.flow),
    branch: textOrNull(row.branch),
    started_at: startedAt,
    elapsed_seconds: startedMs === null ? 0 : secondsSince(nowMs, startedMs),
    prompt: metaString(meta, 'last_prompt'),
    codex_mode: metaString(meta, 'codex_mode'),
    codex_session_id: metaString(meta, 'codex_session_id'),
    codex_invocation_started_at: metaString(meta, 'codex_invocation_started_at'),
    liveness: {
      last_progress_at: metaString(meta, 'last_progress_at'),
      codex_timeout_at: metaString(meta, 'codex_timeout_at'),
      codex_idle_timeout_seconds: metaNumber(meta, 'codex_idle_timeout_seconds'),
      codex_timeout_seconds: metaNumber(meta, 'codex_timeout_seconds'),
      codex_pid: metaNumber(meta, 'codex_pid'),
      run_phase: metaString(meta, 'run_phase'),
    },
  };
}

function toRunHistoryRow(row: SqlRow): RunHistoryRow {
  return {
    run_id: text(row.run_id),
    repo_full_name: text(row.repo_full_name),
    run_kind: text(row.run_kind),
    issue_number: int(row.issue_number),
    pr_number: intOrNull(row.pr_number),
    flow: textOrNull(row.flow),
    branch: textOrNull(row.branch),
    started_at: text(row.started_at),
    finished_at: textOrNull(row.finished_at),
    terminal_status: textOrNull(row.terminal_status),
    failure_class: textOrNull(row.failure_class),
    error: textOrNull(row.error),
    duration_seconds: numOrNull(row.duration_seconds),
  };
}

export { prKey };

export function issueKey(repo: string, issue: Int): string {
  return `${repo}#${String(issue)}`;
}

type OkFigure<T> = Extract<Figure<T>, { ok: true }>;

/** What a refresh needs of tracked work: the overview counts, and the list unless it was skipped. */
export interface TrackedWork {
  counts: Figure<{ blocked: number; tracked: number }>;
  tracked?: Figure<TrackedRow[]>;
}

function mergeNotes(a: SchemaGap[], b: SchemaGap[]): SchemaGap[] {
  const seen = new Set<string>();
  return [...a, ...b].filter((gap) => {
    const key = `${gap.table}.${gap.column ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
