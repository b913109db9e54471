// What the views show around their items when no database is open, and beside their titles.
import { describe, expect, it } from 'vitest';
import type { ActiveAgentDetail } from '../../src/data/types';
import { countHealth, type AgentHealth } from '../../src/views/model';
import { unavailableContent, viewDescriptions } from '../../src/views/modelState';

describe('views without an open database', () => {
  it('are empty and carry no message, so the welcome content and its buttons show', () => {
    // A TreeView message would hide the welcome content ("Open Database File…", "Show Log", …).
    expect(unavailableContent('error')).toEqual({ items: [] });
    expect(unavailableContent('none')).toEqual({ items: [] });
    expect(unavailableContent('open')).toBeUndefined();
  });

  it('name the file beside the Active Agents title when it cannot be read', () => {
    expect(viewDescriptions({ kind: 'error', path: '/srv/mx/state.db', repo: null, window: '24h' })).toEqual({
      agents: '/srv/mx/state.db',
    });
    expect(
      viewDescriptions({ kind: 'error', path: '/srv/\u202Emx/$(alert)/state.db', repo: null, window: '24h' }),
    ).toEqual({ agents: '/srv/\ufffdmx/$\u200d(alert)/state.db' });
    const long = `/${'deep/'.repeat(40)}base/state.db`;
    const { agents } = viewDescriptions({ kind: 'error', path: long, repo: null, window: '24h' });
    expect(agents).toHaveLength(120);
    expect(agents).toMatch(/^….*\/deep\/base\/state\.db$/);
    expect(viewDescriptions({ kind: 'none', repo: 'acme/widgets', window: '24h' })).toEqual({});
  });

  it('give the repository and window when open', () => {
    expect(viewDescriptions({ kind: 'open', path: '/x', repo: null, window: '7d' })).toEqual({
      agents: 'all · 7d',
    });
    expect(viewDescriptions({ kind: 'open', path: '/x', repo: 'acme/widgets', window: '1h' })).toEqual({
      agents: 'acme/widgets · 1h',
      others: 'acme/widgets',
    });
  });
});

describe('countHealth', () => {
  it('counts stalled and orphaned agents by the same rule as the tree icons', () => {
    const agents = ['a', 'b', 'c', 'd'].map((run_id) => ({ run_id }) as ActiveAgentDetail);
    const states: Record<string, AgentHealth['state']> = {
      a: 'ok',
      b: 'stalled',
      c: 'orphaned',
      d: 'orphaned',
    };
    expect(countHealth(agents, (agent) => ({ state: states[agent.run_id]! }))).toEqual({
      stalled: 1,
      orphaned: 2,
    });
    expect(countHealth([], () => ({ state: 'stalled' }))).toEqual({ stalled: 0, orphaned: 0 });
  });
});
