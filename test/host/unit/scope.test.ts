// Which repository and window the views show: a pick kept for the workspace, then the settings, then
// mergexo.toml, then the default; and the quick-pick entries that lead back to the setting.
import { describe, expect, it } from 'vitest';
import {
  repositoryEntries,
  resolveRepository,
  resolveWindow,
  USE_SETTING_LABEL,
  windowEntries,
} from '../../../src/host/scope';

describe('precedence', () => {
  it('lets the workspace pick win over the repository setting; "" picks all repositories', () => {
    expect(resolveRepository('octo/docs', 'acme/widgets')).toEqual({ value: 'octo/docs', source: 'picked' });
    expect(resolveRepository('', 'acme/widgets')).toEqual({ value: null, source: 'picked' });
    expect(resolveRepository(undefined, 'acme/widgets')).toEqual({
      value: 'acme/widgets',
      source: 'setting',
    });
    expect(resolveRepository(undefined, '  ')).toEqual({ value: null, source: 'default' });
    // Storage is read back from disk: anything but a string is no pick.
    expect(resolveRepository(42, 'acme/widgets')).toEqual({ value: 'acme/widgets', source: 'setting' });
  });

  it('orders the window: pick, setting, mergexo.toml, 24h', () => {
    expect(resolveWindow('1h', '7d', '30d')).toEqual({ value: '1h', source: 'picked' });
    expect(resolveWindow(undefined, '7d', '30d')).toEqual({ value: '7d', source: 'setting' });
    expect(resolveWindow(undefined, null, '30d')).toEqual({ value: '30d', source: 'config' });
    expect(resolveWindow(undefined, null, undefined)).toEqual({ value: '24h', source: 'default' });
    expect(resolveWindow('2w', null, '30d')).toEqual({ value: '30d', source: 'config' });
  });
});

describe('quick-pick entries', () => {
  it('offer "Use the Setting" only while the workspace has a repository pick', () => {
    const repos = ['acme/widgets', 'octo/docs'];
    const setting = resolveRepository(undefined, 'acme/widgets');
    expect(repositoryEntries(repos, setting, setting).map((entry) => entry.label)).toEqual([
      'All repositories',
      'acme/widgets',
      'octo/docs',
    ]);
    const picked = resolveRepository('octo/docs', 'acme/widgets');
    const entries = repositoryEntries(repos, picked, setting);
    expect(entries.map((entry) => [entry.label, entry.picked ?? false])).toEqual([
      ['All repositories', false],
      ['acme/widgets', false],
      ['octo/docs', true],
      [USE_SETTING_LABEL, false],
    ]);
    expect(entries.at(-1)).toMatchObject({
      description: 'mergexo.repository: acme/widgets',
      choice: { kind: 'useSetting' },
    });
    expect(entries[0]!.choice).toEqual({ kind: 'pick', repo: null });
  });

  it('describe where the window would come from without the pick', () => {
    const fromToml = resolveWindow(undefined, null, '7d');
    expect(windowEntries(fromToml, fromToml).map((entry) => entry.label)).toEqual(['1h', '24h', '7d', '30d']);
    const entries = windowEntries(resolveWindow('1h', null, '7d'), fromToml);
    expect(entries[0]).toMatchObject({ label: '1h', description: 'Last hour (current)', picked: true });
    expect(entries.at(-1)).toMatchObject({
      label: USE_SETTING_LABEL,
      description: '7d from mergexo.toml',
      choice: { kind: 'useSetting' },
    });
    const nothingSet = resolveWindow(undefined, null, undefined);
    expect(windowEntries(resolveWindow('1h', null, undefined), nothingSet).at(-1)!.description).toBe(
      '24h by default',
    );
    const fromSetting = resolveWindow(undefined, '30d', '7d');
    expect(windowEntries(resolveWindow('1h', '30d', '7d'), fromSetting).at(-1)!.description).toBe(
      '30d from mergexo.metricsWindow',
    );
  });
});
