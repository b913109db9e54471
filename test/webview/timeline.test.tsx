// @vitest-environment happy-dom
// The timeline page rendered from snapshots of the fixture database: order, live elapsed time,
// collapsing long texts, copy and link messages, filters and persisted intent, escaping.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/data/timeline';
import { TimelineApp } from '../../webview/timeline/App';
import type { TimelineFromWebview, TimelineSnapshot, TimelineState } from '../../webview/timeline/protocol';
import { fromHost, recordingHost, timelineSnapshot } from './support';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function show(snapshot: TimelineSnapshot, state?: unknown) {
  const host = recordingHost<TimelineFromWebview, TimelineState>(state);
  render(<TimelineApp host={host} />);
  await fromHost({ type: 'snapshot', snapshot });
  return host;
}

const items = () => [...document.querySelectorAll('ol.timeline > li')] as HTMLElement[];

describe('timeline page', () => {
  it('shows issue 210 newest first: restart, operator command, interrupted run', async () => {
    const host = await show(timelineSnapshot({ kind: 'issue', repo: 'acme/gadgets', number: 210 }));
    expect(host.posted[0]).toEqual({ type: 'ready' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Issue #210 acme/gadgets');
    const rows = items();
    expect(rows.map((row) => row.className)).toEqual([
      'event event-restart tone-completed',
      'event event-command tone-applied',
      'event event-run tone-interrupted',
    ]);
    expect(rows[1]!.textContent).toContain('/mergexo restart');
    expect(rows[1]!.textContent).toContain('by bob');
    expect(rows[2]!.textContent).toContain('unknown');
    // Relative time shown, absolute on hover.
    const time = rows[2]!.querySelector('time')!;
    expect(time.textContent).toBe('12h 00m ago');
    expect(time.getAttribute('title')).toContain('2026-03-15T00:00:00.000Z');
  });

  it('counts a running run up every second from the snapshot’s elapsed time', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const snapshot = timelineSnapshot({ kind: 'issue', repo: 'acme/widgets', number: 101 });
    await show(snapshot);
    const timer = screen.getByRole('timer');
    expect(timer.textContent).toBe('running for 12m 00s');
    await act(() => {
      vi.advanceTimersByTime(3000);
    });
    expect(screen.getByRole('timer').textContent).toBe('running for 12m 03s');
  });

  it('marks an unfinished run whose agent is not active as such, not as running', async () => {
    await show(timelineSnapshot({ kind: 'issue', repo: 'acme/gadgets', number: 204 }));
    expect(screen.queryByRole('timer')).toBeNull();
    expect(items()[0]!.textContent).toContain('unfinished, agent not active');
  });

  it('collapses a long error behind "Show more" and remembers the choice', async () => {
    const snapshot = timelineSnapshot({ kind: 'pr', repo: 'acme/widgets', number: 1104 });
    const run = snapshot.events.find(
      (event): event is RunEvent => event.kind === 'run' && event.error !== null,
    )!;
    run.error = `${'history rewrite detected. '.repeat(20)}\nline 2\nline 3\nthe last line`;
    const host = await show(snapshot);
    const block = screen.getByLabelText('Error text');
    expect(block.textContent).not.toContain('the last line');
    const more = screen.getByRole('button', { name: 'Show more' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(more);
    expect(screen.getByLabelText('Error text').textContent).toContain('the last line');
    expect((host.state as TimelineState).expanded).toEqual([`${run.id}:error`]);

    cleanup();
    await show(snapshot, host.state);
    expect(screen.getByLabelText('Error text').textContent).toContain('the last line');
    expect(screen.getByRole('button', { name: 'Show less' })).toBeTruthy();
  });

  it('copy buttons and links post typed messages for the host to resolve', async () => {
    const snapshot = timelineSnapshot({ kind: 'pr', repo: 'acme/widgets', number: 1104 });
    const host = await show(snapshot);
    const turn = items()[0]!;
    await fireEvent.click(within(turn).getByRole('button', { name: 'Copy the run id' }));
    expect(host.posted.at(-1)).toEqual({
      type: 'copy',
      eventId: 'run:c64fa9405fff439122aa5c6ff9497b44',
      field: 'runId',
    });
    await fireEvent.click(within(turn).getByRole('button', { name: 'Copy the error text' }));
    expect(host.posted.at(-1)).toMatchObject({ type: 'copy', field: 'error' });
    await fireEvent.click(
      within(turn).getByRole('button', { name: /Open branch agent\/design\/104-cache-layer/ }),
    );
    expect(host.posted.at(-1)).toEqual({
      type: 'openLink',
      target: { kind: 'branch', repo: 'acme/widgets', branch: 'agent/design/104-cache-layer' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Show the history of issue #104' }));
    expect(host.posted.at(-1)).toEqual({
      type: 'openTimeline',
      subject: { kind: 'issue', repo: 'acme/widgets', number: 104 },
    });
    // In the PR's own timeline only the header links to it.
    expect(screen.getAllByRole('button', { name: 'Open PR #1104 on GitHub' })).toHaveLength(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Open PR #1104 on GitHub' }));
    expect(host.posted.at(-1)).toEqual({
      type: 'openLink',
      target: { kind: 'pr', repo: 'acme/widgets', number: 1104 },
    });
    const header = document.querySelector('header.subject') as HTMLElement;
    await fireEvent.click(within(header).getByRole('button', { name: 'Copy the branch name' }));
    expect(host.posted.at(-1)).toEqual({ type: 'copy', eventId: null, field: 'branch' });
  });

  it('hides a kind of event and persists the choice with the subject', async () => {
    const host = await show(timelineSnapshot({ kind: 'issue', repo: 'acme/widgets', number: 111 }));
    expect(items()).toHaveLength(5);
    const box = document.querySelector('vscode-checkbox[data-kind="transition"]')!;
    expect(box.textContent).toBe('PR transitions (3)');
    Object.assign(box, { checked: false });
    await fireEvent(box, new Event('change', { bubbles: true }));
    expect(items().map((row) => row.className.split(' ')[1])).toEqual(['event-command', 'event-run']);
    expect(host.state).toEqual({
      subject: { kind: 'issue', repo: 'acme/widgets', number: 111 },
      expanded: [],
      hiddenKinds: ['transition'],
    });
  });

  it('says so when every kind of event is hidden, instead of showing an empty page', async () => {
    await show(timelineSnapshot({ kind: 'issue', repo: 'acme/widgets', number: 111 }));
    for (const box of document.querySelectorAll('vscode-checkbox[data-kind]')) {
      Object.assign(box, { checked: false });
      await fireEvent(box, new Event('change', { bubbles: true }));
    }
    expect(items()).toHaveLength(0);
    expect(document.querySelector('p.empty')?.textContent).toMatch(/^5 events hidden: every kind/);
  });

  it('renders database text as text, never as markup', async () => {
    const snapshot = timelineSnapshot({ kind: 'issue', repo: 'acme/gadgets', number: 210 });
    const run = snapshot.events.find((event): event is RunEvent => event.kind === 'run')!;
    run.error = '<img src=x onerror=alert(1)>';
    run.flow = '</script><script>alert(2)</script>';
    const command = snapshot.events.find((event) => event.kind === 'command')!;
    if (command.kind === 'command') command.result = '</script>';
    await show(snapshot);
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(screen.getByText('</script>')).toBeTruthy();
    expect(document.body.textContent).toContain('(</script><script>alert(2)</script>)');
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('main script')).toBeNull();
  });

  it('keeps its subject when the database is unavailable, so a reload can restore it', async () => {
    const host = recordingHost<TimelineFromWebview, TimelineState>();
    render(<TimelineApp host={host} />);
    const subject = { kind: 'pr' as const, repo: 'octo/docs', number: 3307 };
    await fromHost({ type: 'unavailable', message: 'No MergeXO database found.', subject });
    expect(screen.getByRole('alert').textContent).toContain('No MergeXO database found.');
    expect((host.state as TimelineState).subject).toEqual(subject);
  });

  it('keeps the stale banner’s sentences apart', async () => {
    const subject = { kind: 'issue' as const, repo: 'acme/widgets', number: 101 };
    await show(timelineSnapshot(subject));
    await fromHost({ type: 'unavailable', message: 'The database is locked', subject });
    expect(screen.getByRole('alert').textContent).toBe(
      'The database is locked. Showing the last history read.',
    );
  });

  it('says when an issue has no history', async () => {
    await show(timelineSnapshot({ kind: 'issue', repo: 'octo/docs', number: 9999 }));
    expect(screen.getByText('No history for this issue in the database.')).toBeTruthy();
  });
});
