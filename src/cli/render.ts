// Readable tables for the CLI's default output (the `--json` form is MergeXO's own layout).
import Table from 'cli-table3';
import { formatDuration, formatPercent, formatRelative, formatSeconds, oneLine } from '../data/format';
import { displaySafe } from '../data/text';
import type {
  ActiveAgent,
  Figure,
  Metrics,
  MetricsRow,
  Overview,
  PrTransition,
  RoadmapBlocker,
  RoadmapLifecycleCounts,
  RunHistoryRow,
  TerminalOutcome,
  TrackedRow,
} from '../data/types';

export type Section =
  | { kind: 'overview'; figure: Figure<Overview>; partial?: { blocked: number; tracked: number } }
  | { kind: 'agents'; figure: Figure<ActiveAgent[]> }
  | { kind: 'tracked'; figure: Figure<TrackedRow[]> }
  | { kind: 'outcomes'; figure: Figure<TerminalOutcome[]> }
  | { kind: 'issue'; figure: Figure<RunHistoryRow[]> }
  | { kind: 'pr'; figure: Figure<PrTransition[]> }
  | { kind: 'metrics'; figure: Figure<Metrics> }
  | { kind: 'repos'; figure: Figure<string[]> }
  | {
      kind: 'roadmaps';
      figure: Figure<{
        roadmap_lifecycle_counts: RoadmapLifecycleCounts;
        roadmap_blocker_ages: RoadmapBlocker[];
      }>;
    };

const plain = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { head: [] as string[], border: [] as string[], 'padding-left': 0, 'padding-right': 0 },
};

// Control characters and bidirectional overrides from the database could drive the terminal or
// reorder what the operator reads; each cell is one line, cut only where it could not be read anyway
// (a 100 kB branch name), since `--json` has every value whole.
const CELL_MAX_CHARS = 300;
const terminalSafe = (text: string) => displaySafe(text, { max: CELL_MAX_CHARS });

function table(head: string[], rows: (string | number)[][]): string {
  if (rows.length === 0) return '(none)\n';
  const output = new Table({ head, ...plain });
  for (const row of rows) output.push(row.map((cell) => terminalSafe(String(cell))));
  // The last column is padded too; trailing blanks only get in the way of copying and diffing.
  return `${output
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

const show = (value: unknown) =>
  value === null || value === undefined || value === '' ? '-' : String(value);

function metricsRows(rows: MetricsRow[]): (string | number)[][] {
  return rows.map((row) => [
    row.repo_full_name === '__all__' ? 'all repositories' : row.repo_full_name,
    row.terminal_count,
    row.failed_count,
    formatPercent(row.failure_rate),
    formatSeconds(row.mean_runtime_seconds),
    formatSeconds(row.stddev_runtime_seconds),
  ]);
}

const LIFECYCLE_LABELS: Record<string, string> = {
  active: 'active',
  revision_requested: 'awaiting revision merge',
  superseded: 'superseded',
  abandoned: 'abandoned',
  completed: 'completed',
};

/** The part of the overview an older MergeXO file can still give (no run history). */
export function renderPartialOverview(counts: { blocked: number; tracked: number }): string {
  return table(
    ['figure', 'value'],
    [
      ['blocked', counts.blocked],
      ['tracked', counts.tracked],
    ],
  );
}

export function renderSection(section: Section, nowMs: number): string {
  if (!section.figure.ok) return '';
  switch (section.kind) {
    case 'overview': {
      const o = section.figure.value as Overview;
      return table(
        ['figure', 'value'],
        [
          ['active agents', o.active_agents],
          ['blocked', o.blocked_prs],
          ['tracked', o.tracked_prs],
          ['failures (runs of any kind)', o.failures],
          ['mean runtime', formatSeconds(o.mean_runtime_seconds)],
          ['std-dev runtime', formatSeconds(o.stddev_runtime_seconds)],
        ],
      );
    }
    case 'agents':
      return table(
        ['repository', 'issue', 'kind', 'elapsed', 'pr', 'branch', 'run id'],
        (section.figure.value as ActiveAgent[]).map((a) => [
          a.repo_full_name,
          `#${a.issue_number}`,
          a.flow ?? a.run_kind,
          formatDuration(a.elapsed_seconds),
          a.pr_number === null ? '-' : `#${a.pr_number}`,
          show(a.branch),
          a.run_id,
        ]),
      );
    case 'tracked':
      return table(
        ['repository', 'pr', 'issue', 'status', 'pending', 'last activity', 'reason'],
        (section.figure.value as TrackedRow[]).map((t) => [
          t.repo_full_name,
          t.pr_number === null ? '-' : `#${t.pr_number}`,
          `#${t.issue_number}`,
          t.status,
          t.pending_event_count,
          formatRelative(t.updated_at, nowMs),
          oneLine(t.blocked_reason, 60) || '-',
        ]),
      );
    case 'outcomes':
      return table(
        ['repository', 'issue', 'pr', 'status', 'branch', 'updated'],
        (section.figure.value as TerminalOutcome[]).map((t) => [
          t.repo_full_name,
          `#${t.issue_number}`,
          t.pr_number === null ? '-' : `#${t.pr_number}`,
          t.status,
          show(t.branch),
          t.updated_at,
        ]),
      );
    case 'issue':
      return table(
        ['started', 'repository', 'kind', 'status', 'duration', 'failure', 'run id'],
        (section.figure.value as RunHistoryRow[]).map((r) => [
          r.started_at,
          r.repo_full_name,
          r.run_kind,
          r.terminal_status ?? 'running',
          r.duration_seconds === null ? '-' : formatDuration(r.duration_seconds),
          show(r.failure_class),
          r.run_id,
        ]),
      );
    case 'pr':
      return table(
        ['changed', 'repository', 'from', 'to', 'reason', 'detail'],
        (section.figure.value as PrTransition[]).map((t) => [
          t.changed_at,
          t.repo_full_name,
          show(t.from_status),
          t.to_status,
          show(t.reason),
          oneLine(t.detail, 60) || '-',
        ]),
      );
    case 'metrics': {
      const m = section.figure.value as Metrics;
      return table(
        ['repository', 'terminal', 'failed', 'failure rate', 'mean', 'std-dev'],
        metricsRows([m.overall, ...m.per_repo]),
      );
    }
    case 'repos':
      return (
        (section.figure.value as string[]).map((name) => `${terminalSafe(name)}\n`).join('') || '(none)\n'
      );
    case 'roadmaps': {
      const r = section.figure.value as {
        roadmap_lifecycle_counts: RoadmapLifecycleCounts;
        roadmap_blocker_ages: RoadmapBlocker[];
      };
      const counts = table(
        ['lifecycle', 'roadmaps'],
        Object.entries(r.roadmap_lifecycle_counts).map(([name, count]) => [
          LIFECYCLE_LABELS[name] ?? name,
          count,
        ]),
      );
      const blockers = table(
        ['repository', 'roadmap', 'node', 'blocked since', 'age', 'child issue'],
        r.roadmap_blocker_ages.map((b) => [
          b.repo_full_name,
          `#${b.roadmap_issue_number}`,
          b.node_id,
          b.blocked_since_at,
          formatDuration(b.age_seconds),
          b.child_issue_number === null ? '-' : `#${b.child_issue_number}`,
        ]),
      );
      return `${counts}\nBlocked nodes of active roadmaps:\n${blockers}`;
    }
  }
}
