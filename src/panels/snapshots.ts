// Turning the database into what the panels show, and resolving what a webview asks for back.
// No vscode import: tests build the same snapshots from the fixtures that the panels post.
import { chartSeries, metricSamples, type ChartSeries } from '../data/charts';
import type { MergexoDatabase } from '../data/database';
import type { Figure, QueryScope } from '../data/types';
import { gitHubUrl } from '../host/github';
import type { MetricsIntent, MetricsSnapshot } from '../../webview/metrics/protocol';
import type { LinkTarget } from '../../webview/shared/protocol';
import type { CopyField, TimelineSnapshot } from '../../webview/timeline/protocol';

/** Every figure of the metrics panel, from one read snapshot, with the same functions as the CLI. */
export function readMetricsSnapshot(
  db: MergexoDatabase,
  intent: MetricsIntent,
  nowMs: number,
): MetricsSnapshot {
  return db.connection.readSnapshot(() => {
    const scope: QueryScope = { repo: intent.repo, nowMs };
    const q = db.queries;
    const agents = q.activeAgents(scope);
    const samples = metricSamples(db, scope, intent.window);
    const series: Figure<ChartSeries> = samples.ok
      ? { ok: true, notes: samples.notes, value: chartSeries(samples.value, nowMs, intent.window) }
      : samples;
    return {
      window: intent.window,
      repo: intent.repo,
      nowMs,
      repositories: q.repositories(),
      activeAgents: agents.ok ? { ok: true, notes: agents.notes, value: agents.value.length } : agents,
      work: q.workCounts(scope),
      failures: q.failures(scope, intent.window),
      metrics: q.metrics(scope, intent.window),
      series,
    };
  });
}

/** The text a copy button asks for, looked up in the snapshot the page was given. */
export function resolveCopy(
  snapshot: TimelineSnapshot,
  eventId: string | null,
  field: CopyField,
): string | null {
  if (eventId === null) return field === 'branch' ? snapshot.header.branch : null;
  const event = snapshot.events.find((candidate) => candidate.id === eventId);
  if (!event || event.kind !== 'run') return null;
  if (field === 'runId') return event.runId;
  if (field === 'branch') return event.branch;
  return event.error;
}

/** A github.com URL built from validated parts; `undefined` when any part fails validation. */
export function linkUrl(target: LinkTarget): string | undefined {
  switch (target.kind) {
    case 'repo':
      return gitHubUrl({ repo: target.repo }, 'repo');
    case 'issue':
      return gitHubUrl({ repo: target.repo, issue: target.number }, 'issue');
    case 'pr':
      return gitHubUrl({ repo: target.repo, pr: target.number }, 'pr');
    case 'branch':
      return gitHubUrl({ repo: target.repo, branch: target.branch }, 'branch');
    case 'commit':
      return gitHubUrl({ repo: target.repo, sha: target.sha }, 'commit');
  }
}
