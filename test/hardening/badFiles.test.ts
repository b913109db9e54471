// Every bad file gets one clear sentence, and the rest keeps working: each file from the hardening
// issue is opened with both drivers (the OpenError kind and message), through the change detector,
// and through the extension's data session (its state, what the views are told). A read-only folder
// is tried from an unprivileged child process, since root ignores file permissions.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from '../../src/data/changes';
import { MergexoDatabase } from '../../src/data/database';
import {
  isBusyError,
  isCorruptError,
  OpenError,
  readErrorMessage,
  type DriverName,
} from '../../src/data/sqlite';
import { MergexoSession } from '../../src/host/dataSession';
import { memoryLog } from '../../src/log';
import {
  checkpointedCopy,
  corruptedFile,
  directoryFile,
  emptyFile,
  legacyFile,
  makeWritable,
  missingFile,
  newerSchemaFile,
  readOnlyFolderWithoutShm,
  replaceWith,
  textFile,
  truncatedFile,
  walWithContent,
} from '../support/badFiles';
import { bundleForChild, removeBundles } from './support/childBundle';

const root = mkdtempSync(join(tmpdir(), 'mergexo-bad-files-'));
chmodSync(root, 0o755); // the unprivileged child must reach the files below
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeBundles();
});

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let counter = 0;
const freshDir = (name: string) => join(root, `${name}-${++counter}`);

function openError(file: string, driver: DriverName): OpenError {
  try {
    MergexoDatabase.open(file, { driver }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenError);
    return error as OpenError;
  }
  throw new Error(`${file} opened`);
}

/** The extension's session on one file: the state it settles in after a few polls. */
async function sessionOn(file: string) {
  const log = memoryLog();
  const session = new MergexoSession({
    settings: () => ({
      stateDbPath: file,
      refreshIntervalSeconds: 0.25,
      repository: '',
      metricsWindow: null,
    }),
    folders: () => [],
    memento: { get: () => undefined, update: async () => undefined },
    log,
    home: join(root, 'home'),
    now: () => NOW,
    watchFiles: false,
  });
  session.start();
  await sleep(150);
  return { session, log };
}

interface Refusal {
  name: string;
  build: (dir: string) => string;
  kind: OpenError['kind'];
  message: (file: string) => string;
}

const REFUSED: Refusal[] = [
  {
    name: 'a missing file',
    build: missingFile,
    kind: 'missing',
    message: (file) => `Unable to find the MergeXO database: ${file} does not exist.`,
  },
  {
    name: 'a directory',
    build: directoryFile,
    kind: 'not-a-file',
    message: (file) => `Unable to open ${file}: it is a directory, not a database file.`,
  },
  {
    name: 'an empty file',
    build: emptyFile,
    kind: 'not-a-database',
    message: (file) => `Unable to read ${file}: the file is empty.`,
  },
  {
    name: 'a text file named state.db',
    build: textFile,
    kind: 'not-a-database',
    message: (file) => `Unable to read ${file}: it is not an SQLite database.`,
  },
  {
    name: 'a truncated database',
    build: truncatedFile,
    kind: 'not-a-database',
    message: (file) => `Unable to read ${file}: the database is damaged.`,
  },
];

describe.each(REFUSED)('$name', ({ name, build, kind, message }) => {
  it.each(DRIVERS)('is refused with one clear sentence (%s)', (driver) => {
    const file = build(freshDir(kind));
    const error = openError(file, driver);
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message(file));
    expect(error.message.split(/(?<=\.)\s/)).toHaveLength(1);
  });

  it('puts the data session in a readable error state, and it recovers when the file is fixed', async () => {
    const file = build(freshDir(`${kind}-session`));
    const { session } = await sessionOn(file);
    try {
      const state = session.state;
      console.log(`[bad file] ${name}: session ${state.kind}: ${'message' in state ? state.message : ''}`);
      if (kind === 'missing') {
        // A configured path that does not exist: the session says so, it does not guess another file.
        expect(state.kind).not.toBe('open');
        expect(state.kind !== 'open' && state.message).toContain(file);
      } else {
        expect(state).toMatchObject({ kind: 'error', path: file });
        expect(state.kind === 'error' && state.message.startsWith(message(file))).toBe(true);
      }
      // The rest keeps working: put a good database there and the session opens it by itself.
      rmSync(file, { recursive: true, force: true });
      for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      const good = checkpointedCopy('small.db', freshDir('good'));
      mkdirSync(join(file, '..'), { recursive: true });
      spawnSync('cp', [good, file]);
      for (let i = 0; i < 40 && session.state.kind !== 'open'; i++) await sleep(100);
      expect(session.state.kind).toBe('open');
    } finally {
      session.dispose();
    }
  });
});

