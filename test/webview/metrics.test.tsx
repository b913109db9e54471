// @vitest-environment happy-dom
// The metrics page rendered from snapshots of the fixture database: the cards show MergeXO's
// numbers (the fixture's expected values), the controls post the right messages, intent is
// persisted, and database text is shown as text.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPercent, formatSeconds } from '../../src/data/format';
import type { Metrics, Overview } from '../../src/data/types';
import { MetricsApp, sortRows } from '../../webview/metrics/App';
import { sentences } from '../../webview/shared/format';
import type { MetricsFromWebview, MetricsSnapshot, MetricsState } from '../../webview/metrics/protocol';
import { expectedFiles } from '../support/fixtures';
import { fromHost, metricsSnapshot, recordingHost } from './support';

afterEach(cleanup);

const expected = expectedFiles().find((file) => file.name === 'small.json')!.data as unknown as {
  overview: Record<string, Overview>;
  metrics: Record<string, Metrics>;
};

async function show(snapshot: MetricsSnapshot, state?: unknown) {
  const host = recordingHost<MetricsFromWebview, MetricsState>(state);
  const view = render(<MetricsApp host={host} />);
  await fromHost({ type: 'snapshot', snapshot });
  return { host, view };
}

function card(label: string): HTMLElement {
  return screen.getByRole('group', { name: label });
}

function cardValue(label: string): string {
  return card(label).querySelector('.card-value')!.textContent!;
}

