// The history of one issue or pull request as a single newest-first timeline: agent runs, PR
// status transitions, operator commands and the service restarts that happened meanwhile. The
// merge is a pure function over rows; `readTimeline` only gathers those rows in one snapshot.
import type { MergexoDatabase } from './database';
import { isCodexActive } from './meta';
import type { SqlRow, SqlValue } from './sqlite';
import { isoFromMs, parseTimestamp, secondsSince } from './timestamps';
import type {
  Int,
  OperatorCommandRow,
  PrTransition,
  QueryScope,
  RunHistoryRow,
  RuntimeOperationRow,
  SchemaGap,
} from './types';

export type TimelineKind = 'issue' | 'pr';

/** What a timeline is about: an issue or a PR of one repository (numbers repeat across repositories). */
export interface TimelineSubject {
  kind: TimelineKind;
  repo: string;
  number: number;
}

interface EventBase {
  /** Stable across refreshes; the webview keys expanded state on it. */
  id: string;
  /** The instant the event is placed at, as stored. */
  at: string;
  atMs: number | null;
}

export type RunState = 'running' | 'stale' | 'finished';

export interface RunEvent extends EventBase {
  kind: 'run';
  runId: string;
  runKind: string;
  flow: string | null;
  issueNumber: number;
  prNumber: number | null;
  branch: string | null;
  startedAt: string;
  finishedAt: string | null;
  terminalStatus: string | null;
  failureClass: string | null;
  error: string | null;
  durationSeconds: number | null;
  /** `running`: unfinished with an active agent; `stale`: unfinished, agent not active. */
  state: RunState;
  /** For unfinished runs: now − started_at at the snapshot (the webview keeps counting). */
  elapsedSeconds: number | null;
}

export interface TransitionEvent extends EventBase {
  kind: 'transition';
  transitionId: string;
  prNumber: number;
  issueNumber: number;
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
  detail: string | null;
}

export interface CommandEvent extends EventBase {
  kind: 'command';
  commandKey: string;
  command: string;
  author: string;
  status: string;
  result: string;
  issueNumber: number;
  prNumber: number | null;
}

export interface RestartEvent extends EventBase {
  kind: 'restart';
  opName: string;
  status: string;
  requestedBy: string;
  requestRepo: string;
  mode: string;
  detail: string | null;
  updatedAt: string;
}

export type TimelineEvent = RunEvent | TransitionEvent | CommandEvent | RestartEvent;
export type TimelineEventKind = TimelineEvent['kind'];
export const TIMELINE_EVENT_KINDS: readonly TimelineEventKind[] = ['run', 'transition', 'command', 'restart'];

export interface TimelineInput {
  runs: RunHistoryRow[];
  /** Run ids of unfinished runs whose agent is active (`codex_active` exactly true). */
  activeRunIds: ReadonlySet<string>;
  transitions: PrTransition[];
  commands: OperatorCommandRow[];
  /**
   * Candidate runtime operations: kept when inside the timeline's span, or when one of the
   * subject's operator commands requested them (a restart lands just after the command).
   */
  operations: TimelineOperation[];
}

export type TimelineOperation = RuntimeOperationRow & { request_command_key?: string | null };

const toNumber = (value: Int): number => Number(value);

/** Order among events at the same instant: the cause before its effect when read top-down. */
const KIND_RANK: Record<TimelineEventKind, number> = { run: 0, transition: 1, command: 2, restart: 3 };

/**
 * The span the subject's own events cover: earliest start to latest event, or to `now` while a run
 * is unfinished. Restarts are shown only inside it. `null` when there are no events at all.
 */
export function timelineSpan(
  input: Pick<TimelineInput, 'runs' | 'transitions' | 'commands'>,
  nowMs: number,
): { fromMs: number; toMs: number } | null {
  const instants: number[] = [];
  let open = false;
  const add = (text: string | null) => {
    const ms = parseTimestamp(text);
    if (ms !== null) instants.push(ms);
  };
  for (const run of input.runs) {
    add(run.started_at);
    add(run.finished_at);
    if (run.finished_at === null) open = true;
  }
  for (const transition of input.transitions) add(transition.changed_at);
  for (const command of input.commands) add(command.created_at);
  if (instants.length === 0) return null;
  const fromMs = Math.min(...instants);
  const toMs = open ? Math.max(nowMs, ...instants) : Math.max(...instants);
  return { fromMs, toMs };
}

