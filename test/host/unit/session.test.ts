// The data session in plain Node: discovery and choice, opening without crashing, change-driven
// refresh, replaced and deleted files, scope events, and the shared dashboard read.
import Database from 'better-sqlite3';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DashboardStore } from '../../../src/host/dashboard';
import { MergexoSession, PICKED_PATH_KEY, type SessionSettings } from '../../../src/host/dataSession';
import { memoryLog } from '../../../src/log';
import { fixturePath } from '../../support/fixtures';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
let root: string;
const sessions: MergexoSession[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mergexo-session-'));
});
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
  rmSync(root, { recursive: true, force: true });
});

function copyFixture(name: string, folder: string): string {
  mkdirSync(folder, { recursive: true });
  const target = join(folder, 'state.db');
  copyFileSync(fixturePath(name), target);
  // A fixture has a -wal only while some test has it open; copy it when it is there.
  if (existsSync(fixturePath(`${name}-wal`))) copyFileSync(fixturePath(`${name}-wal`), `${target}-wal`);
  return target;
}

function memento(initial: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: async (key: string, value: unknown) => {
      if (value === undefined) values.delete(key);
      else values.set(key, value);
    },
  };
}

function makeSession(options: {
  folders?: string[];
  settings?: Partial<SessionSettings>;
  store?: ReturnType<typeof memento>;
}) {
  const log = memoryLog();
  const settings: SessionSettings = {
    stateDbPath: '',
    refreshIntervalSeconds: 0.25,
    repository: '',
    metricsWindow: null,
    ...options.settings,
  };
  const session = new MergexoSession({
    settings: () => settings,
    folders: () => options.folders ?? [],
    memento: options.store ?? memento(),
    log,
    home: join(root, 'home'),
    now: () => NOW,
  });
  sessions.push(session);
  return { session, log, settings };
}

async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function writeConfig(folder: string, body: string) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'mergexo.toml'), body);
}

describe('choosing and opening the database', () => {
  it('opens the database named by mergexo.toml and takes its refresh period and window', () => {
    const project = join(root, 'project');
    copyFixture('small.db', join(project, 'state'));
    writeConfig(
      project,
      '[runtime]\nbase_dir = "state"\nobservability_refresh_seconds = 0.5\n' +
        'observability_default_window = "7d"\n',
    );
    const { session, log } = makeSession({ folders: [project], settings: { refreshIntervalSeconds: null } });
    session.start();
    expect(session.state.kind).toBe('open');
    expect(session.chosen?.source).toBe('config');
    expect(session.refreshPeriodMs).toBe(500);
    expect(session.window).toBe('7d');
    expect(log.lines.join('\n')).toMatch(/Opened .*state\.db with (better-sqlite3|node:sqlite)/);
  });

  it('uses the first of two configs in a multi-root workspace and remembers another choice', async () => {
    const one = join(root, 'one');
    const two = join(root, 'two');
    copyFixture('small.db', join(one, 'base'));
    copyFixture('empty.db', join(two, 'base'));
    writeConfig(one, '[runtime]\nbase_dir = "base"\n');
    writeConfig(two, '[runtime]\nbase_dir = "base"\n');
    const store = memento();
    const first = makeSession({ folders: [one, two], store });
    first.session.start();
    expect(first.session.chosen?.dbPath).toBe(join(one, 'base', 'state.db'));
    expect(first.session.candidates).toHaveLength(2);
    expect(first.log.lines.join('\n')).toContain('2 MergeXO databases found');
    await first.session.selectCandidate(join(two, 'base', 'state.db'));
    expect(first.session.state.kind === 'open' && first.session.state.path).toBe(
      join(two, 'base', 'state.db'),
    );

    const again = makeSession({ folders: [one, two], store });
    again.session.start();
    expect(again.session.chosen?.dbPath).toBe(join(two, 'base', 'state.db'));
  });

  it('lets a picked file win over the setting, until the user goes back to automatic', async () => {
    const fromSetting = copyFixture('small.db', join(root, 'a'));
    const picked = copyFixture('empty.db', join(root, 'b'));
    const store = memento();
    const { session } = makeSession({ settings: { stateDbPath: fromSetting }, store });
    session.start();
    expect(session.chosen?.source).toBe('setting');
    await session.openPath(picked);
    expect(store.values.get(PICKED_PATH_KEY)).toBe(picked);
    expect(session.state.kind === 'open' && session.state.path).toBe(picked);
    await session.selectCandidate(undefined);
    expect(session.state.kind === 'open' && session.state.path).toBe(fromSetting);
  });

  it('reports no database, with the reasons discovery found', () => {
    const project = join(root, 'broken');
    writeConfig(project, '[runtime\nbase_dir = 1');
    const { session } = makeSession({ folders: [project] });
    session.start();
    expect(session.state.kind).toBe('none');
    expect(session.state.kind === 'none' && session.state.message).toContain('is not valid TOML');
  });

  it.each([
    ['a missing file', (_path: string) => undefined, /does not exist/, 'missing'],
    ['a directory', (path: string) => mkdirSync(path), /directory/, 'not-a-file'],
    [
      'a text file',
      (path: string) => writeFileSync(path, 'not a database\n'),
      /not an SQLite/,
      'not-a-database',
    ],
  ])('turns %s into an error state with the reason, never a throw', (_name, make, reason, kind) => {
    const path = join(root, 'bad', 'state.db');
    mkdirSync(join(root, 'bad'), { recursive: true });
    writeFileSync(path, 'x');
    rmSync(path);
    make(path);
    const { session, log } = makeSession({ settings: { stateDbPath: path } });
    expect(() => session.start()).not.toThrow();
    expect(session.state.kind).toBe('error');
    expect(session.state.kind === 'error' && session.state.message).toMatch(reason);
    expect(session.state.kind === 'error' && session.state.reason).toBe(kind);
    expect(log.lines.some((line) => line.startsWith('error') && reason.test(line))).toBe(true);
  });

  it('opens a database from an older MergeXO and logs what it lacks', () => {
    const path = copyFixture('legacy.db', join(root, 'legacy'));
    const { session, log } = makeSession({ settings: { stateDbPath: path } });
    session.start();
    expect(session.state.kind).toBe('open');
    expect(log.lines.join('\n')).toMatch(/older MergeXO: .*agent_run_history/);
  });
});

