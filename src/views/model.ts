// Item descriptions for the Active Agents and Tracked & Blocked views, from data-layer rows.
// Pure: no `vscode`, so plain-Node tests run it against the fixture databases.
import { formatDuration, formatRelative } from '../data/format';
import { parseTimestamp, secondsSince } from '../data/timestamps';
import type { ActiveAgentDetail, Int, TrackedRow } from '../data/types';
import type { WorkTarget } from '../host/session';
import { contextValue, type ItemModel } from './modelItems';
import { escapeMarkdown, field, lines, markdownCodeBlock, plainLine } from './modelText';

/** How an active run looks to the liveness rules (computed by the caller). */
export interface AgentHealth {
  state: 'ok' | 'stalled' | 'orphaned';
  /** One line for the tooltip, e.g. "no progress for 14m; idle timeout 10m". */
  summary?: string;
}

export interface ServiceBanner {
  /** "MergeXO is not running" */
  title: string;
  /** "3 runs shown as active were left by a stopped service" */
  detail: string;
  /** Longer explanation for the tooltip (plain text; escaped here). */
  explanation?: string;
}

export interface AgentModelOptions {
  nowMs: number;
  health?: (agent: ActiveAgentDetail) => AgentHealth;
  /** Worktree folder of a run when one exists on disk. */
  worktree?: (agent: ActiveAgentDetail) => string | undefined;
  banner?: ServiceBanner;
}

const PROMPT_TOOLTIP_LIMIT = 1500;

export function toNumber(value: Int | null | undefined): number | undefined {
  return value == null ? undefined : Number(value);
}

function key(repo: string, number: Int | null | undefined): string {
  return `${repo}#${String(number ?? '')}`;
}

export function agentElapsedSeconds(agent: ActiveAgentDetail, nowMs: number): number {
  const started = parseTimestamp(agent.started_at);
  return started === null ? agent.elapsed_seconds : secondsSince(nowMs, started);
}

export function agentLabel(agent: ActiveAgentDetail): string {
  return `#${String(agent.issue_number)} ${plainLine(agent.flow ?? agent.run_kind, 40)}`;
}

export function agentDescription(agent: ActiveAgentDetail, nowMs: number): string {
  const parts = [formatDuration(agentElapsedSeconds(agent, nowMs))];
  if (agent.pr_number != null) parts.push(`PR #${String(agent.pr_number)}`);
  if (agent.branch) parts.push(plainLine(agent.branch, 60));
  return parts.join(' · ');
}

export function agentTooltip(agent: ActiveAgentDetail, nowMs: number, health?: AgentHealth): string {
  const live = agent.liveness;
  const relative = (value: string | null) => (value ? `${value} (${formatRelative(value, nowMs)})` : null);
  const header = `**${escapeMarkdown(agent.repo_full_name)} \\#${String(agent.issue_number)}**`;
  const warning =
    health && health.state !== 'ok' && health.summary ? `⚠ ${escapeMarkdown(health.summary)}` : null;
  const body = lines([
    header,
    warning,
    field('Run kind', agent.run_kind),
    field('Flow', agent.flow),
    field('PR', agent.pr_number == null ? null : `#${String(agent.pr_number)}`),
    field('Branch', agent.branch),
    field('Started', `${agent.started_at} (${formatDuration(agentElapsedSeconds(agent, nowMs))} ago)`),
    field('Run id', agent.run_id),
    field('Mode', agent.codex_mode),
    field('Session', agent.codex_session_id),
    field('Invocation started', relative(agent.codex_invocation_started_at)),
    field('Last progress', relative(live.last_progress_at)),
    field('Phase', live.run_phase),
    field('Agent pid', live.codex_pid),
    field('Timeout at', relative(live.codex_timeout_at)),
    field(
      'Idle timeout',
      live.codex_idle_timeout_seconds == null ? null : formatDuration(live.codex_idle_timeout_seconds),
    ),
  ]);
  if (!agent.prompt) return `${body}  \n${field('Prompt', null)}`;
  const prompt =
    agent.prompt.length > PROMPT_TOOLTIP_LIMIT
      ? `${agent.prompt.slice(0, PROMPT_TOOLTIP_LIMIT)}\n… (${agent.prompt.length} characters in all)`
      : agent.prompt;
  return `${body}\n\n**Prompt:**\n\n${markdownCodeBlock(prompt)}`;
}

export function agentTarget(agent: ActiveAgentDetail): WorkTarget {
  const target: WorkTarget = { repo: agent.repo_full_name, issue: Number(agent.issue_number) };
  if (agent.pr_number != null) target.pr = Number(agent.pr_number);
  if (agent.branch) target.branch = agent.branch;
  target.runId = agent.run_id;
  return target;
}

