// What the host accepts from a page: only known message types with valid fields; links only to
// github.com built from validated parts; copies only of fields of the snapshot it sent.
import { describe, expect, it } from 'vitest';
import { linkUrl, resolveCopy } from '../../src/panels/snapshots';
import { parseMetricsMessage, parseMetricsState } from '../../webview/metrics/protocol';
import { parseLinkTarget } from '../../webview/shared/protocol';
import { parseTimelineMessage, parseTimelineState } from '../../webview/timeline/protocol';
import { timelineSnapshot } from '../webview/support';

describe('metrics messages', () => {
  it('accepts the known messages', () => {
    expect(parseMetricsMessage({ type: 'ready' })).toEqual({ ok: true, message: { type: 'ready' } });
    expect(parseMetricsMessage({ type: 'setScope', window: '7d', repo: 'acme/widgets' })).toEqual({
      ok: true,
      message: { type: 'setScope', window: '7d', repo: 'acme/widgets' },
    });
    expect(parseMetricsMessage({ type: 'setScope', window: '1h', repo: null }).ok).toBe(true);
  });

  it.each([
    ['not an object', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['an unknown type', { type: 'runSql', sql: 'DELETE FROM issue_runs' }],
    ['an unknown window', { type: 'setScope', window: '2d', repo: null }],
    ['a missing repository field', { type: 'setScope', window: '1h' }],
    ['an invalid repository', { type: 'setScope', window: '1h', repo: '../../etc' }],
    ['a repository with a query', { type: 'setScope', window: '1h', repo: 'a/b?x=1' }],
    ['a link to a script URL', { type: 'openLink', target: { kind: 'url', url: 'javascript:alert(1)' } }],
  ])('refuses %s', (_label, message) => {
    const parsed = parseMetricsMessage(message);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
  });

  it('reads back a persisted state, repairing what it does not know', () => {
    expect(
      parseMetricsState({
        window: '7d',
        repo: null,
        sort: { column: 'mean', descending: true },
        howOpen: true,
      }),
    ).toEqual({
      window: '7d',
      repo: null,
      sort: { column: 'mean', descending: true },
      howOpen: true,
    });
    expect(parseMetricsState({ window: '7d', repo: '<b>', sort: { column: 'evil' } })).toEqual({
      window: '7d',
      repo: null,
      sort: { column: 'repo', descending: false },
      howOpen: false,
    });
    expect(parseMetricsState({ window: 'forever' })).toBeUndefined();
    expect(parseMetricsState(undefined)).toBeUndefined();
  });
});

describe('timeline messages', () => {
  it('accepts copy, openTimeline and links with valid parts', () => {
    expect(parseTimelineMessage({ type: 'copy', eventId: 'run:abc', field: 'error' }).ok).toBe(true);
    expect(parseTimelineMessage({ type: 'copy', eventId: null, field: 'branch' }).ok).toBe(true);
    expect(
      parseTimelineMessage({
        type: 'openTimeline',
        subject: { kind: 'pr', repo: 'octo/docs', number: 3307 },
      }),
    ).toEqual({
      ok: true,
      message: { type: 'openTimeline', subject: { kind: 'pr', repo: 'octo/docs', number: 3307 } },
    });
  });

  it.each([
    ['copy of an arbitrary field', { type: 'copy', eventId: 'run:abc', field: 'prompt' }],
    ['copy with a numeric id', { type: 'copy', eventId: 5, field: 'runId' }],
    ['a negative number', { type: 'openTimeline', subject: { kind: 'issue', repo: 'a/b', number: -1 } }],
    ['a fractional number', { type: 'openTimeline', subject: { kind: 'issue', repo: 'a/b', number: 1.5 } }],
    ['a number as text', { type: 'openTimeline', subject: { kind: 'issue', repo: 'a/b', number: '7' } }],
    ['an unsafe number', { type: 'openTimeline', subject: { kind: 'issue', repo: 'a/b', number: 2 ** 60 } }],
    ['another kind', { type: 'openTimeline', subject: { kind: 'roadmap', repo: 'a/b', number: 1 } }],
    ['a setScope (metrics only)', { type: 'setScope', window: '1h', repo: null }],
  ])('refuses %s', (_label, message) => {
    expect(parseTimelineMessage(message).ok).toBe(false);
  });

  it('restores only a state that names a valid subject', () => {
    const subject = { kind: 'issue', repo: 'acme/widgets', number: 101 };
    expect(parseTimelineState({ subject, expanded: ['a', 3], hiddenKinds: ['run', 'bogus'] })).toEqual({
      subject,
      expanded: ['a'],
      hiddenKinds: ['run'],
    });
    expect(parseTimelineState({ subject: { ...subject, number: 0 } })).toBeUndefined();
  });
});

describe('links', () => {
  it('builds github.com URLs from validated parts only', () => {
    expect(linkUrl({ kind: 'repo', repo: 'acme/widgets' })).toBe('https://github.com/acme/widgets');
    expect(linkUrl({ kind: 'issue', repo: 'acme/widgets', number: 101 })).toBe(
      'https://github.com/acme/widgets/issues/101',
    );
    expect(linkUrl({ kind: 'pr', repo: 'acme/widgets', number: 1104 })).toBe(
      'https://github.com/acme/widgets/pull/1104',
    );
    expect(linkUrl({ kind: 'branch', repo: 'acme/widgets', branch: 'agent/design/104-cache-layer' })).toBe(
      'https://github.com/acme/widgets/tree/agent/design/104-cache-layer',
    );
    expect(
      linkUrl({ kind: 'commit', repo: 'acme/widgets', sha: 'e631c5cc50e4d90dc958e6a9e5a405e255039770' }),
    ).toBe('https://github.com/acme/widgets/commit/e631c5cc50e4d90dc958e6a9e5a405e255039770');
  });

  it.each([
    { kind: 'repo', repo: 'evil.com' },
    { kind: 'repo', repo: '../x' },
    { kind: 'repo', repo: 'a/b/c' },
    { kind: 'issue', repo: 'a/b', number: 0 },
    { kind: 'branch', repo: 'a/b', branch: '../../../settings' },
    { kind: 'branch', repo: 'a/b', branch: 'x y' },
    { kind: 'commit', repo: 'a/b', sha: 'main' },
    { kind: 'url', repo: 'a/b', url: 'https://evil.example' },
  ])('refuses %j', (target) => {
    expect(parseLinkTarget(target)).toBeNull();
  });
});

describe('copy by reference', () => {
  it('copies fields of the snapshot the page was sent, and nothing else', () => {
    const snapshot = timelineSnapshot({ kind: 'pr', repo: 'acme/widgets', number: 1104 });
    const id = 'run:c64fa9405fff439122aa5c6ff9497b44';
    expect(resolveCopy(snapshot, id, 'runId')).toBe('c64fa9405fff439122aa5c6ff9497b44');
    expect(resolveCopy(snapshot, id, 'branch')).toBe('agent/design/104-cache-layer');
    expect(resolveCopy(snapshot, id, 'error')).toMatch(/^history rewrite detected/);
    expect(resolveCopy(snapshot, null, 'branch')).toBe('agent/design/104-cache-layer');
    expect(resolveCopy(snapshot, null, 'error')).toBeNull();
    expect(resolveCopy(snapshot, 'run:unknown', 'runId')).toBeNull();
    expect(resolveCopy(snapshot, 'transition:23', 'runId')).toBeNull();
  });
});
