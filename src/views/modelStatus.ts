// What the status-bar item says, as plain data: text with icons we choose, and a Markdown tooltip
// in which every database-derived string is escaped.
import { formatDuration } from '../data/format';
import type { MetricsWindow, Overview } from '../data/types';
import { isSafeRepo } from '../host/github';
import { describeSource, type ScopeSource } from '../host/scope';
import type { SessionState } from '../host/session';
import { escapeMarkdown } from './modelText';

export interface StatusInput {
  state: 'none' | 'error' | 'open';
  /** Why the file cannot be read, when `state` is `error`. */
  reason?: Extract<SessionState, { kind: 'error' }>['reason'];
  /** Why there is no database, or why it cannot be read. */
  message?: string;
  path?: string;
  /** `undefined` when the file cannot provide the figure (older MergeXO). */
  overview?: Overview;
  /** Why the overview is unavailable. */
  overviewGap?: string;
  /** Agents whose writer is alive but who made no progress for too long. */
  stalled: number;
  /** Agents whose writer process is gone: they only look active. */
  orphaned?: number;
  serviceDown?: string;
  /** Local time of the last good read, when the file is locked and the figures are stale. */
  staleSince?: string;
  window: MetricsWindow;
  repo: string | null;
  /** Where the repository filter comes from (a pick for this workspace, or the setting). */
  repoSource?: ScopeSource;
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

/**
 * The filter as the status-bar text shows it, so a filtered count is not read as the total. Only a
 * well-formed `owner/name` goes into the text (the text is one short line and expands icons); any
 * other name stays in the escaped tooltip.
 */
function scopeSuffix(repo: string | null): string {
  if (repo === null) return '';
  return isSafeRepo(repo) ? ` · ${repo}` : ' · filtered';
}

function problemTexts(reason: StatusInput['reason']) {
  return reason === 'missing'
    ? {
        text: '$(warning) MergeXO: database file missing',
        fallback: 'The MergeXO database file does not exist.',
        spoken: 'MergeXO: the database file does not exist',
      }
    : {
        text: '$(warning) MergeXO: unreadable',
        fallback: 'The database cannot be read.',
        spoken: 'MergeXO: the database cannot be read',
      };
}

export function statusModel(input: StatusInput): StatusModel {
  const scope =
    input.repo === null ? 'all repositories' : escapeMarkdown(input.repo) + pickedNote(input.repoSource);
  if (input.state === 'none') {
    return {
      text: '$(pulse) MergeXO: no database',
      tooltip: `**MergeXO**\n\n${escapeMarkdown(input.message ?? 'No MergeXO database was found.')}`,
      warning: false,
      accessibilityLabel: 'MergeXO: no database found',
    };
  }
  if (input.state === 'error') {
    const texts = problemTexts(input.reason);
    return {
      text: texts.text,
      tooltip: `**MergeXO**\n\n${escapeMarkdown(input.message ?? texts.fallback)}`,
      warning: true,
      accessibilityLabel: texts.spoken,
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
  const orphaned = input.orphaned ?? 0;
  const troubled = [
    ...(input.stalled > 0 ? [`${input.stalled} stalled`] : []),
    ...(orphaned > 0 ? [`${orphaned} orphaned`] : []),
  ];
  let text = `$(pulse) ${plural(overview.active_agents, 'agent')}`;
  if (troubled.length) text += ` (${troubled.join(', ')})`;
  if (overview.blocked_prs > 0) text += `  $(warning) ${overview.blocked_prs} blocked`;
  text += scopeSuffix(input.repo);
  if (input.staleSince) text += ' $(history) stale';
  const rows: [string, string][] = [
    ['Active agents', String(overview.active_agents)],
    ['Stalled agents (no progress for too long)', String(input.stalled)],
    ['Orphaned agents (their MergeXO process is gone)', String(orphaned)],
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
    `MergeXO: ${plural(overview.active_agents, 'agent')}` +
    troubled.map((part) => `, ${part}`).join('') +
    `, ${overview.blocked_prs} blocked` +
    (input.repo === null ? '' : `, in ${isSafeRepo(input.repo) ? input.repo : 'one repository'}`) +
    (input.serviceDown ? '. MergeXO is not running' : '');
  return { text, tooltip, warning: Boolean(input.serviceDown), accessibilityLabel: spoken };
}

function pickedNote(source: ScopeSource | undefined): string {
  return source === 'picked' ? ` (${describeSource(source, 'mergexo.repository')})` : '';
}
