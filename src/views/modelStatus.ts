// What the status-bar item says, as plain data: text with icons we choose, and a Markdown tooltip
// in which every database-derived string is escaped.
import { formatDuration } from '../data/format';
import type { MetricsWindow, Overview } from '../data/types';
import { escapeMarkdown } from './modelText';

export interface StatusInput {
  state: 'none' | 'error' | 'open';
  /** Why there is no database, or why it cannot be read. */
  message?: string;
  path?: string;
  /** `undefined` when the file cannot provide the figure (older MergeXO). */
  overview?: Overview;
  /** Why the overview is unavailable. */
  overviewGap?: string;
  stalled: number;
  serviceDown?: string;
  /** Local time of the last good read, when the file is locked and the figures are stale. */
  staleSince?: string;
  window: MetricsWindow;
  repo: string | null;
}

export interface StatusModel {
  text: string;
  tooltip: string;
  /** True only for real trouble: the service is down or the file cannot be read. */
  warning: boolean;
  accessibilityLabel: string;
}

export const staleText = (time: string) =>
  `Showing data from ${time}: the database is locked by another process.`;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function statusModel(input: StatusInput): StatusModel {
  const scope = input.repo === null ? 'all repositories' : escapeMarkdown(input.repo);
  if (input.state === 'none') {
    return {
      text: '$(pulse) MergeXO: no database',
      tooltip: `**MergeXO**\n\n${escapeMarkdown(input.message ?? 'No MergeXO database was found.')}`,
      warning: false,
      accessibilityLabel: 'MergeXO: no database found',
    };
  }
  if (input.state === 'error') {
    return {
      text: '$(warning) MergeXO: unreadable',
      tooltip: `**MergeXO**\n\n${escapeMarkdown(input.message ?? 'The database cannot be read.')}`,
      warning: true,
      accessibilityLabel: 'MergeXO: the database cannot be read',
    };
  }
  const overview = input.overview;
  const head = [`**MergeXO** · ${scope} · window ${input.window}`];
  if (input.serviceDown) head.push(`⚠ ${escapeMarkdown(input.serviceDown)}`);
  if (input.staleSince) head.push(`⚠ ${escapeMarkdown(staleText(input.staleSince))}`);
  if (!overview) {
    return {
      text: '$(pulse) MergeXO: no run history',
      tooltip: [...head, escapeMarkdown(input.overviewGap ?? 'The overview is unavailable.')].join('\n\n'),
      warning: Boolean(input.serviceDown),
      accessibilityLabel: 'MergeXO: this database has no run history',
    };
  }
  let text = `$(pulse) ${plural(overview.active_agents, 'agent')}`;
  if (input.stalled > 0) text += ` (${input.stalled} stalled)`;
  if (overview.blocked_prs > 0) text += `  $(warning) ${overview.blocked_prs} blocked`;
  if (input.staleSince) text += ' $(history) stale';
  const rows: [string, string][] = [
    ['Active agents', String(overview.active_agents)],
    ['Stalled agents', String(input.stalled)],
    ['Blocked', String(overview.blocked_prs)],
    ['Tracked', String(overview.tracked_prs)],
    [`Failures (${input.window})`, String(overview.failures)],
    [`Mean runtime (${input.window})`, formatDuration(overview.mean_runtime_seconds)],
    [`Std-dev runtime (${input.window})`, formatDuration(overview.stddev_runtime_seconds)],
  ];
  const table = ['| Figure | Value |', '|:--|--:|', ...rows.map(([name, value]) => `| ${name} | ${value} |`)];
  const tooltip = [
    ...head,
    table.join('\n'),
    `${escapeMarkdown(input.path ?? '')}`,
    'Click to show the Active Agents view.',
  ].join('\n\n');
  const spoken =
    `MergeXO: ${plural(overview.active_agents, 'agent')}, ${overview.blocked_prs} blocked` +
    (input.serviceDown ? '. MergeXO is not running' : '');
  return { text, tooltip, warning: Boolean(input.serviceDown), accessibilityLabel: spoken };
}