export function agentItem(agent: ActiveAgentDetail, options: AgentModelOptions): ItemModel {
  const health = options.health?.(agent) ?? { state: 'ok' };
  const worktree = options.worktree?.(agent);
  const icon =
    health.state === 'stalled'
      ? { id: 'watch', color: 'list.warningForeground' }
      : health.state === 'orphaned'
        ? { id: 'debug-disconnect', color: 'disabledForeground' }
        : { id: 'pulse', color: 'charts.green' };
  const description = agentDescription(agent, options.nowMs);
  const stateWord = health.state === 'ok' ? '' : health.state === 'stalled' ? ', stalled' : ', orphaned';
  return {
    id: `agent/${key(agent.repo_full_name, agent.issue_number)}/${agent.run_id}`,
    kind: 'agent',
    label: agentLabel(agent),
    description,
    tooltip: agentTooltip(agent, options.nowMs, health),
    icon,
    contextValue: contextValue('agent', {
      hasIssue: true,
      hasPr: agent.pr_number != null,
      hasBranch: Boolean(agent.branch),
      hasRun: true,
      hasWorktree: worktree !== undefined,
      stalled: health.state === 'stalled',
    }),
    target: agentTarget(agent),
    accessibilityLabel:
      `Issue ${String(agent.issue_number)} ${plainLine(agent.flow ?? agent.run_kind, 40)}` +
      `${stateWord}, ${description}`,
    collapsible: 'none',
  };
}

/**
 * How many agents are stalled (their writer is alive but they made no progress for too long) and
 * how many orphaned (their writer is gone), by the same rule as the tree's icons.
 */
export function countHealth(
  agents: readonly ActiveAgentDetail[],
  health: (agent: ActiveAgentDetail) => AgentHealth,
): { stalled: number; orphaned: number } {
  const counts = { stalled: 0, orphaned: 0 };
  for (const agent of agents) {
    const state = health(agent).state;
    if (state !== 'ok') counts[state] += 1;
  }
  return counts;
}

/** Longest running first; ties by repository, issue and run id, so the order is total. */
export function sortAgents(agents: ActiveAgentDetail[], nowMs: number): ActiveAgentDetail[] {
  return [...agents].sort(
    (a, b) =>
      agentElapsedSeconds(b, nowMs) - agentElapsedSeconds(a, nowMs) ||
      compare(a.repo_full_name, b.repo_full_name) ||
      compare(Number(a.issue_number), Number(b.issue_number)) ||
      compare(a.run_id, b.run_id),
  );
}

/** The Active Agents tree: grouped by repository when more than one has agents. */
export function agentItems(agents: ActiveAgentDetail[], options: AgentModelOptions): ItemModel[] {
  const sorted = sortAgents(agents, options.nowMs);
  const banner = options.banner ? [bannerItem(options.banner)] : [];
  const repos = unique(sorted.map((agent) => agent.repo_full_name));
  if (repos.length <= 1) return [...banner, ...sorted.map((agent) => agentItem(agent, options))];
  return [
    ...banner,
    ...repos.map((repo) => {
      const children = sorted
        .filter((agent) => agent.repo_full_name === repo)
        .map((agent) => agentItem(agent, options));
      return repoGroup(
        'agents',
        repo,
        children,
        children.length === 1 ? '1 agent' : `${children.length} agents`,
      );
    }),
  ];
}

export function bannerItem(banner: ServiceBanner): ItemModel {
  return {
    id: 'agents/banner/service-down',
    kind: 'banner',
    label: plainLine(banner.title, 80),
    description: plainLine(banner.detail, 200),
    tooltip: lines([`**${escapeMarkdown(banner.title)}**`, escapeMarkdown(banner.detail)]).concat(
      banner.explanation ? `\n\n${escapeMarkdown(banner.explanation)}` : '',
    ),
    icon: { id: 'warning', color: 'list.warningForeground' },
    contextValue: 'mergexo:banner',
    accessibilityLabel: `${plainLine(banner.title, 80)}. ${plainLine(banner.detail, 200)}`,
    collapsible: 'none',
  };
}

function repoGroup(view: string, repo: string, children: ItemModel[], description: string): ItemModel {
  return {
    id: `${view}/repo/${repo}`,
    kind: 'repo',
    label: plainLine(repo, 100),
    description,
    tooltip: `**${escapeMarkdown(repo)}**  \n${escapeMarkdown(description)}`,
    icon: { id: 'repo' },
    contextValue: 'mergexo:repo',
    target: { repo },
    collapsible: 'expanded',
    children,
  };
}

// ---- tracked and blocked ------------------------------------------------------------------------

const STATUS_WORDS: Record<string, string> = {
  awaiting_feedback: 'awaiting feedback',
  awaiting_issue_followup: 'awaiting follow-up',
  blocked: 'blocked',
};

export function statusWords(status: string): string {
  return STATUS_WORDS[status] ?? status.replace(/_/g, ' ');
}

export function isBlockedRow(row: TrackedRow): boolean {
  return row.status !== 'awaiting_feedback';
}

function hasBranch(branch: string | null | undefined): branch is string {
  return Boolean(branch) && branch !== '-';
}

export function trackedId(row: TrackedRow): string {
  return row.pr_number == null
    ? `tracked/issue/${key(row.repo_full_name, row.issue_number)}`
    : `tracked/pr/${key(row.repo_full_name, row.pr_number)}`;
}

