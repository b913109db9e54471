// The metrics page: overview and metrics cards, the per-repository table, charts, and how each
// number is computed. It only renders what the host sends; the selected window, repository and
// sort are the user's intent and are persisted with setState.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Figure, MetricsRow, MetricsWindow } from '../../src/data/types';
import { Notice } from '../shared/components';
import { formatPercent, formatSeconds, plural, safeLine, sentences } from '../shared/format';
import { useHostMessages } from '../shared/hooks';
import type { HostApi } from '../shared/host';
import { FailuresByClass, RunsOverTime, RuntimeDistribution } from './charts';
import {
  DEFAULT_SORT,
  METRICS_WINDOWS,
  isMetricsWindow,
  parseMetricsState,
  type MetricsFromWebview,
  type MetricsIntent,
  type MetricsSnapshot,
  type MetricsState,
  type MetricsToWebview,
  type SortColumn,
} from './protocol';

export type MetricsHost = HostApi<MetricsFromWebview, MetricsState>;

/** The selector's value for "no filter" (cannot clash: repository names contain a slash). */
const ALL_REPOSITORIES = '__all__';

const WINDOW_LABELS: Record<MetricsWindow, string> = {
  '1h': 'hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
};

/** The formulas, worded once and used by both the card tooltips and the explanation section. */
export const FORMULAS = {
  active: 'Runs with finished_at IS NULL whose meta_json has codex_active exactly true.',
  blocked:
    "PRs with pr_feedback_state.status = 'blocked' plus issues with issue_runs.status = " +
    "'awaiting_issue_followup', minus work taken over by a human or closed on GitHub. " +
    'Unlike the sidebar list, it still counts PRs whose feedback turn is running.',
  tracked:
    "PRs with pr_feedback_state.status = 'awaiting_feedback', minus excluded work. " +
    'Unlike the sidebar list, it still counts PRs whose feedback turn is running ' +
    '(the list shows those as active agents).',
  failures:
    "Runs of any kind, feedback turns included, with terminal_status = 'failed' that finished " +
    'in the window. A different sample from the metrics’ “failed”.',
  terminal:
    'The metrics sample: runs of kind issue_flow, implementation_flow or pre_pr_followup ' +
    '(not feedback turns) with terminal status completed, failed, blocked or interrupted, ' +
    'finished in the window.',
  rate:
    "failed ÷ terminal runs of the metrics sample, where failed means terminal_status = 'failed'; " +
    '0 when there are none.',
  mean: 'Mean of duration_seconds over the metrics sample.',
  stddev:
    'Population standard deviation √max(0, mean(x²) − mean(x)²) over the metrics sample; ' +
    '0 with fewer than 2 runs.',
  percentiles:
    'Ours, not MergeXO’s: nearest-rank percentiles of the same durations (p90 is the shortest ' +
    'duration that at least 90% of runs do not exceed).',
} as const;

function value<T>(figure: Figure<T>): T | undefined {
  return figure.ok ? figure.value : undefined;
}