describe('a database corrupted in the middle', () => {
  it.each(DRIVERS)(
    'opens (header and schema are intact); the damaged read fails as corrupt (%s)',
    (driver) => {
      const file = corruptedFile(freshDir('corrupt'));
      const db = MergexoDatabase.open(file, { driver });
      let failure: unknown;
      try {
        for (const window of ['1h', '24h', '7d', '30d'] as const)
          db.readDashboard({ repo: null, nowMs: NOW }, window);
        db.queries.terminalOutcomes({ repo: null, nowMs: NOW }, 500);
        db.queries.failedRuns({ repo: null, nowMs: NOW }, 500);
        db.queries.metricsFromScratch({ repo: null, nowMs: NOW }, '30d');
      } catch (error) {
        failure = error;
      }
      expect(isCorruptError(failure)).toBe(true);
      expect(isBusyError(failure)).toBe(false);
      expect(readErrorMessage(failure)).toBe(
        'Unable to read the MergeXO database: it is damaged (SQLite found a malformed page).',
      );
      // Change checks keep working on the damaged file (they touch only the header pages).
      expect(db.dataVersion()).toBeGreaterThan(0);
      db.close();
    },
  );
});

describe('a database corrupted in the middle, in the data session', () => {
  it('stays open (change checks work); a read that reaches the damage fails without throwing', async () => {
    const { session, log } = await sessionOn(corruptedFile(freshDir('corrupt-session')));
    try {
      expect(session.state.kind).toBe('open');
      const read = session.withDatabase((db) => {
        db.readDashboard({ repo: null, nowMs: NOW }, '30d');
        db.queries.terminalOutcomes({ repo: null, nowMs: NOW }, 500);
        db.queries.failedRuns({ repo: null, nowMs: NOW }, 500);
        return db.queries.metricsFromScratch({ repo: null, nowMs: NOW }, '30d');
      });
      expect(read).toBeUndefined();
      // The log words it as one sentence for people (readErrorMessage).
      expect(log.lines.filter((line) => line.startsWith('error ')).join('\n')).toContain(
        'Unable to read the MergeXO database: it is damaged (SQLite found a malformed page).',
      );
    } finally {
      session.dispose();
    }
  });
});

describe('a database written by an older MergeXO', () => {
  it.each(DRIVERS)('opens, names what it lacks, and shows every figure it can (%s)', (driver) => {
    const file = legacyFile(freshDir('legacy'));
    const db = MergexoDatabase.open(file, { driver });
    const missing = db.schemaGaps().map((gap) => (gap.column ? `${gap.table}.${gap.column}` : gap.table));
    expect(missing).toEqual(
      expect.arrayContaining(['agent_run_history', 'pr_status_history', 'issue_runs.github_state']),
    );
    const dashboard = db.readDashboard({ repo: null, nowMs: NOW }, '24h');
    expect(dashboard.agents).toMatchObject({ ok: false, gap: { table: 'agent_run_history' } });
    expect(!dashboard.agents.ok && dashboard.agents.gap.message).toBe(
      'This MergeXO database has no agent_run_history table (run history, added in a later MergeXO); ' +
        'upgrade MergeXO and restart it to add it.',
    );
    // Tracked and blocked work needs only the older tables: it is there.
    expect(dashboard.tracked.ok).toBe(true);
    expect(dashboard.counts.ok).toBe(true);
    expect(db.queries.prHistory({ repo: null, nowMs: NOW }, 1).ok).toBe(false);
    db.close();
  });

  it('keeps the data session open', async () => {
    const { session, log } = await sessionOn(legacyFile(freshDir('legacy-session')));
    try {
      expect(session.state.kind).toBe('open');
      expect(log.lines.some((line) => line.includes('written by an older MergeXO'))).toBe(true);
    } finally {
      session.dispose();
    }
  });
});

describe('a database from an unknown newer MergeXO (extra tables, columns, index, view, trigger)', () => {
  it.each(DRIVERS)(
    'opens and shows exactly the figures of the same data without the extras (%s)',
    (driver) => {
      const newer = MergexoDatabase.open(newerSchemaFile(freshDir('newer')), { driver });
      const plain = MergexoDatabase.open(checkpointedCopy('small.db', freshDir('plain')), { driver });
      expect(newer.schemaGaps()).toEqual([]);
      expect(newer.schema.hasTable('agent_run_steps')).toBe(true);
      for (const repo of [null, 'acme/widgets']) {
        for (const window of ['1h', '24h', '7d', '30d'] as const) {
          const scope = { repo, nowMs: NOW };
          expect(newer.readDashboard(scope, window)).toEqual(plain.readDashboard(scope, window));
          expect(newer.queries.metrics(scope, window)).toEqual(plain.queries.metrics(scope, window));
        }
      }
      // Repositories come from every table with a repository column; the new tables have none.
      expect(newer.queries.repositories()).toEqual(plain.queries.repositories());
      newer.close();
      plain.close();
    },
  );
});

