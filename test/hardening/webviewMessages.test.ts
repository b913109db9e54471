// Messages from a webview are validated before the host acts on them. A page renders database text,
// so whatever it posts is treated as hostile: unknown types, wrong or out-of-range numbers, huge
// strings, objects where strings belong are ignored and logged (one bounded line), never thrown; the
// only effects a page can cause are opening https://github.com/… URLs the host builds from validated
// parts, copying fields of the snapshot the host itself sent, and re-reading with a valid scope.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MergexoDatabase } from '../../src/data/database';
import type { DataSession } from '../../src/host/session';
import { memoryLog } from '../../src/log';
import { followSidebar, MetricsPanel } from '../../src/panels/metricsPanel';
import type { PanelContext } from '../../src/panels/panel';
import { TimelinePanel } from '../../src/panels/timelinePanel';
import { parseMetricsMessage } from '../../webview/metrics/protocol';
import { parseTimelineMessage } from '../../webview/timeline/protocol';
import { fixturePath } from '../support/fixtures';
import { HOSTILE, LONG_LINE } from '../support/hostile';
import { fakePanel, recorded, Uri, type FakePanel } from './support/fakeVscode';

vi.mock('vscode', () => import('./support/fakeVscode'));

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const root = mkdtempSync(join(tmpdir(), 'mergexo-messages-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What a page could post (all structured-clonable): none of it is a valid message. */
const BAD_MESSAGES: Array<[string, unknown]> = [
  ['nothing', undefined],
  ['null', null],
  ['a string', 'ready'],
  ['a number', 42],
  ['an array', [{ type: 'ready' }]],
  ['no type', {}],
  ['an unknown type', { type: 'runSql', sql: 'DELETE FROM issue_runs' }],
  ['a command-like type', { type: 'command:workbench.action.quit' }],
  ['a huge type', { type: 'x'.repeat(1_000_000) }],
  ['a type that is an object', { type: { toString: 1, valueOf: 2 } }],
  ['a type that is an array', { type: ['ready'] }],
  ['a prototype key type', JSON.parse('{"type": "__proto__", "__proto__": {"type": "ready"}}')],
  ['openLink without target', { type: 'openLink' }],
  ['openLink to a URL', { type: 'openLink', target: { kind: 'url', url: 'https://evil.example' } }],
  [
    'openLink to a script URL',
    { type: 'openLink', target: { kind: 'repo', repo: 'javascript:alert(1)//x' } },
  ],
  ['openLink, negative issue', { type: 'openLink', target: { kind: 'issue', repo: 'a/b', number: -1 } }],
  ['openLink, zero PR', { type: 'openLink', target: { kind: 'pr', repo: 'a/b', number: 0 } }],
  ['openLink, fractional issue', { type: 'openLink', target: { kind: 'issue', repo: 'a/b', number: 1.5 } }],
  ['openLink, huge issue', { type: 'openLink', target: { kind: 'issue', repo: 'a/b', number: 1e300 } }],
  ['openLink, number as text', { type: 'openLink', target: { kind: 'issue', repo: 'a/b', number: '7' } }],
  [
    'openLink, NaN (null once cloned)',
    { type: 'openLink', target: { kind: 'issue', repo: 'a/b', number: null } },
  ],
  ['openLink, traversal repo', { type: 'openLink', target: { kind: 'repo', repo: '../..' } }],
  ['openLink, host in repo', { type: 'openLink', target: { kind: 'repo', repo: 'evil.example/x?y' } }],
  ['openLink, huge repo', { type: 'openLink', target: { kind: 'repo', repo: `a/${'b'.repeat(1_000_000)}` } }],
  ['openLink, bad branch', { type: 'openLink', target: { kind: 'branch', repo: 'a/b', branch: '../../x' } }],
  ['openLink, bad sha', { type: 'openLink', target: { kind: 'commit', repo: 'a/b', sha: '<img src=x>' } }],
  ...HOSTILE.map((entry): [string, unknown] => [
    `openLink, ${entry.name} repo`,
    { type: 'openLink', target: { kind: 'repo', repo: entry.text } },
  ]),
];

const TIMELINE_ONLY: Array<[string, unknown]> = [
  ['copy of an unknown field', { type: 'copy', eventId: null, field: 'prompt' }],
  ['copy with a huge event id', { type: 'copy', eventId: LONG_LINE, field: 'error' }],
  ['copy with a numeric event id', { type: 'copy', eventId: 7, field: 'runId' }],
  ['openTimeline, bad kind', { type: 'openTimeline', subject: { kind: 'file', repo: 'a/b', number: 1 } }],
  ['openTimeline, bad number', { type: 'openTimeline', subject: { kind: 'issue', repo: 'a/b', number: -3 } }],
  ['openTimeline, bad repo', { type: 'openTimeline', subject: { kind: 'pr', repo: '<script>', number: 3 } }],
];

const METRICS_ONLY: Array<[string, unknown]> = [
  ['setScope, unknown window', { type: 'setScope', window: '2d', repo: null }],
  ['setScope, window as number', { type: 'setScope', window: 24, repo: null }],
  ['setScope, missing repo', { type: 'setScope', window: '1h' }],
  ['setScope, hostile repo', { type: 'setScope', window: '1h', repo: '<img src=x onerror=alert(1)>' }],
  ['setScope, huge repo', { type: 'setScope', window: '1h', repo: `a/${'b'.repeat(1_000_000)}` }],
];

describe.each([
  ['timeline', parseTimelineMessage, TIMELINE_ONLY],
  ['metrics', parseMetricsMessage, METRICS_ONLY],
] as const)('the %s protocol validator', (_name, parse, own) => {
  it.each([...BAD_MESSAGES, ...own])(
    'refuses %s without throwing, with a short reason',
    (_label, message) => {
      let parsed: ReturnType<typeof parse> | undefined;
      expect(() => (parsed = parse(message))).not.toThrow();
      expect(parsed!.ok).toBe(false);
      if (parsed && !parsed.ok) expect(parsed.reason.length).toBeLessThan(200);
    },
  );
});

/** A session over small.db for the panels: what the extension passes them. */
function fixtureSession(): { session: DataSession; db: MergexoDatabase } {
  const file = join(root, `small-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(fixturePath('small.db'), file);
  const db = MergexoDatabase.open(file);
  const never = () => ({ dispose() {} });
  const session: DataSession = {
    state: { kind: 'open', path: file, db, openedAt: NOW },
    repoFilter: null,
    window: '24h',
    onDidChangeData: never,
    onDidChangeScope: never,
    onDidChangeState: never,
    withDatabase: (read) => read(db),
    now: () => NOW,
  };
  return { session, db };
}

const opened: FakePanel[] = [];
afterEach(() => {
  // A panel registers itself (one per timeline, one metrics panel): close them between tests.
  for (const panel of opened.splice(0)) panel.dispose();
});

function open(kind: 'timeline' | 'metrics'): {
  panel: FakePanel;
  log: ReturnType<typeof memoryLog>;
  session: DataSession;
} {
  const { session } = fixtureSession();
  const log = memoryLog();
  // The fake Uri stands in for vscode.Uri (the module is mocked above).
  const context = { extensionUri: Uri.file('/ext') as unknown as PanelContext['extensionUri'], session, log };
  const panel = fakePanel(kind);
  opened.push(panel);
  if (kind === 'timeline') {
    TimelinePanel.restore(panel as never, context, { kind: 'issue', repo: 'acme/widgets', number: 104 });
  } else {
    MetricsPanel.restore(panel as never, context, undefined);
  }
  panel.receive({ type: 'ready' });
  return { panel, log, session };
}

beforeEach(() => {
  recorded.opened.length = 0;
  recorded.clipboard.length = 0;
  recorded.panels.length = 0;
});

describe.each(['timeline', 'metrics'] as const)('the %s panel on the host', (kind) => {
  it('ignores and logs every bad message; nothing leaves the extension', async () => {
    const { panel, log } = open(kind);
    expect(panel.posted).toHaveLength(1);
    const bad = [...BAD_MESSAGES, ...(kind === 'timeline' ? TIMELINE_ONLY : METRICS_ONLY)];
    for (const [label, message] of bad) {
      const before = log.lines.length;
      expect(() => panel.receive(message), label).not.toThrow();
      const added = log.lines.slice(before);
      expect(added, label).toHaveLength(1);
      expect(added[0], label).toMatch(new RegExp(`^warn \\[?.*Ignored a message from the ${kind} panel: `));
      expect(added[0]!.length, label).toBeLessThan(300);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(recorded.opened).toEqual([]);
    expect(recorded.clipboard).toEqual([]);
    expect(recorded.panels).toEqual([]);
    // No re-read was triggered by any of them.
    expect(panel.posted).toHaveLength(1);
  });

  it('acts on valid messages only through URLs it builds itself', async () => {
    const { panel } = open(kind);
    panel.receive({ type: 'openLink', target: { kind: 'issue', repo: 'acme/widgets', number: 104 } });
    panel.receive({ type: 'openLink', target: { kind: 'pr', repo: 'acme/widgets', number: 1104 } });
    panel.receive({
      type: 'openLink',
      target: { kind: 'branch', repo: 'acme/widgets', branch: 'agent/fix-104' },
    });
    panel.receive({ type: 'openLink', target: { kind: 'commit', repo: 'acme/widgets', sha: 'abcdef1234' } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(recorded.opened).toEqual([
      'https://github.com/acme/widgets/issues/104',
      'https://github.com/acme/widgets/pull/1104',
      'https://github.com/acme/widgets/tree/agent/fix-104',
      'https://github.com/acme/widgets/commit/abcdef1234',
    ]);
  });
});

describe.each(['timeline', 'metrics'] as const)('the %s panel without a readable database', (kind) => {
  it('gives a page rebuilt meanwhile the last snapshot, then the reason it is not current', () => {
    const { panel, session } = open(kind);
    const first = panel.posted[0] as { type: string };
    expect(first.type).toBe('snapshot');
    // The file goes away while the panel is hidden; shown again, the page is new and says `ready`.
    const message = 'Unable to find the MergeXO database: /x/state.db does not exist.';
    Object.assign(session, {
      state: { kind: 'error', path: '/x/state.db', message, reason: 'missing' },
      withDatabase: () => undefined,
    });
    panel.receive({ type: 'ready' });
    expect(panel.posted.slice(1).map((posted) => (posted as { type: string }).type)).toEqual([
      'snapshot',
      'unavailable',
    ]);
    expect(panel.posted[1]).toEqual(first);
    expect(panel.posted[2]).toMatchObject({ type: 'unavailable', message });
  });
});

describe('the metrics panel and the sidebar scope', () => {
  it('follows only what the sidebar changed', () => {
    const panel = { window: '7d', repo: 'acme/gadgets' } as const;
    const sidebar = { window: '24h', repo: null } as const;
    expect(followSidebar(panel, sidebar, { window: '24h', repo: 'acme/widgets' })).toEqual({
      window: '7d',
      repo: 'acme/widgets',
    });
    expect(followSidebar(panel, sidebar, { window: '30d', repo: null })).toEqual({
      window: '30d',
      repo: 'acme/gadgets',
    });
    expect(followSidebar(panel, sidebar, sidebar)).toEqual(panel);
  });
});

describe('copies and scope changes', () => {
  it('copies only a field of the snapshot the host sent, never text from the page', async () => {
    const { panel, log } = open('timeline');
    const snapshot = (
      panel.posted[0] as { snapshot: { events: Array<{ id: string; kind: string; error?: string }> } }
    ).snapshot;
    const failed = snapshot.events.find((event) => event.kind === 'run' && event.error)!;
    expect(failed).toBeDefined();
    panel.receive({ type: 'copy', eventId: failed.id, field: 'error', text: 'rm -rf ~' });
    panel.receive({ type: 'copy', eventId: 'no-such-event', field: 'error' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(recorded.clipboard).toEqual([failed.error]);
    expect(log.lines.some((line) => line.includes('Nothing to copy for error of no-such-event'))).toBe(true);
  });

  it('re-reads the metrics only for a valid window and repository', () => {
    const { panel } = open('metrics');
    panel.receive({ type: 'setScope', window: '7d', repo: 'acme/widgets' });
    expect(panel.posted).toHaveLength(2);
    expect(panel.posted[1]).toMatchObject({
      type: 'snapshot',
      snapshot: { window: '7d', repo: 'acme/widgets' },
    });
  });
});