export function mergeTimeline(input: TimelineInput, nowMs: number): TimelineEvent[] {
  const events: Array<TimelineEvent & { sortMs: number | null }> = [];
  for (const run of input.runs) {
    const finished = run.finished_at !== null;
    const startedMs = parseTimestamp(run.started_at);
    const at = run.finished_at ?? run.started_at;
    events.push({
      kind: 'run',
      id: `run:${run.run_id}`,
      at,
      atMs: parseTimestamp(at),
      // An unfinished run is the subject's present, so it sorts as "now".
      sortMs: finished ? parseTimestamp(run.finished_at) : nowMs,
      runId: run.run_id,
      runKind: run.run_kind,
      flow: run.flow,
      issueNumber: toNumber(run.issue_number),
      prNumber: run.pr_number === null ? null : toNumber(run.pr_number),
      branch: run.branch,
      startedAt: run.started_at,
      finishedAt: run.finished_at,
      terminalStatus: run.terminal_status,
      failureClass: run.failure_class,
      error: run.error,
      durationSeconds: run.duration_seconds,
      state: finished ? 'finished' : input.activeRunIds.has(run.run_id) ? 'running' : 'stale',
      elapsedSeconds: finished || startedMs === null ? null : secondsSince(nowMs, startedMs),
    });
  }
  for (const row of input.transitions) {
    const atMs = parseTimestamp(row.changed_at);
    events.push({
      kind: 'transition',
      id: `transition:${String(row.id)}`,
      at: row.changed_at,
      atMs,
      sortMs: atMs,
      transitionId: String(row.id),
      prNumber: toNumber(row.pr_number),
      issueNumber: toNumber(row.issue_number),
      fromStatus: row.from_status,
      toStatus: row.to_status,
      reason: row.reason,
      detail: row.detail,
    });
  }
  for (const row of input.commands) {
    const atMs = parseTimestamp(row.created_at);
    events.push({
      kind: 'command',
      id: `command:${row.repo_full_name}:${row.command_key}`,
      at: row.created_at,
      atMs,
      sortMs: atMs,
      commandKey: row.command_key,
      command: row.command,
      author: row.author_login,
      status: row.status,
      result: row.result,
      issueNumber: toNumber(row.issue_number),
      prNumber: row.pr_number === null ? null : toNumber(row.pr_number),
    });
  }
  const span = timelineSpan(input, nowMs);
  const commandKeys = new Set(input.commands.map((command) => command.command_key));
  const seen = new Set<string>();
  for (const row of input.operations) {
    const atMs = parseTimestamp(row.created_at);
    const requested = row.request_command_key != null && commandKeys.has(row.request_command_key);
    const inSpan = span !== null && atMs !== null && atMs >= span.fromMs && atMs <= span.toMs;
    const id = `restart:${row.op_name}:${row.created_at}`;
    if ((!requested && !inSpan) || seen.has(id)) continue;
    seen.add(id);
    events.push({
      kind: 'restart',
      id,
      at: row.created_at,
      atMs,
      sortMs: atMs,
      opName: row.op_name,
      status: row.status,
      requestedBy: row.requested_by,
      requestRepo: row.request_repo_full_name,
      mode: row.mode,
      detail: row.detail,
      updatedAt: row.updated_at,
    });
  }
  events.sort((a, b) => {
    if (a.sortMs !== b.sortMs) {
      if (a.sortMs === null) return 1;
      if (b.sortMs === null) return -1;
      return b.sortMs - a.sortMs;
    }
    return KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  });
  return events.map(({ sortMs: _sortMs, ...event }) => event as TimelineEvent);
}

// ---- reading -------------------------------------------------------------------------------------

/** The subject's current state, shown above the timeline. */
export interface TimelineHeader {
  /** `issue_runs.status` for an issue, `pr_feedback_state.status` for a PR; null when not tracked. */
  status: string | null;
  githubState: string | null;
  branch: string | null;
  /** The issue a PR belongs to (for an issue: the issue itself). */
  issueNumber: number | null;
  /** PRs opened for the issue (for a PR: the PR itself). */
  prNumbers: number[];
  headSha: string | null;
}