describe('live refresh', () => {
  it('fires a data change for a commit and none while nothing changes', async () => {
    const path = copyFixture('small.db', join(root, 'live'));
    const { session } = makeSession({ settings: { stateDbPath: path } });
    session.start();
    let changes = 0;
    session.onDidChangeData(() => changes++);
    await sleep(1200); // about five polls with nothing written
    expect(changes).toBe(0);
    const writer = new Database(path);
    writer.prepare("UPDATE agent_run_history SET meta_json = json_set(meta_json, '$.run_phase', 'x')").run();
    writer.close();
    await waitFor(() => changes === 1);
    const generation = session.generation;
    await sleep(600);
    expect(changes).toBe(1);
    expect(session.generation).toBe(generation);
  });

  it('shows the error when the file is deleted and reopens when it comes back', async () => {
    const path = copyFixture('small.db', join(root, 'gone'));
    const { session } = makeSession({ settings: { stateDbPath: path } });
    session.start();
    const states: string[] = [];
    session.onDidChangeState((state) => states.push(state.kind));
    unlinkSync(path);
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    await waitFor(() => session.state.kind === 'error');
    expect(session.state.kind === 'error' && session.state.message).toMatch(/does not exist/);
    copyFixture('small.db', join(root, 'gone'));
    await waitFor(() => session.state.kind === 'open', 5000);
    expect(states).toEqual(['error', 'open']);
  });

  it('reopens a replaced file without a reload', async () => {
    const path = copyFixture('small.db', join(root, 'swap'));
    const { session } = makeSession({ settings: { stateDbPath: path } });
    session.start();
    const before = session.state.kind === 'open' ? session.state.db : undefined;
    const staging = copyFixture('empty.db', join(root, 'staging'));
    renameSync(staging, path);
    rmSync(`${path}-wal`, { force: true });
    await waitFor(() => session.state.kind === 'open' && session.state.db !== before);
    const agents = session.withDatabase((db) => db.queries.activeAgents({ repo: null, nowMs: NOW }));
    expect(agents?.ok && agents.value).toEqual([]);
  });

  it('fires a scope change when the repository filter or window changes', () => {
    const path = copyFixture('small.db', join(root, 'scope'));
    const { session, settings } = makeSession({ settings: { stateDbPath: path } });
    session.start();
    let scopes = 0;
    session.onDidChangeScope(() => scopes++);
    settings.repository = 'acme/widgets';
    session.settingsChanged(['repository']);
    expect(scopes).toBe(1);
    expect(session.repoFilter).toBe('acme/widgets');
    settings.metricsWindow = '1h';
    session.settingsChanged(['metricsWindow']);
    expect(session.window).toBe('1h');
    expect(scopes).toBe(2);
  });
});

