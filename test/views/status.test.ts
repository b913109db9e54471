// The status-bar text and tooltip, and the snapshot diff behind opt-in notifications.
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { diffNotifications, type NotifySnapshot } from '../../src/views/modelNotify';
import { statusModel } from '../../src/views/modelStatus';

const overview = {
  active_agents: 3,
  blocked_prs: 4,
  tracked_prs: 8,
  failures: 5,
  mean_runtime_seconds: 1692.001,
  stddev_runtime_seconds: 1122.754,
};

describe('status bar model', () => {
  it('shows agents, and blocked work only when there is some', () => {
    const base = {
      state: 'open' as const,
      stalled: 0,
      window: '24h' as const,
      repo: null,
      path: '/x/state.db',
    };
    expect(statusModel({ ...base, overview }).text).toBe('$(pulse) 3 agents  $(warning) 4 blocked');
    expect(statusModel({ ...base, overview: { ...overview, blocked_prs: 0, active_agents: 1 } }).text).toBe(
      '$(pulse) 1 agent',
    );
    expect(statusModel({ ...base, overview, stalled: 2 }).text).toBe(
      '$(pulse) 3 agents (2 stalled)  $(warning) 4 blocked',
    );
    expect(statusModel({ ...base, overview }).warning).toBe(false);
  });

  it('puts every overview count in the tooltip', () => {
    const model = statusModel({ state: 'open', stalled: 1, window: '7d', repo: 'acme/widgets', overview });
    const html = marked.parse(model.tooltip, { async: false, gfm: true });
    expect(html).toContain('<td align="left">Active agents</td>');
    expect(html).toContain('<td align="left">Failures (7d)</td>');
    expect(html).toMatch(/Mean runtime \(7d\)<\/td>\s*<td align="right">28m 12s/);
    expect(html).toContain('acme/widgets');
  });

  it('says so when there is no database instead of showing zero', () => {
    const model = statusModel({
      state: 'none',
      stalled: 0,
      window: '24h',
      repo: null,
      message: 'No MergeXO database found.',
    });
    expect(model.text).toBe('$(pulse) MergeXO: no database');
    expect(model.text).not.toMatch(/\b0\b/);
    expect(
      statusModel({ state: 'error', stalled: 0, window: '24h', repo: null, message: 'bad' }).warning,
    ).toBe(true);
  });

  it('turns to a warning when the service is down, and escapes database text', () => {
    const model = statusModel({
      state: 'open',
      stalled: 0,
      window: '24h',
      repo: '[x](command:foo)',
      overview,
      serviceDown: 'MergeXO is not running; 3 runs shown as active were left by a stopped service.',
    });
    expect(model.warning).toBe(true);
    const html = marked.parse(model.tooltip, { async: false });
    expect(html).not.toMatch(/<a\b/);
    expect(html).toContain('MergeXO is not running');
  });

  it('tells stalled agents (MergeXO alive, no progress) from orphaned ones (MergeXO gone)', () => {
    const base = { state: 'open' as const, window: '24h' as const, repo: null, overview };
    const stalled = statusModel({ ...base, stalled: 1, orphaned: 0 });
    expect(stalled.text).toBe('$(pulse) 3 agents (1 stalled)  $(warning) 4 blocked');
    const orphaned = statusModel({
      ...base,
      stalled: 0,
      orphaned: 3,
      serviceDown: 'MergeXO is not running.',
    });
    expect(orphaned.text).toBe('$(pulse) 3 agents (3 orphaned)  $(warning) 4 blocked');
    expect(orphaned.accessibilityLabel).toBe(
      'MergeXO: 3 agents, 3 orphaned, 4 blocked. MergeXO is not running',
    );
    const both = statusModel({ ...base, stalled: 1, orphaned: 2 });
    expect(both.text).toBe('$(pulse) 3 agents (1 stalled, 2 orphaned)  $(warning) 4 blocked');
    const html = marked.parse(both.tooltip, { async: false, gfm: true });
    expect(html).toMatch(/Stalled agents \(no progress for too long\)<\/td>\s*<td align="right">1</);
    expect(html).toMatch(/Orphaned agents \(their MergeXO process is gone\)<\/td>\s*<td align="right">2</);
  });

  it('names the repository filter in the text, so a filtered count is not taken for the total', () => {
    const base = { state: 'open' as const, stalled: 0, window: '24h' as const, overview };
    expect(statusModel({ ...base, repo: 'acme/widgets' }).text).toBe(
      '$(pulse) 3 agents  $(warning) 4 blocked · acme/widgets',
    );
    expect(statusModel({ ...base, repo: 'acme/widgets', staleSince: '12:00:00' }).text).toBe(
      '$(pulse) 3 agents  $(warning) 4 blocked · acme/widgets $(history) stale',
    );
    expect(statusModel({ ...base, repo: 'acme/widgets' }).accessibilityLabel).toBe(
      'MergeXO: 3 agents, 4 blocked, in acme/widgets',
    );
    // A name that is not owner/name stays out of the one-line text (the tooltip shows it, escaped).
    const odd = statusModel({ ...base, repo: 'evil/$(alert)\u202E' });
    expect(odd.text).toBe('$(pulse) 3 agents  $(warning) 4 blocked · filtered');
    expect(statusModel({ ...base, repo: null }).text).toBe('$(pulse) 3 agents  $(warning) 4 blocked');
    // Where the filter comes from, when it was picked for this workspace.
    const picked = statusModel({ ...base, repo: 'acme/widgets', repoSource: 'picked' });
    expect(picked.tooltip.split('\n')[0]).toBe(
      '**MergeXO** · acme\\/widgets (picked for this workspace) · window 24h',
    );
  });

  it('says a missing file does not exist instead of calling it unreadable', () => {
    const missing = statusModel({
      state: 'error',
      reason: 'missing',
      stalled: 0,
      window: '24h',
      repo: null,
      message: 'Unable to find the MergeXO database: /srv/mx/state.db does not exist.',
    });
    expect(missing.text).toBe('$(warning) MergeXO: database file missing');
    expect(missing.accessibilityLabel).toBe('MergeXO: the database file does not exist');
    expect(marked.parse(missing.tooltip, { async: false })).toContain(
      'Unable to find the MergeXO database: /srv/mx/state.db does not exist.',
    );
    const damaged = statusModel({
      state: 'error',
      reason: 'not-a-database',
      stalled: 0,
      window: '24h',
      repo: null,
      message: 'Unable to read /srv/mx/state.db: it is not an SQLite database.',
    });
    expect(damaged.text).toBe('$(warning) MergeXO: unreadable');
    expect(damaged.accessibilityLabel).toBe('MergeXO: the database cannot be read');
  });

  it('says what it cannot show on a database without run history', () => {
    const model = statusModel({
      state: 'open',
      stalled: 0,
      window: '24h',
      repo: null,
      overviewGap: 'no agent_run_history',
    });
    expect(model.text).toBe('$(pulse) MergeXO: no run history');
  });
});