describe('metrics page', () => {
  it('says it is ready, then shows loading until the first snapshot', () => {
    const host = recordingHost<MetricsFromWebview, MetricsState>();
    render(<MetricsApp host={host} />);
    expect(host.posted).toEqual([{ type: 'ready' }]);
    expect(screen.getByText('Loading…')).toBeTruthy();
  });

  it.each(['1h', '24h', '7d', '30d'] as const)('cards show the fixture’s %s values', async (window) => {
    await show(metricsSnapshot(window));
    const overview = expected.overview[window]!;
    const overall = expected.metrics[window]!.overall;
    expect(cardValue('Active agents')).toBe(String(overview.active_agents));
    expect(cardValue('Blocked')).toBe(String(overview.blocked_prs));
    expect(cardValue('Tracked')).toBe(String(overview.tracked_prs));
    expect(cardValue('Failures (any run kind)')).toBe(String(overview.failures));
    expect(cardValue('Terminal runs')).toBe(String(overall.terminal_count));
    expect(cardValue('Failure rate')).toBe(formatPercent(overall.failure_rate));
    expect(cardValue('Mean runtime')).toBe(formatSeconds(overview.mean_runtime_seconds));
    expect(cardValue('Std-dev runtime')).toBe(formatSeconds(overview.stddev_runtime_seconds));
    expect(card('Failure rate').textContent).toContain(
      `${overall.failed_count} failed of ${overall.terminal_count} terminal run`,
    );
  });

  it('the 24h cards read exactly as the CLI prints them', async () => {
    await show(metricsSnapshot('24h'));
    // `mergexo-obs overview --window 24h` and `metrics --window 24h` on small.db.
    expect(cardValue('Failures (any run kind)')).toBe('5');
    expect(cardValue('Mean runtime')).toBe('28m 12s');
    expect(cardValue('Std-dev runtime')).toBe('18m 43s');
    expect(cardValue('Failure rate')).toBe('20.0%');
  });

  it('every card explains its formula in its tooltip, and both failure samples are told apart', async () => {
    await show(metricsSnapshot('24h'));
    expect(card('Failures (any run kind)').title).toContain('feedback turns included');
    expect(card('Terminal runs').title).toContain('issue_flow, implementation_flow or pre_pr_followup');
    expect(card('Std-dev runtime').title).toContain('mean(x²) − mean(x)²');
    expect(card('Tracked').title).toContain('feedback turn is running');
    expect(screen.getByText('How these are computed')).toBeTruthy();
  });

  it('lists every repository with its figures, sortable', async () => {
    const { host } = await show(metricsSnapshot('24h'));
    const table = screen.getByRole('table', { name: /per repository/ });
    const names = () =>
      within(table)
        .getAllByRole('row')
        .slice(1, -1)
        .map((row) => row.querySelector('th')!.textContent);
    expect(names()).toEqual(['acme/gadgets', 'acme/widgets', 'octo/docs']);
    const widgets = within(table).getByText('acme/widgets').closest('tr')!;
    expect(widgets.textContent).toContain('33.3%');
    expect(widgets.textContent).toContain('18m 20s');

    fireEvent.click(within(table).getByRole('button', { name: /Mean/ }));
    expect(names()).toEqual(['acme/gadgets', 'octo/docs', 'acme/widgets']);
    expect(within(table).getByRole('columnheader', { name: /Mean/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    expect((host.state as MetricsState).sort).toEqual({ column: 'mean', descending: true });

    fireEvent.click(within(table).getByRole('button', { name: /acme\/gadgets/ }));
    expect(host.posted.at(-1)).toEqual({ type: 'openLink', target: { kind: 'repo', repo: 'acme/gadgets' } });
  });

  it('changing the window posts setScope with that window and keeps the repository', async () => {
    const { host } = await show(metricsSnapshot('24h', 'acme/widgets'));
    const radio = document.querySelector('vscode-radio[data-window="7d"]')!;
    // The real element sets `value` and dispatches a bubbling `change` (see vscode-radio).
    Object.assign(radio, { value: '7d' });
    await fireEvent(radio, new Event('change', { bubbles: true }));
    expect(host.posted.at(-1)).toEqual({ type: 'setScope', window: '7d', repo: 'acme/widgets' });
    expect(screen.getByText('Updating…')).toBeTruthy();
    expect(host.state).toMatchObject({ window: '7d', repo: 'acme/widgets' });

    await fromHost({ type: 'snapshot', snapshot: metricsSnapshot('7d', 'acme/widgets') });
    expect(screen.queryByText('Updating…')).toBeNull();
    expect(screen.getByRole('heading', { name: 'In the last 7 days' })).toBeTruthy();
  });

  it('changing the repository posts setScope; "all" is null', async () => {
    const { host } = await show(metricsSnapshot('24h'));
    const select = screen.getByRole('combobox') as HTMLSelectElement;
    expect([...select.options].map((option) => option.textContent)).toEqual([
      'All repositories',
      'acme/gadgets',
      'acme/widgets',
      'octo/docs',
    ]);
    select.value = 'octo/docs';
    await fireEvent.change(select);
    expect(host.posted.at(-1)).toEqual({ type: 'setScope', window: '24h', repo: 'octo/docs' });
    select.value = '__all__';
    await fireEvent.change(select);
    expect(host.posted.at(-1)).toEqual({ type: 'setScope', window: '24h', repo: null });
  });

  it('a live update keeps the chosen sort and the explanation open', async () => {
    const saved: MetricsState = {
      window: '24h',
      repo: null,
      sort: { column: 'terminal', descending: true },
      howOpen: true,
    };
    const { host } = await show(metricsSnapshot('24h'), saved);
    await fromHost({ type: 'snapshot', snapshot: metricsSnapshot('24h') });
    expect(host.state).toEqual(saved);
    expect((document.querySelector('details.how') as HTMLDetailsElement).open).toBe(true);
  });

  it('shows the charts’ numbers: failure classes and percentiles', async () => {
    await show(metricsSnapshot('24h'));
    const classes = screen.getByRole('figure', { name: /failure class/ });
    expect(within(classes).getByText('agent_error')).toBeTruthy();
    expect(within(classes).getByText('timeout')).toBeTruthy();
    const runtime = screen.getByRole('figure', { name: /Runtime distribution/ });
    expect(runtime.textContent).toContain('p50 20m 00s');
    // The 9th of 10 durations is run 210's 3599.99998 s (interrupted): julianday() arithmetic for a
    // one-hour run, shown rounded to whole seconds like the CLI.
    expect(runtime.textContent).toContain('p90 1h 00m');
  });

  it('renders database text as text, never as markup', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const snapshot = metricsSnapshot('24h');
    snapshot.repositories.push(hostile, '</script><script>alert(2)</script>');
    if (snapshot.metrics.ok) {
      snapshot.metrics.value.per_repo[0]!.repo_full_name = hostile;
    }
    if (snapshot.series.ok) snapshot.series.value.failureClasses[0]!.failureClass = '</script>';
    await show(snapshot);
    expect(screen.getAllByText(hostile).length).toBeGreaterThan(0);
    expect(screen.getByText('</script>')).toBeTruthy();
    expect(screen.getByText('</script><script>alert(2)</script>')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('main script')).toBeNull();
  });

  it('says why there is nothing to show, and names figures an old database lacks', async () => {
    const host = recordingHost<MetricsFromWebview, MetricsState>();
    render(<MetricsApp host={host} />);
    await fromHost({ type: 'unavailable', message: 'No MergeXO database found.' });
    expect(screen.getByRole('alert').textContent).toContain('No MergeXO database found.');
    cleanup();

    const snapshot = metricsSnapshot('24h');
    const gap = {
      kind: 'missing-table' as const,
      table: 'agent_run_history',
      message: 'No run history here.',
    };
    await show({ ...snapshot, metrics: { ok: false, gap }, failures: { ok: false, gap } });
    expect(cardValue('Mean runtime')).toBe('—');
    expect(card('Mean runtime').title).toBe('No run history here.');
    expect(screen.getByText('No run history here.')).toBeTruthy();
  });
});

describe('the stale banner', () => {
  it('keeps the host’s reason and the page’s sentence apart, whatever the reason ends with', async () => {
    await show(metricsSnapshot('24h'));
    await fromHost({
      type: 'unavailable',
      message: 'Unable to read the MergeXO database; see the MergeXO log.',
    });
    expect(screen.getByRole('alert').textContent).toBe(
      'Unable to read the MergeXO database; see the MergeXO log. Showing the last figures read.',
    );
    await fromHost({ type: 'unavailable', message: 'The database is locked and the figures are stale  ' });
    expect(screen.getByRole('alert').textContent).toBe(
      'The database is locked and the figures are stale. Showing the last figures read.',
    );
    // Text from the host that quotes a path or a config is shown without its bidi controls.
    await fromHost({ type: 'unavailable', message: 'Unable to read /srv/\u202Ebd.etats.' });
    expect(screen.getByRole('alert').textContent).toBe(
      'Unable to read /srv/\ufffdbd.etats. Showing the last figures read.',
    );
  });
});

describe('sentences', () => {
  it('joins with one space and ends each part with a full stop', () => {
    expect(sentences('stale.', 'Showing the last figures read.')).toBe(
      'stale. Showing the last figures read.',
    );
    expect(sentences('stale', ' Showing.')).toBe('stale. Showing.');
    expect(sentences('Why?', '', undefined, 'Done!')).toBe('Why? Done!');
  });
});

describe('sortRows', () => {
  it('orders by the column, then by repository', () => {
    const row = (repo: string, terminal: number) => ({
      repo_full_name: repo,
      terminal_count: terminal,
      failed_count: 0,
      failure_rate: 0,
      mean_runtime_seconds: 0,
      stddev_runtime_seconds: 0,
    });
    const rows = [row('b', 2), row('a', 2), row('c', 5)];
    expect(sortRows(rows, { column: 'terminal', descending: true }).map((r) => r.repo_full_name)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(sortRows(rows, { column: 'repo', descending: false }).map((r) => r.repo_full_name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
