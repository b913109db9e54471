// Finding state.db: the explicit path, then mergexo.toml in workspace folders (`~` expanded,
// relative base_dir, malformed files reported), then MergeXO's default folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverDatabases, expandHome, readConfig } from '../../src/data/discovery';

let root: string;
let home: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mergexo-discovery-'));
  home = join(root, 'home');
  mkdirSync(home);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function folderWithConfig(name: string, toml: string): string {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'mergexo.toml'), toml);
  return folder;
}

describe('discoverDatabases', () => {
  it('reads [runtime] base_dir from mergexo.toml, expanding ~', () => {
    const folder = folderWithConfig(
      'project',
      [
        '[runtime]',
        'base_dir = "~/mx-state"',
        'observability_refresh_seconds = 5',
        'observability_default_window = "7d"',
        '',
        '[repo.widgets]',
        'owner = "acme"',
        '',
        '[repo.docs]',
        'owner = "octo"',
        'name = "handbook"',
      ].join('\n'),
    );
    const { candidates, problems } = discoverDatabases({ folders: [folder], home });
    expect(problems).toEqual([]);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      dbPath: join(home, 'mx-state', 'state.db'),
      baseDir: join(home, 'mx-state'),
      source: 'config',
      configPath: join(folder, 'mergexo.toml'),
      configuredRepos: ['acme/widgets', 'octo/handbook'],
    });
    expect(candidates[0]!.runtime).toMatchObject({ refreshSeconds: 5, defaultWindow: '7d' });
  });

  it('resolves a relative base_dir against the config folder', () => {
    const folder = folderWithConfig('rel', '[runtime]\nbase_dir = "state"\n');
    expect(discoverDatabases({ folders: [folder], home }).candidates[0]!.dbPath).toBe(
      join(folder, 'state', 'state.db'),
    );
  });

  it('falls back to defaults for missing or invalid runtime keys', () => {
    const folder = folderWithConfig(
      'defaults',
      '[runtime]\nbase_dir = "/srv/mx"\nobservability_refresh_seconds = -1\nobservability_default_window = "2w"\n',
    );
    expect(discoverDatabases({ folders: [folder], home }).candidates[0]!.runtime).toEqual({
      refreshSeconds: 2,
      defaultWindow: '24h',
      rowLimit: 200,
      historyRetentionDays: 90,
    });
  });

  it('reports a malformed config and a config without base_dir, and keeps looking', () => {
    const broken = folderWithConfig('broken', '[runtime\nbase_dir = "x"');
    const noBase = folderWithConfig('nobase', '[runtime]\npoll_seconds = 3\n');
    const good = folderWithConfig('good', '[runtime]\nbase_dir = "/srv/mergexo"\n');
    const { candidates, problems } = discoverDatabases({ folders: [broken, noBase, good], home });
    expect(candidates.map((candidate) => candidate.dbPath)).toEqual([join('/srv/mergexo', 'state.db')]);
    expect(problems.map((problem) => problem.configPath)).toEqual([
      join(broken, 'mergexo.toml'),
      join(noBase, 'mergexo.toml'),
    ]);
    expect(problems[0]!.message).toMatch(/is not valid TOML/);
    expect(problems[1]!.message).toMatch(/has no \[runtime\] base_dir/);
    expect(() => readConfig(join(broken, 'mergexo.toml'), home)).toThrow(/not valid TOML/);
  });

  it('tells an unreadable config and a base_dir that is not a string from bad TOML, naming the file', () => {
    const unreadable = join(root, 'unreadable');
    mkdirSync(join(unreadable, 'mergexo.toml'), { recursive: true });
    const numeric = folderWithConfig('numeric', '[runtime]\nbase_dir = 3\n');
    const table = folderWithConfig('table', '[runtime.base_dir]\npath = "/x"\n');
    const { problems } = discoverDatabases({ folders: [unreadable, numeric, table], home });
    expect(problems.map((problem) => problem.message)).toEqual([
      `Unable to read ${join(unreadable, 'mergexo.toml')}: it is a directory, not a file (EISDIR).`,
      `${join(numeric, 'mergexo.toml')}: [runtime] base_dir must be a string (the folder that holds ` +
        'state.db), not a number.',
      `${join(table, 'mergexo.toml')}: [runtime] base_dir must be a string (the folder that holds ` +
        'state.db), not a table.',
    ]);
    for (const problem of problems) expect(problem.message).toContain(problem.configPath);
  });

  it('lists every config of a multi-root workspace in folder order', () => {
    const one = folderWithConfig('one', '[runtime]\nbase_dir = "/a"\n');
    const two = folderWithConfig('two', '[runtime]\nbase_dir = "/b"\n');
    const none = join(root, 'plain');
    mkdirSync(none);
    const { candidates } = discoverDatabases({ folders: [none, two, one], home });
    expect(candidates.map((candidate) => candidate.baseDir)).toEqual(['/b', '/a']);
  });

  it('lets an explicit path win, with ~ expanded', () => {
    const folder = folderWithConfig('ignored', '[runtime]\nbase_dir = "/a"\n');
    const { candidates } = discoverDatabases({ explicitPath: '~/x/state.db', folders: [folder], home });
    expect(candidates).toEqual([
      expect.objectContaining({ dbPath: join(home, 'x', 'state.db'), source: 'setting' }),
    ]);
  });

  it("uses MergeXO's default folder only when it holds a state.db", () => {
    expect(discoverDatabases({ folders: [], home }).candidates).toEqual([]);
    mkdirSync(join(home, '.local', 'share', 'mergexo'), { recursive: true });
    expect(discoverDatabases({ folders: [], home }).candidates).toEqual([]);
    writeFileSync(join(home, '.local', 'share', 'mergexo', 'state.db'), '');
    expect(discoverDatabases({ folders: [], home }).candidates).toEqual([
      expect.objectContaining({
        source: 'default',
        dbPath: join(home, '.local', 'share', 'mergexo', 'state.db'),
      }),
    ]);
  });

  it('expands only a leading ~', () => {
    expect(expandHome('~', '/h')).toBe('/h');
    expect(expandHome('~/a', '/h')).toBe('/h/a');
    expect(expandHome('/x/~/a', '/h')).toBe('/x/~/a');
    expect(expandHome('~other/a', '/h')).toBe('~other/a');
  });
});

describe('runtime settings of mergexo.toml', () => {
  it('keeps MergeXO defaults for unusable values and says which it ignored', () => {
    const folder = folderWithConfig(
      'odd',
      [
        '[runtime]',
        'base_dir = "/srv/mergexo"',
        'observability_default_window = "2h"',
        'observability_refresh_seconds = -1',
        'observability_row_limit = 50',
      ].join('\n'),
    );
    const candidate = readConfig(join(folder, 'mergexo.toml'), home);
    expect(candidate.runtime).toMatchObject({ defaultWindow: '24h', refreshSeconds: 2, rowLimit: 50 });
    expect(candidate.warnings).toEqual([
      expect.stringMatching(
        /observability_default_window = "2h" is not one of 1h, 24h, 7d, 30d; using "24h"\.$/,
      ),
      expect.stringMatching(/observability_refresh_seconds = -1 is not a positive number; using 2\.$/),
    ]);
  });

  it('has no warnings when every value is usable or absent', () => {
    const folder = folderWithConfig(
      'fine',
      '[runtime]\nbase_dir = "/srv/mergexo"\nobservability_default_window = "7d"\n',
    );
    const candidate = readConfig(join(folder, 'mergexo.toml'), home);
    expect(candidate.runtime.defaultWindow).toBe('7d');
    expect(candidate.warnings).toBeUndefined();
  });
});