describe('a WAL database in a read-only folder without its -shm', () => {
  /** The same probe, run as an unprivileged user (root ignores permissions) or as ourselves. */
  function asUnprivileged(args: string[]): { uid: number; result: Record<string, unknown> } {
    const probe = bundleForChild(join(__dirname, 'support', 'openProbe.ts'));
    const node = process.execPath;
    let command: string[];
    if (process.getuid?.() !== 0) command = [node, probe, ...args];
    else if (spawnSync('setpriv', ['--help']).status === 0) {
      command = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', node, probe, ...args];
    } else if (spawnSync('runuser', ['--help']).status === 0) {
      command = ['runuser', '-u', 'nobody', '--', node, probe, ...args];
    } else {
      throw new Error('Running as root without setpriv or runuser: cannot drop privileges for this case.');
    }
    const run = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
    const line = run.stdout.trim().split('\n').pop() ?? '';
    expect(line, run.stderr).toMatch(/^\{/);
    const result = JSON.parse(line) as Record<string, unknown>;
    return { uid: Number(result.uid), result };
  }

  it.each(DRIVERS)('says exactly that, instead of "unable to open" (%s)', (driver) => {
    const dir = freshDir('read-only');
    const file = readOnlyFolderWithoutShm(dir);
    try {
      const { uid, result } = asUnprivileged([file, driver]);
      expect(uid).not.toBe(0);
      expect(result).toMatchObject({
        ok: false,
        kind: 'cannot-open',
        message:
          `Unable to read ${file}: the directory is read-only and state.db-shm is missing; ` +
          'SQLite needs to create it to read a WAL database.',
      });
      expect(existsSync(`${file}-shm`)).toBe(false);
    } finally {
      makeWritable(dir);
    }
  });

  it.each(DRIVERS)('reads the same folder once the -wal and -shm exist, read-only (%s)', (driver) => {
    const dir = freshDir('read-only-with-shm');
    const file = checkpointedCopy('small.db', dir);
    // A reader that may write the folder leaves the -wal and -shm behind while it is open.
    const keep = MergexoDatabase.open(file);
    spawnSync('cp', [`${file}-shm`, `${file}-shm.copy`]);
    spawnSync('cp', [`${file}-wal`, `${file}-wal.copy`]);
    keep.close();
    spawnSync('mv', [`${file}-shm.copy`, `${file}-shm`]);
    spawnSync('mv', [`${file}-wal.copy`, `${file}-wal`]);
    for (const name of [file, `${file}-shm`, `${file}-wal`]) chmodSync(name, 0o444);
    chmodSync(dir, 0o555);
    try {
      const { uid, result } = asUnprivileged([file, driver]);
      expect(uid).not.toBe(0);
      expect(result).toMatchObject({ ok: true, agents: 4 });
    } finally {
      makeWritable(dir);
    }
  });
});

describe('a -wal left without its -shm after a crash', () => {
  it.each(DRIVERS)('is read in full: SQLite rebuilds the index from the -wal (%s)', (driver) => {
    const { file, totalRuns, walOnlyRuns } = walWithContent(freshDir('no-shm'), { withShm: false });
    expect(existsSync(`${file}-shm`)).toBe(false);
    const db = MergexoDatabase.open(file, { driver });
    const runs = Number(db.connection.prepare('SELECT count(*) AS n FROM agent_run_history').get()?.n);
    expect(walOnlyRuns).toBeGreaterThan(0);
    expect(runs).toBe(totalRuns);
    const dashboard = db.readDashboard({ repo: null, nowMs: Date.now() }, '24h');
    expect(dashboard.totalAgents).toBe(totalRuns - 1);
    db.close();
  });
});

describe('the file replaced while open', () => {
  it.each(DRIVERS)('is followed: the detector reopens the new file (%s)', (driver) => {
    const file = checkpointedCopy('small.db', freshDir('replaced'));
    const detector = new ChangeDetector(file, (path) => MergexoDatabase.open(path, { driver }));
    expect(detector.check().kind).toBe('reopened');
    const before = detector.database!;
    expect(before.schemaGaps()).toEqual([]);
    replaceWith(file, 'legacy.db');
    const check = detector.check();
    expect(check.kind).toBe('reopened');
    expect(detector.database).not.toBe(before);
    expect(detector.database!.schema.hasTable('agent_run_history')).toBe(false);
    expect(detector.check().kind).toBe('unchanged');
    replaceWith(file, 'small.db');
    expect(detector.check().kind).toBe('reopened');
    expect(detector.database!.readDashboard({ repo: null, nowMs: NOW }, '24h').totalAgents).toBe(4);
    detector.close();
  });

  it('is followed by the data session without a reload', async () => {
    const file = checkpointedCopy('small.db', freshDir('replaced-session'));
    const { session, log } = await sessionOn(file);
    try {
      expect(session.state.kind).toBe('open');
      const first = session.state.kind === 'open' ? session.state.db : undefined;
      replaceWith(file, 'legacy.db');
      for (let i = 0; i < 40; i++) {
        if (session.state.kind === 'open' && session.state.db !== first) break;
        await sleep(50);
      }
      expect(session.state.kind).toBe('open');
      expect(session.state.kind === 'open' && session.state.db).not.toBe(first);
      expect(log.lines.some((line) => line.includes('Reopened (the file was replaced)'))).toBe(true);
    } finally {
      session.dispose();
    }
  });
});
