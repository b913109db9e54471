// The tree provider's clock ticks: a tick re-renders only what changed, and never within
// TOOLTIP_HOLD_MS of a hover, because VS Code closes an open tooltip when its item is refreshed.
import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from '../hardening/support/fakeVscode';
import { ModelTreeProvider, TOOLTIP_HOLD_MS, type TreeNode } from '../../src/views/treeProvider';
import type { ItemModel } from '../../src/views/modelItems';

vi.mock('vscode', () => import('../hardening/support/fakeVscode'));

const silentLog = { debug: () => undefined, warn: () => undefined, error: () => undefined };

function fixture() {
  let now = 1_000_000;
  let elapsed = 0;
  const build = () => ({
    items: [
      { id: 'agent:a', label: '#1 bugfix', description: `${elapsed}s`, tooltip: 'prompt' },
      { id: 'agent:b', label: '#2 bugfix', description: 'steady' },
    ] as ItemModel[],
  });
  const provider = new ModelTreeProvider('mergexo.agents', build, silentLog as never, () => now);
  const visibility = new EventEmitter<{ visible: boolean }>();
  provider.attach({ visible: true, onDidChangeVisibility: visibility.event } as never);
  const fired: Array<string[] | 'all'> = [];
  provider.onDidChangeTreeData((nodes) =>
    fired.push(nodes === undefined ? 'all' : (nodes as TreeNode[]).map((node) => node.id)),
  );
  provider.getChildren();
  return {
    provider,
    fired,
    advance(ms: number) {
      now += ms;
      elapsed += ms / 1000;
    },
  };
}

describe('ModelTreeProvider clock ticks', () => {
  it('re-renders only the item whose time changed', () => {
    const { provider, fired, advance } = fixture();
    advance(1000);
    provider.tick();
    expect(fired).toEqual([['agent:a']]);
  });

  it('holds ticks back while a tooltip may be open, then catches up', () => {
    const { provider, fired, advance } = fixture();
    const node = provider.node('agent:a')!;
    const item = provider.resolveTreeItem(provider.getTreeItem(node), node);
    expect(item.tooltip).toBeDefined();
    for (let second = 1; second < TOOLTIP_HOLD_MS / 1000; second += 1) {
      advance(1000);
      provider.tick();
    }
    expect(fired).toEqual([]);
    advance(1000);
    provider.tick();
    expect(fired).toEqual([['agent:a']]);
  });

  it('never holds back a data change', () => {
    const { provider, fired, advance } = fixture();
    const node = provider.node('agent:a')!;
    provider.resolveTreeItem(provider.getTreeItem(node), node);
    advance(1000);
    provider.update();
    expect(fired).toEqual([['agent:a']]);
  });
});
