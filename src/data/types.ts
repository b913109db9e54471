// The shapes the data layer returns. Field names are MergeXO's own (snake_case), so the CLI's
// `--json` output can be diffed against MergeXO's dashboard data and scripts can switch over.

/** An integer column value: a number when it fits in 2^53, otherwise an exact bigint. */
export type Int = number | bigint;

export const WINDOWS = ['1h', '24h', '7d', '30d'] as const;
export type MetricsWindow = (typeof WINDOWS)[number];

export interface Overview {
  active_agents: number;
  blocked_prs: number;
  tracked_prs: number;
  failures: number;
  mean_runtime_seconds: number;
  stddev_runtime_seconds: number;
}

export interface MetricsRow {
  repo_full_name: string;
  terminal_count: number;
  failed_count: number;
  failure_rate: number;
  mean_runtime_seconds: number;
  stddev_runtime_seconds: number;
}

export interface Metrics {
  overall: MetricsRow;
  per_repo: MetricsRow[];
}

export interface ActiveAgent {
  run_id: string;
  repo_full_name: string;
  run_kind: string;
  issue_number: Int;
  pr_number: Int | null;
  flow: string | null;
  branch: string | null;
  started_at: string;
  elapsed_seconds: number;
  prompt: string | null;
  codex_mode: string | null;
  codex_session_id: string | null;
  codex_invocation_started_at: string | null;
}

/** Meta fields that MergeXO's dashboard does not print but the extension shows (tooltips, stall rules). */
export interface AgentLiveness {
  last_progress_at: string | null;
  codex_timeout_at: string | null;
  codex_idle_timeout_seconds: number | null;
  codex_timeout_seconds: number | null;
  codex_pid: number | null;
  run_phase: string | null;
}

export type ActiveAgentDetail = ActiveAgent & { liveness: AgentLiveness };

export interface TrackedRow {
  repo_full_name: string;
  pr_number: Int | null;
  issue_number: Int;
  status: string;
  branch: string;
  last_seen_head_sha: string | null;
  blocked_reason: string | null;
  pending_event_count: number;
  /** Last activity (MergeXO names it updated_at); `-` when there is none. */
  updated_at: string;
}

export interface TerminalOutcome {
  repo_full_name: string;
  issue_number: Int;
  pr_number: Int | null;
  status: string;
  branch: string | null;
  updated_at: string;
}

export interface RunHistoryRow {
  run_id: string;
  repo_full_name: string;
  run_kind: string;
  issue_number: Int;
  pr_number: Int | null;
  flow: string | null;
  branch: string | null;
  started_at: string;
  finished_at: string | null;
  terminal_status: string | null;
  failure_class: string | null;
  error: string | null;
  duration_seconds: number | null;
}

export interface PrTransition {
  id: Int;
  repo_full_name: string;
  pr_number: Int;
  issue_number: Int;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  detail: string | null;
  changed_at: string;
}

export interface RoadmapLifecycleCounts {
  active: number;
  revision_requested: number;
  superseded: number;
  abandoned: number;
  completed: number;
}

export interface RoadmapBlocker {
  repo_full_name: string;
  roadmap_issue_number: Int;
  node_id: string;
  blocked_since_at: string;
  age_seconds: number;
  child_issue_number: Int | null;
}

export interface OperatorCommandRow {
  repo_full_name: string;
  command_key: string;
  issue_number: Int;
  pr_number: Int | null;
  author_login: string;
  command: string;
  status: string;
  result: string;
  created_at: string;
  updated_at: string;
}

export interface RuntimeOperationRow {
  op_name: string;
  status: string;
  requested_by: string;
  request_repo_full_name: string;
  mode: string;
  detail: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * A figure the database cannot provide because the MergeXO that wrote it is older (or newer) than
 * the schema the figure needs. Views show `message`; code branches on `kind`, never on text.
 */
export interface SchemaGap {
  kind: 'missing-table' | 'missing-column';
  table: string;
  column?: string;
  message: string;
}

/** Either the figure, or why it cannot be computed on this file. */
export type Figure<T> = { ok: true; value: T; notes: SchemaGap[] } | { ok: false; gap: SchemaGap };

/** Options shared by every query. */
export interface QueryScope {
  /** `null` for all repositories. */
  repo: string | null;
  /** Epoch milliseconds; also the clock for window cutoffs (MergeXO's pinned `'now'`). */
  nowMs: number;
}