describe('notification diff', () => {
  const empty: NotifySnapshot = { runFailed: [], prBlocked: [], agentStalled: [] };
  const failed = {
    key: 'run-9',
    target: { repo: 'acme/widgets', issue: 105, runId: 'run-9' },
    detail: 'agent_error',
  };
  const blocked = { key: 'acme/widgets#1104', target: { repo: 'acme/widgets', issue: 104, pr: 1104 } };

  it('takes the first snapshot as the baseline', () => {
    expect(diffNotifications(undefined, { ...empty, runFailed: [failed], prBlocked: [blocked] })).toEqual([]);
  });

  it('announces only what is new since the last snapshot', () => {
    const events = diffNotifications(
      { ...empty, prBlocked: [blocked] },
      { ...empty, runFailed: [failed], prBlocked: [blocked] },
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'runFailed', key: 'run-9' });
    expect(events[0]!.message).toBe('MergeXO: a run failed on acme/widgets issue #105 (agent_error).');
    const again = diffNotifications({ ...empty, runFailed: [failed] }, { ...empty, runFailed: [failed] });
    expect(again).toEqual([]);
  });

  it('builds messages from checked pieces only', () => {
    const hostile = {
      key: 'x',
      target: { repo: '[x](command:foo)', issue: 1, pr: 2 },
      detail: '[click](command:evil) $(alert)',
    };
    const [event] = diffNotifications(empty, { ...empty, prBlocked: [hostile] });
    expect(event!.message).toBe('MergeXO: a repository PR #2 is blocked (clickcommandevil alert).');
  });
});