export interface TimelineData {
  subject: TimelineSubject;
  nowMs: number;
  header: TimelineHeader;
  events: TimelineEvent[];
  /** Why parts are missing on this database (older MergeXO). */
  gaps: SchemaGap[];
  /** True when a source hit its row limit and older events are not shown. */
  truncated: boolean;
}

export const TIMELINE_ROW_LIMIT = 200;

const RUN_COLUMNS =
  'run_id, repo_full_name, run_kind, issue_number, pr_number, flow, branch, started_at, finished_at, ' +
  'terminal_status, failure_class, error, duration_seconds';

function str(value: SqlValue | undefined): string | null {
  return value == null ? null : typeof value === 'string' ? value : String(value);
}

function int(value: SqlValue | undefined): Int {
  return typeof value === 'bigint' || typeof value === 'number' ? value : Number(value ?? 0);
}

function toRun(row: SqlRow): RunHistoryRow {
  return {
    run_id: str(row.run_id) ?? '',
    repo_full_name: str(row.repo_full_name) ?? '',
    run_kind: str(row.run_kind) ?? '',
    issue_number: int(row.issue_number),
    pr_number: row.pr_number == null ? null : int(row.pr_number),
    flow: str(row.flow),
    branch: str(row.branch),
    started_at: str(row.started_at) ?? '',
    finished_at: str(row.finished_at),
    terminal_status: str(row.terminal_status),
    failure_class: str(row.failure_class),
    error: str(row.error),
    duration_seconds: row.duration_seconds == null ? null : Number(row.duration_seconds),
  };
}

function toTransition(row: SqlRow): PrTransition {
  return {
    id: int(row.id),
    repo_full_name: str(row.repo_full_name) ?? '',
    pr_number: int(row.pr_number),
    issue_number: int(row.issue_number),
    from_status: str(row.from_status),
    to_status: str(row.to_status) ?? '',
    reason: str(row.reason),
    detail: str(row.detail),
    changed_at: str(row.changed_at) ?? '',
  };
}

/**
 * Gathers everything about one issue or PR inside one read snapshot and merges it.
 * - Issue: its runs, transitions of every PR opened for it, commands on it or its PRs.
 * - PR: its feedback turns and the run that produced its branch, its transitions, commands on it.
 */