function Card(props: { label: string; value: string; sub?: string; formula: string; gap?: string }) {
  const id = `card-${props.label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class="card" role="group" aria-labelledby={id} title={props.gap ?? props.formula}>
      <div class="card-label" id={id}>
        {props.label}
      </div>
      <div class={`card-value${props.gap ? ' missing' : ''}`}>{props.gap ? '—' : props.value}</div>
      {props.sub && !props.gap && <div class="card-sub">{props.sub}</div>}
      {props.gap && <div class="card-sub">Not in this database</div>}
    </div>
  );
}

const COLUMNS: Array<{ key: SortColumn; label: string; numeric: boolean }> = [
  { key: 'repo', label: 'Repository', numeric: false },
  { key: 'terminal', label: 'Terminal', numeric: true },
  { key: 'failed', label: 'Failed', numeric: true },
  { key: 'rate', label: 'Failure rate', numeric: true },
  { key: 'mean', label: 'Mean', numeric: true },
  { key: 'stddev', label: 'Std-dev', numeric: true },
];

function sortValue(row: MetricsRow, column: SortColumn): string | number {
  switch (column) {
    case 'repo':
      return row.repo_full_name;
    case 'terminal':
      return row.terminal_count;
    case 'failed':
      return row.failed_count;
    case 'rate':
      return row.failure_rate;
    case 'mean':
      return row.mean_runtime_seconds;
    case 'stddev':
      return row.stddev_runtime_seconds;
  }
}

export function sortRows(rows: MetricsRow[], sort: MetricsState['sort']): MetricsRow[] {
  const direction = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, sort.column);
    const y = sortValue(b, sort.column);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return order * direction || (a.repo_full_name < b.repo_full_name ? -1 : 1);
  });
}

function Cells(props: { row: MetricsRow }) {
  const { row } = props;
  return (
    <>
      <td class="num">{row.terminal_count}</td>
      <td class="num">{row.failed_count}</td>
      <td class="num">{formatPercent(row.failure_rate)}</td>
      <td class="num" title={`${row.mean_runtime_seconds} s`}>
        {formatSeconds(row.mean_runtime_seconds)}
      </td>
      <td class="num" title={`${row.stddev_runtime_seconds} s`}>
        {formatSeconds(row.stddev_runtime_seconds)}
      </td>
    </>
  );
}

function RepoTable(props: {
  rows: MetricsRow[];
  overall: MetricsRow;
  sort: MetricsState['sort'];
  onSort: (column: SortColumn) => void;
  onOpenRepo: (repo: string) => void;
}) {
  const rows = sortRows(props.rows, props.sort);
  return (
    <table class="repo-table">
      <caption class="visually-hidden">Metrics per repository; column headers sort the table.</caption>
      <thead>
        <tr>
          {COLUMNS.map((column) => {
            const active = props.sort.column === column.key;
            return (
              <th
                key={column.key}
                scope="col"
                class={column.numeric ? 'num' : undefined}
                aria-sort={active ? (props.sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button type="button" class="sort" onClick={() => props.onSort(column.key)}>
                  {column.label}
                  <span class="sort-mark" aria-hidden="true">
                    {active ? (props.sort.descending ? ' ▼' : ' ▲') : ''}
                  </span>
                </button>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={COLUMNS.length} class="empty">
              No terminal run in this window.
            </td>
          </tr>
        )}
        {rows.map((row) => (
          <tr key={row.repo_full_name}>
            <th scope="row">
              <button
                type="button"
                class="link"
                title={`Open ${safeLine(row.repo_full_name, 200)} on GitHub`}
                onClick={() => props.onOpenRepo(row.repo_full_name)}
              >
                {safeLine(row.repo_full_name, 200)}
              </button>
            </th>
            <Cells row={row} />
          </tr>
        ))}
      </tbody>
      {rows.length > 1 && (
        <tfoot>
          <tr>
            <th scope="row">All shown</th>
            <Cells row={props.overall} />
          </tr>
        </tfoot>
      )}
    </table>
  );
}

const SAME_AS_CLI = 'The numbers follow MergeXO’s own dashboard definitions, so they equal what';
const SAME_AS_CLI_END =
  'prints for the same window and repository. Two samples are involved, which is why “failures” and ' +
  '“failed” differ:';

function HowComputed(props: { open: boolean; onToggle: (open: boolean) => void }) {
  return (
    <details
      class="how"
      open={props.open}
      onToggle={(event) => props.onToggle((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>How these are computed</summary>
      <p>
        {SAME_AS_CLI} <code>mergexo-obs</code> {SAME_AS_CLI_END}
      </p>
      <dl>
        <dt>Failures (overview)</dt>
        <dd>{FORMULAS.failures}</dd>
        <dt>Terminal runs and failed (metrics)</dt>
        <dd>{FORMULAS.terminal}</dd>
        <dt>Failure rate</dt>
        <dd>{FORMULAS.rate}</dd>
        <dt>Mean and std-dev runtime</dt>
        <dd>
          {FORMULAS.mean} {FORMULAS.stddev}
        </dd>
        <dt>Active agents, blocked, tracked</dt>
        <dd>
          Counted now, not in the window. Active: {FORMULAS.active} Blocked: {FORMULAS.blocked} Tracked:{' '}
          {FORMULAS.tracked}
        </dd>
        <dt>Charts</dt>
        <dd>
          Runs and failures over time bucket the metrics sample by finish time. {FORMULAS.percentiles} Failure
          classes count the metrics sample’s failed runs by failure_class.
        </dd>
      </dl>
    </details>
  );
}

export function MetricsApp(props: { host: MetricsHost }) {
  const { host } = props;
  const [saved] = useState(() => parseMetricsState(host.getState()));
  const [snapshot, setSnapshot] = useState<MetricsSnapshot | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  /** A choice sent to the host whose snapshot has not arrived yet. */
  const [pending, setPending] = useState<MetricsIntent | null>(null);
  const [sort, setSort] = useState(saved?.sort ?? DEFAULT_SORT);
  const [howOpen, setHowOpen] = useState(saved?.howOpen ?? false);

  const onMessage = useCallback((message: MetricsToWebview) => {
    if (message.type === 'snapshot') {
      setSnapshot(message.snapshot);
      setUnavailable(null);
      // The host's snapshot is the truth (the sidebar's filter may have changed it meanwhile).
      setPending(null);
    } else if (message.type === 'unavailable') {
      setUnavailable(message.message);
    }
  }, []);
  useHostMessages(onMessage);
  useEffect(() => host.postMessage({ type: 'ready' }), [host]);

  const selected: MetricsIntent | null = pending ?? snapshot ?? saved ?? null;
  useEffect(() => {
    if (selected) host.setState({ window: selected.window, repo: selected.repo, sort, howOpen });
  }, [host, selected?.window, selected?.repo, sort, howOpen]);

  const choose = (next: MetricsIntent) => {
    setPending(next);
    host.postMessage({ type: 'setScope', window: next.window, repo: next.repo });
  };
  const onSort = (column: SortColumn) =>
    setSort((current) =>
      current.column === column
        ? { column, descending: !current.descending }
        : { column, descending: column !== 'repo' },
    );

  const repositories = useMemo(() => {
    const names = new Set(snapshot?.repositories ?? []);
    if (selected?.repo) names.add(selected.repo);
    return [...names].sort();
  }, [snapshot?.repositories, selected?.repo]);

  if (unavailable !== null && !snapshot) {
    return (
      <main>
        <h1>MergeXO metrics</h1>
        <Notice kind="warning">{safeLine(unavailable, 2000)}</Notice>
      </main>
    );
  }
  if (!snapshot || !selected) {
    return (
      <main aria-busy="true">
        <h1>MergeXO metrics</h1>
        <p class="loading">Loading…</p>
      </main>
    );
  }

  const metrics = value(snapshot.metrics);
  const overall = metrics?.overall;
  const work = value(snapshot.work);
  const series = value(snapshot.series);
  const gap = (figure: Figure<unknown>) => (figure.ok ? undefined : figure.gap.message);
  const windowLabel = WINDOW_LABELS[snapshot.window];
  const dataKey = `${snapshot.nowMs}|${snapshot.window}|${snapshot.repo ?? ''}`;
  const gaps = [snapshot.activeAgents, snapshot.work, snapshot.failures, snapshot.metrics]
    .flatMap((figure) => (figure.ok ? figure.notes.map((note) => note.message) : [figure.gap.message]))
    .filter((message, index, all) => all.indexOf(message) === index);

  return (
    <main>
      <header class="toolbar">
        <h1>MergeXO metrics</h1>
        <div class="controls">
          <div class="control" role="group" aria-labelledby="window-label">
            <span id="window-label" class="control-label">
              Window
            </span>
            <vscode-radio-group
              aria-labelledby="window-label"
              onChange={(event: Event) => {
                const target = event.target as HTMLElement & { value?: string };
                const chosen = target.value ?? target.getAttribute('value');
                if (isMetricsWindow(chosen) && chosen !== selected.window) {
                  choose({ window: chosen, repo: selected.repo });
                }
              }}
            >
              {METRICS_WINDOWS.map((window) => (
                <vscode-radio
                  key={window}
                  name="window"
                  value={window}
                  label={window}
                  checked={window === selected.window}
                  data-window={window}
                >
                  {window}
                </vscode-radio>
              ))}
            </vscode-radio-group>
          </div>
          <label class="control">
            <span class="control-label">Repository</span>
            <select
              class="select"
              value={selected.repo ?? ALL_REPOSITORIES}
              onChange={(event) => {
                const chosen = (event.currentTarget as HTMLSelectElement).value;
                choose({ window: selected.window, repo: chosen === ALL_REPOSITORIES ? null : chosen });
              }}
            >
              <option value={ALL_REPOSITORIES}>All repositories</option>
              {repositories.map((repo) => (
                <option key={repo} value={repo}>
                  {safeLine(repo, 200)}
                </option>
              ))}
            </select>
          </label>
          <span class="as-of" title={new Date(snapshot.nowMs).toISOString()}>
            {pending ? 'Updating…' : `As of ${new Date(snapshot.nowMs).toLocaleTimeString()}`}
          </span>
        </div>
      </header>

      {unavailable !== null && (
        <Notice kind="warning">
          {sentences(safeLine(unavailable, 2000), 'Showing the last figures read.')}
        </Notice>
      )}
      {gaps.length > 0 && (
        <Notice>
          Some figures are not available on this database (written by an older MergeXO):
          <ul>
            {gaps.map((message) => (
              <li key={message}>{safeLine(message)}</li>
            ))}
          </ul>
        </Notice>
      )}

      <section aria-labelledby="now-heading">
        <h2 id="now-heading">Now</h2>
        <div class="cards">
          <Card
            label="Active agents"
            value={String(value(snapshot.activeAgents) ?? '—')}
            formula={FORMULAS.active}
            gap={gap(snapshot.activeAgents)}
          />
          <Card
            label="Blocked"
            value={String(work?.blocked ?? '—')}
            formula={FORMULAS.blocked}
            gap={gap(snapshot.work)}
          />
          <Card
            label="Tracked"
            value={String(work?.tracked ?? '—')}
            formula={FORMULAS.tracked}
            gap={gap(snapshot.work)}
          />
        </div>
      </section>

      <section aria-labelledby="window-heading">
        <h2 id="window-heading">In the last {windowLabel}</h2>
        <div class="cards">
          <Card
            label="Failures (any run kind)"
            value={String(value(snapshot.failures) ?? '—')}
            sub="overview definition"
            formula={FORMULAS.failures}
            gap={gap(snapshot.failures)}
          />
          <Card
            label="Terminal runs"
            value={String(overall?.terminal_count ?? '—')}
            sub="metrics sample"
            formula={FORMULAS.terminal}
            gap={gap(snapshot.metrics)}
          />
          <Card
            label="Failure rate"
            value={overall ? formatPercent(overall.failure_rate) : '—'}
            sub={
              overall
                ? `${overall.failed_count} failed of ${plural(overall.terminal_count, 'terminal run')}`
                : undefined
            }
            formula={FORMULAS.rate}
            gap={gap(snapshot.metrics)}
          />
          <Card
            label="Mean runtime"
            value={overall ? formatSeconds(overall.mean_runtime_seconds) : '—'}
            formula={FORMULAS.mean}
            gap={gap(snapshot.metrics)}
          />
          <Card
            label="Std-dev runtime"
            value={overall ? formatSeconds(overall.stddev_runtime_seconds) : '—'}
            formula={FORMULAS.stddev}
            gap={gap(snapshot.metrics)}
          />
        </div>
      </section>

      {metrics && overall && (
        <section aria-labelledby="repo-heading">
          <h2 id="repo-heading">Per repository</h2>
          <RepoTable
            rows={metrics.per_repo}
            overall={overall}
            sort={sort}
            onSort={onSort}
            onOpenRepo={(repo) => host.postMessage({ type: 'openLink', target: { kind: 'repo', repo } })}
          />
        </section>
      )}

      {series && (
        <section aria-labelledby="charts-heading" class="charts">
          <h2 id="charts-heading">Charts</h2>
          <RunsOverTime series={series.overTime} windowLabel={windowLabel} dataKey={dataKey} />
          <RuntimeDistribution histogram={series.runtime} dataKey={dataKey} />
          <FailuresByClass classes={series.failureClasses} />
        </section>
      )}

      <HowComputed open={howOpen} onToggle={setHowOpen} />
    </main>
  );
}
