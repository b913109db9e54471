// The metrics panel's messages, shared by the extension host (src/panels/metricsPanel.ts) and the
// webview (webview/metrics). Discriminated on `type`; the host validates every incoming message.
import type { ChartSeries } from '../../src/data/charts';
import type { Figure, Metrics, MetricsWindow } from '../../src/data/types';
import {
  accepted,
  isRecord,
  isRepoName,
  parseCommonMessage,
  refused,
  type OpenLinkMessage,
  type Parsed,
  type ReadyMessage,
  type UnavailableMessage,
} from '../shared/protocol';

export const METRICS_VIEW_TYPE = 'mergexo.metrics';
export const METRICS_WINDOWS: readonly MetricsWindow[] = ['1h', '24h', '7d', '30d'];

/** What the user chose to look at; persisted by the webview and restored with the panel. */
export interface MetricsIntent {
  window: MetricsWindow;
  /** `null` for all repositories. */
  repo: string | null;
}

/** Everything the panel shows, read in one database snapshot. */
export interface MetricsSnapshot extends MetricsIntent {
  /** The clock the figures were computed at (epoch ms). */
  nowMs: number;
  /** Every repository in the database, for the selector. */
  repositories: string[];
  /** Overview definitions: active agents, blocked and tracked counts, failures of any run kind. */
  activeAgents: Figure<number>;
  work: Figure<{ blocked: number; tracked: number }>;
  failures: Figure<number>;
  /** Metrics definitions: terminal runs of issue, implementation and pre-PR follow-up flows. */
  metrics: Figure<Metrics>;
  series: Figure<ChartSeries>;
}

export type MetricsToWebview = { type: 'snapshot'; snapshot: MetricsSnapshot } | UnavailableMessage;

export type SetScopeMessage = { type: 'setScope'; window: MetricsWindow; repo: string | null };
export type MetricsFromWebview = ReadyMessage | OpenLinkMessage | SetScopeMessage;

export function isMetricsWindow(value: unknown): value is MetricsWindow {
  return typeof value === 'string' && (METRICS_WINDOWS as readonly string[]).includes(value);
}

export function parseMetricsMessage(value: unknown): Parsed<MetricsFromWebview> {
  if (!isRecord(value)) return refused('not an object');
  const common = parseCommonMessage(value);
  if (common) return common;
  if (value.type === 'setScope') {
    if (!isMetricsWindow(value.window)) return refused('setScope with an unknown window');
    if (value.repo !== null && !isRepoName(value.repo)) return refused('setScope with an invalid repository');
    return accepted({ type: 'setScope', window: value.window, repo: value.repo });
  }
  // Only a string is quoted: String() of an object from the page could throw.
  const type = typeof value.type === 'string' ? value.type : typeof value.type;
  return refused(`unknown message type ${JSON.stringify(type).slice(0, 40)}`);
}

export const SORT_COLUMNS = ['repo', 'terminal', 'failed', 'rate', 'mean', 'stddev'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

/** The webview's persisted state (`setState`): intent only, never data. */
export interface MetricsState extends MetricsIntent {
  sort: { column: SortColumn; descending: boolean };
  howOpen: boolean;
}

export const DEFAULT_SORT: MetricsState['sort'] = { column: 'repo', descending: false };

/** Reads a persisted state back (after a reload it comes from disk: check it like a message). */
export function parseMetricsState(value: unknown): MetricsState | undefined {
  if (!isRecord(value) || !isMetricsWindow(value.window)) return undefined;
  const repo = value.repo === null || isRepoName(value.repo) ? value.repo : null;
  const sort = isRecord(value.sort) ? value.sort : {};
  const column = (SORT_COLUMNS as readonly unknown[]).includes(sort.column)
    ? (sort.column as SortColumn)
    : DEFAULT_SORT.column;
  return {
    window: value.window,
    repo,
    sort: { column, descending: sort.descending === true },
    howOpen: value.howOpen === true,
  };
}