export function readTimeline(db: MergexoDatabase, subject: TimelineSubject, nowMs: number): TimelineData {
  return db.connection.readSnapshot(() => {
    const scope: QueryScope = { repo: subject.repo, nowMs };
    const q = db.queries;
    const schema = db.schema;
    const gaps: SchemaGap[] = [];
    const rows = (sql: string, params: SqlValue[]) => db.connection.prepare(sql).all(...params);
    const one = (sql: string, params: SqlValue[]) => db.connection.prepare(sql).get(...params);
    const limit = TIMELINE_ROW_LIMIT;

    const header: TimelineHeader = {
      status: null,
      githubState: null,
      branch: null,
      issueNumber: subject.kind === 'issue' ? subject.number : null,
      prNumbers: subject.kind === 'pr' ? [subject.number] : [],
      headSha: null,
    };
    let runs: RunHistoryRow[] = [];
    let transitions: PrTransition[] = [];

    if (subject.kind === 'issue') {
      if (schema.hasTable('issue_runs')) {
        const row = one('SELECT * FROM issue_runs WHERE repo_full_name = ? AND issue_number = ?', [
          subject.repo,
          subject.number,
        ]);
        if (row) {
          header.status = str(row.status);
          header.githubState = str(row.github_state);
          header.branch = str(row.branch);
          if (row.pr_number != null) header.prNumbers.push(Number(row.pr_number));
        }
      }
      const history = q.issueHistory(scope, subject.number, limit);
      if (history.ok) runs = history.value;
      else gaps.push(history.gap);
      const gap = schema.gap(['pr_status_history']);
      if (gap) gaps.push(gap);
      else {
        transitions = rows(
          `SELECT id, repo_full_name, pr_number, issue_number, from_status, to_status, reason, detail,
                  changed_at
             FROM pr_status_history WHERE repo_full_name = ? AND issue_number = ?
            ORDER BY changed_at DESC, id DESC LIMIT ?`,
          [subject.repo, subject.number, limit],
        ).map(toTransition);
      }
      for (const transition of transitions) header.prNumbers.push(Number(transition.pr_number));
    } else {
      if (schema.hasTable('pr_feedback_state')) {
        const row = one('SELECT * FROM pr_feedback_state WHERE repo_full_name = ? AND pr_number = ?', [
          subject.repo,
          subject.number,
        ]);
        if (row) {
          header.status = str(row.status);
          header.branch = str(row.branch);
          header.headSha = str(row.last_seen_head_sha);
          if (row.issue_number != null) header.issueNumber = Number(row.issue_number);
        }
      }
      const history = q.prHistory(scope, subject.number, limit);
      if (history.ok) transitions = history.value;
      else gaps.push(history.gap);
      if (header.issueNumber === null && transitions[0]) {
        header.issueNumber = Number(transitions[0].issue_number);
      }
      const gap = schema.gap(['agent_run_history']);
      if (gap) gaps.push(gap);
      else {
        // The run that opened the PR has no pr_number; it is the issue's run on the PR's branch.
        runs = rows(
          `SELECT ${RUN_COLUMNS} FROM agent_run_history
            WHERE repo_full_name = ? AND (pr_number = ?
               OR (pr_number IS NULL AND issue_number = ? AND branch = ?))
            ORDER BY started_at DESC, run_id DESC LIMIT ?`,
          [subject.repo, subject.number, header.issueNumber ?? -1, header.branch ?? '', limit],
        ).map(toRun);
      }
    }
    header.prNumbers = [...new Set(header.prNumbers)].sort((a, b) => a - b);
    if (header.branch === null) header.branch = runs.find((run) => run.branch)?.branch ?? null;

    const commandsFigure = q.operatorCommands(
      scope,
      subject.kind === 'issue' ? { issue: subject.number } : { pr: subject.number },
    );
    const commands = commandsFigure.ok ? commandsFigure.value : [];
    if (!commandsFigure.ok) gaps.push(commandsFigure.gap);

    const unfinished = q.unfinishedRuns(scope);
    const activeRunIds = new Set(
      unfinished.ok
        ? unfinished.value.filter((run) => isCodexActive(run.meta)).map((run) => str(run.row.run_id))
        : [],
    );

    const operations: TimelineOperation[] = [];
    const span = timelineSpan({ runs, transitions, commands }, nowMs);
    if (span) {
      // Stored text has three precisions; widen by a second and let the merge filter exactly.
      const found = q.runtimeOperations(isoFromMs(span.fromMs - 1000), isoFromMs(span.toMs + 1000));
      if (found.ok) operations.push(...found.value);
      else gaps.push(found.gap);
    }
    if (commands.length > 0 && schema.gap(['runtime_operations.request_command_key']) === undefined) {
      const keys = commands.map((command) => command.command_key);
      operations.push(
        ...rows(
          `SELECT op_name, status, requested_by, request_command_key, request_repo_full_name, mode, detail,
                  created_at, updated_at
             FROM runtime_operations WHERE request_command_key IN (${keys.map(() => '?').join(', ')})`,
          keys,
        ).map((row) => ({
          op_name: str(row.op_name) ?? '',
          status: str(row.status) ?? '',
          requested_by: str(row.requested_by) ?? '',
          request_command_key: str(row.request_command_key),
          request_repo_full_name: str(row.request_repo_full_name) ?? '',
          mode: str(row.mode) ?? '',
          detail: str(row.detail),
          created_at: str(row.created_at) ?? '',
          updated_at: str(row.updated_at) ?? '',
        })),
      );
    }

    const input: TimelineInput = {
      runs,
      activeRunIds: new Set([...activeRunIds].filter((id): id is string => id !== null)),
      transitions,
      commands,
      operations,
    };
    return {
      subject,
      nowMs,
      header,
      events: mergeTimeline(input, nowMs),
      gaps,
      truncated: runs.length >= limit || transitions.length >= limit || commands.length >= limit,
    };
  });
}