describe('settings that keep the same file', () => {
  it('applies a new window from mergexo.toml on a settings change that keeps the path', () => {
    const project = join(root, 'toml-window');
    copyFixture('small.db', join(project, 'state'));
    writeConfig(project, '[runtime]\nbase_dir = "state"\nobservability_default_window = "7d"\n');
    const { session } = makeSession({ folders: [project] });
    session.start();
    const db = session.state.kind === 'open' ? session.state.db : undefined;
    expect(session.window).toBe('7d');
    let scopes = 0;
    session.onDidChangeScope(() => scopes++);
    const generation = session.generation;

    writeConfig(project, '[runtime]\nbase_dir = "state"\nobservability_default_window = "1h"\n');
    session.settingsChanged(['stateDbPath']);
    expect(session.window).toBe('1h');
    expect(scopes).toBe(1);
    expect(session.generation).toBeGreaterThan(generation);
    // Same file: the connection stays.
    expect(session.state.kind === 'open' && session.state.db).toBe(db);

    // Nothing changed: no event.
    session.settingsChanged(['stateDbPath']);
    session.refresh();
    expect(scopes).toBe(1);
  });

  it('applies window and filter settings that arrive with a path naming the same file', () => {
    const path = copyFixture('small.db', join(root, 'same-path'));
    const { session, settings } = makeSession({ settings: { stateDbPath: path } });
    session.start();
    let scopes = 0;
    session.onDidChangeScope(() => scopes++);
    settings.stateDbPath = join(root, 'same-path', '.', 'state.db');
    settings.metricsWindow = '30d';
    settings.repository = 'acme/widgets';
    session.settingsChanged(['stateDbPath', 'metricsWindow', 'repository']);
    expect(session.window).toBe('30d');
    expect(session.repoFilter).toBe('acme/widgets');
    expect(scopes).toBe(1);
  });

  it('takes a new poll period from mergexo.toml without reopening', () => {
    const project = join(root, 'toml-refresh');
    copyFixture('small.db', join(project, 'state'));
    writeConfig(project, '[runtime]\nbase_dir = "state"\nobservability_refresh_seconds = 0.5\n');
    const { session, log } = makeSession({ folders: [project], settings: { refreshIntervalSeconds: null } });
    session.start();
    writeConfig(project, '[runtime]\nbase_dir = "state"\nobservability_refresh_seconds = 3\n');
    session.settingsChanged(['refreshIntervalSeconds']);
    expect(session.refreshPeriodMs).toBe(3000);
    expect(log.lines).toContain('debug [session] Polling every 3000 ms.');
  });
});

describe('repository and window picked for the workspace', () => {
  it('wins over the settings and mergexo.toml, is kept per workspace, and gives way to "use the setting"', async () => {
    const project = join(root, 'picks');
    copyFixture('small.db', join(project, 'state'));
    writeConfig(project, '[runtime]\nbase_dir = "state"\nobservability_default_window = "7d"\n');
    const store = memento();
    const { session, settings } = makeSession({
      folders: [project],
      settings: { repository: 'acme/widgets' },
      store,
    });
    session.start();
    expect([session.repoFilter, session.window]).toEqual(['acme/widgets', '7d']);
    let scopes = 0;
    session.onDidChangeScope(() => scopes++);

    await session.pickRepository('octo/docs');
    await session.pickWindow('1h');
    expect([session.repoFilter, session.window]).toEqual(['octo/docs', '1h']);
    expect(session.repositoryScope()).toEqual({ value: 'octo/docs', source: 'picked' });
    expect(session.repositoryScope(true)).toEqual({ value: 'acme/widgets', source: 'setting' });
    expect(scopes).toBe(2);

    // A setting changed meanwhile does not override the pick.
    settings.repository = 'acme/gadgets';
    settings.metricsWindow = '30d';
    session.settingsChanged(['repository', 'metricsWindow']);
    expect([session.repoFilter, session.window]).toEqual(['octo/docs', '1h']);
    expect(scopes).toBe(2);

    // "All repositories" is a pick too, over a setting that names one.
    await session.pickRepository(null);
    expect(session.repoFilter).toBeNull();

    // A new window on the same workspace storage finds the picks again.
    const again = makeSession({ folders: [project], settings: { repository: 'acme/gadgets' }, store });
    again.session.start();
    expect([again.session.repoFilter, again.session.window]).toEqual([null, '1h']);

    // "Use the Setting" forgets the pick.
    await session.pickRepository(undefined);
    await session.pickWindow(undefined);
    expect([session.repoFilter, session.window]).toEqual(['acme/gadgets', '30d']);
    expect(store.values.size).toBe(0);
  });

  it('is what the shared dashboard reads', async () => {
    const path = copyFixture('small.db', join(root, 'pick-dashboard'));
    const { session } = makeSession({ settings: { stateDbPath: path } });
    const store = new DashboardStore(
      session,
      { stallThresholdSeconds: () => 600, probeService: false },
      memoryLog(),
    );
    session.start();
    expect(store.current()?.snapshot.totalAgents).toBe(4);
    await session.pickRepository('acme/widgets');
    expect(store.current()?.snapshot).toMatchObject({ repo: 'acme/widgets', totalAgents: 2 });
    await session.pickWindow('7d');
    expect(store.current()?.snapshot.window).toBe('7d');
    store.dispose();
  });
});