export function trackedDescription(row: TrackedRow, nowMs: number): string {
  const parts: string[] = [];
  if (row.pr_number != null) parts.push(`#${String(row.issue_number)}`);
  parts.push(plainLine(row.blocked_reason || statusWords(row.status), 60));
  if (row.pr_number != null) parts.push(`${row.pending_event_count} pending`);
  if (row.updated_at !== '-') parts.push(formatRelative(row.updated_at, nowMs));
  return parts.join(' · ');
}

export function trackedTooltip(row: TrackedRow, nowMs: number): string {
  const what =
    row.pr_number == null ? `issue \\#${String(row.issue_number)}` : `PR \\#${String(row.pr_number)}`;
  const reason = row.blocked_reason ?? '';
  const reasonBlock = /\n/.test(reason)
    ? `\n\n**Reason:**\n\n${markdownCodeBlock(reason.slice(0, 2000))}`
    : `  \n${field('Reason', row.blocked_reason)}`;
  return (
    lines([
      `**${escapeMarkdown(row.repo_full_name)} ${what}**`,
      field('Status', statusWords(row.status)),
      field('Issue', `#${String(row.issue_number)}`),
      field('PR', row.pr_number == null ? null : `#${String(row.pr_number)}`),
      field('Branch', hasBranch(row.branch) ? row.branch : null),
      field('Head commit', row.last_seen_head_sha),
      row.pr_number == null ? null : field('Pending events', row.pending_event_count),
      field(
        'Last activity',
        row.updated_at === '-' ? null : `${row.updated_at} (${formatRelative(row.updated_at, nowMs)})`,
      ),
    ]) + reasonBlock
  );
}

export function trackedItem(row: TrackedRow, nowMs: number): ItemModel {
  const blocked = isBlockedRow(row);
  const target: WorkTarget = { repo: row.repo_full_name, issue: Number(row.issue_number) };
  if (row.pr_number != null) target.pr = Number(row.pr_number);
  if (hasBranch(row.branch)) target.branch = row.branch;
  if (row.last_seen_head_sha) target.sha = row.last_seen_head_sha;
  const label = row.pr_number == null ? `#${String(row.issue_number)}` : `PR #${String(row.pr_number)}`;
  const description = trackedDescription(row, nowMs);
  return {
    id: trackedId(row),
    kind: 'tracked',
    label,
    description,
    tooltip: trackedTooltip(row, nowMs),
    icon: blocked
      ? { id: 'warning', color: 'list.warningForeground' }
      : { id: row.pr_number == null ? 'issues' : 'git-pull-request' },
    contextValue: contextValue(row.pr_number == null ? 'issue' : 'pr', {
      hasIssue: true,
      hasPr: row.pr_number != null,
      hasBranch: hasBranch(row.branch),
      hasCommit: Boolean(row.last_seen_head_sha),
      blocked,
    }),
    target,
    accessibilityLabel: `${blocked ? 'Blocked' : 'Tracked'} ${label.replace('#', 'number ')}, ${description}`,
    collapsible: 'none',
  };
}

export interface WorkCounts {
  blocked: number;
  tracked: number;
}

function countExplanation(kind: 'blocked' | 'tracked', listed: number, counted: number | undefined): string {
  const base =
    `${listed} listed. The overview counts ${counted ?? 'unknown'} ${kind}. ` +
    'Both follow MergeXO: the overview counts PRs whose feedback turn is running right now, ' +
    'while the list shows those PRs under Active Agents instead.';
  return escapeMarkdown(base);
}

/** Two groups, "Blocked (n)" then "Tracked (n)", each split by repository when rows span several. */
export function trackedItems(rows: TrackedRow[], nowMs: number, counts?: WorkCounts): ItemModel[] {
  const multiRepo = unique(rows.map((row) => row.repo_full_name)).length > 1;
  const group = (kind: 'blocked' | 'tracked', members: TrackedRow[]): ItemModel => {
    const items = members.map((row) => trackedItem(row, nowMs));
    const title = kind === 'blocked' ? 'Blocked' : 'Tracked';
    const children = multiRepo
      ? unique(members.map((row) => row.repo_full_name)).map((repo) => {
          const inRepo = items.filter((item) => item.target?.repo === repo);
          return repoGroup(`tracked/${kind}`, repo, inRepo, `${inRepo.length}`);
        })
      : items;
    return {
      id: `tracked/group/${kind}`,
      kind: 'group',
      label: `${title} (${members.length})`,
      tooltip: `**${title}**  \n${countExplanation(kind, members.length, counts?.[kind])}`,
      icon: kind === 'blocked' ? { id: 'warning', color: 'list.warningForeground' } : { id: 'eye' },
      contextValue: `mergexo:group+${kind}`,
      collapsible: members.length === 0 ? 'none' : 'expanded',
      children,
    };
  };
  return [
    group(
      'blocked',
      rows.filter((row) => isBlockedRow(row)),
    ),
    group(
      'tracked',
      rows.filter((row) => !isBlockedRow(row)),
    ),
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
