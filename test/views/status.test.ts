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