describe('problems with a mergexo.toml', () => {
  it('are logged as warnings naming the file, once while they last', () => {
    const broken = join(root, 'broken-log');
    writeConfig(broken, '[runtime\nbase_dir = 1');
    const folderConfig = join(root, 'folder-config');
    mkdirSync(join(folderConfig, 'mergexo.toml'), { recursive: true });
    const numeric = join(root, 'numeric-base');
    writeConfig(numeric, '[runtime]\nbase_dir = 5\n');
    const { session, log } = makeSession({ folders: [broken, folderConfig, numeric] });
    session.start();
    session.refresh();
    session.refresh();
    const warnings = log.lines.filter((line) => line.startsWith('warn '));
    expect(warnings).toEqual([
      expect.stringContaining(`${join(broken, 'mergexo.toml')} is not valid TOML`),
      `warn [session] Ignored a MergeXO config. Unable to read ${join(folderConfig, 'mergexo.toml')}: ` +
        'it is a directory, not a file (EISDIR).',
      `warn [session] Ignored a MergeXO config. ${join(numeric, 'mergexo.toml')}: [runtime] base_dir must be a ` +
        'string (the folder that holds state.db), not a number.',
    ]);

    // Fixed, then broken again: said again.
    writeConfig(broken, '[runtime]\nbase_dir = "nowhere"\n');
    session.refresh();
    writeConfig(broken, '[runtime\n');
    session.refresh();
    expect(log.lines.filter((line) => line.includes('is not valid TOML'))).toHaveLength(2);
  });

  it('say once which [runtime] value of the config in use gave way to the default', () => {
    const project = join(root, 'odd-window');
    writeConfig(project, '[runtime]\nbase_dir = "state"\nobservability_default_window = "2h"\n');
    const { session, log } = makeSession({ folders: [project] });
    session.start();
    session.refresh();
    expect(session.window).toBe('24h');
    expect(log.lines.filter((line) => line.startsWith('warn '))).toEqual([
      `warn [session] ${join(project, 'mergexo.toml')}: [runtime] observability_default_window = "2h" ` +
        'is not one of 1h, 24h, 7d, 30d; using "24h".',
    ]);
  });
});

describe('shared dashboard read', () => {
  it('reads once per change and judges the service from the writer lock', async () => {
    const folder = join(root, 'base');
    const path = copyFixture('small.db', folder);
    const { session } = makeSession({ settings: { stateDbPath: path } });
    const store = new DashboardStore(session, { stallThresholdSeconds: () => 600 }, memoryLog());
    session.start();
    const first = store.current();
    expect(first?.snapshot.totalAgents).toBe(4);
    expect(first?.hasRoadmaps).toBe(true);
    expect(store.current()).toBe(first);

    // No writer.lock: MergeXO is not running and the four "active" runs were left behind.
    const down = store.serviceVerdict();
    expect(down).toMatchObject({ running: 'no', reason: 'no-lock', orphanedRuns: 4, severity: 'warning' });
    const agent = first!.snapshot.agents.ok ? first!.snapshot.agents.value[0]! : undefined;
    expect(store.health(agent!, NOW).state).toBe('orphaned');

    writeFileSync(join(folder, 'writer.lock'), JSON.stringify({ pid: process.pid, command: 'service' }));
    session.refresh();
    expect(store.serviceVerdict()).toMatchObject({ running: 'yes', reason: 'lock-owner-alive' });
    // At the pinned clock #303 has made no progress for a day: stalled, not orphaned. So are #202
    // (25 minutes) and #101 (12 minutes) past the 10-minute threshold; #103 (4 minutes) is fine.
    expect(store.health(agent!, NOW)).toMatchObject({ state: 'stalled' });
    expect(store.stalledCount(NOW)).toBe(3);
    expect(store.current()).not.toBe(first);
    store.dispose();
  });
});
