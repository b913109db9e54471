// The change detector and the refresh loop, in one process: a second (writing) connection commits,
// checkpoints, replaces and deletes the file, and the detector must tell each of these apart.
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChangeDetector, isWalResetOnly, readWalIndexHeader, type ChangeCheck } from '../../src/data/changes';
import { MergexoDatabase } from '../../src/data/database';
import { RefreshLoop, type LoopTimers } from '../../src/data/refreshLoop';
import { OpenError, type DriverName } from '../../src/data/sqlite';

const SCHEMA = readFileSync(join(__dirname, '..', '..', 'tools', 'mergexo-schema.sql'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'mergexo-changes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

/** A fresh MergeXO-shaped database in WAL mode, with a writing connection kept open (as MergeXO's). */
function createDb(path = join(root, `db-${++counter}`, 'state.db')): {
  path: string;
  writer: Database.Database;
} {
  mkdirSync(join(path, '..'), { recursive: true });
  const writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.exec(SCHEMA);
  open.push(writer);
  return { path, writer };
}

function insertRun(writer: Database.Database, runId: string): void {
  writer
    .prepare(
      `INSERT INTO agent_run_history(run_id, repo_full_name, run_kind, issue_number, started_at, meta_json)
       VALUES(?, 'acme/widgets', 'issue_flow', 1, '2026-03-15T11:00:00.000Z', '{"codex_active": true}')`,
    )
    .run(runId);
}

function runCount(detector: ChangeDetector): number {
  const row = detector.database!.connection.prepare('SELECT count(*) AS n FROM agent_run_history').get();
  return Number(row?.n);
}

const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];

describe.each(DRIVERS)('ChangeDetector (%s)', (driver) => {
  const detectorFor = (path: string, options = {}) => {
    const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p, { driver }), options);
    return detector;
  };

  it('opens on the first check, then reports each commit once and nothing in between', () => {
    const { path, writer } = createDb();
    const detector = detectorFor(path);
    const first = detector.check();
    expect(first).toMatchObject({ kind: 'reopened', repeat: false });
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(detector.database?.driver).toBe(driver);
    expect(detector.check().kind).toBe('unchanged');

    insertRun(writer, 'a');
    const changed = detector.check();
    expect(changed.kind).toBe('changed');
    expect(changed.dataVersion).not.toBe(first.dataVersion);
    expect(runCount(detector)).toBe(1);
    expect(detector.check().kind).toBe('unchanged');

    // Two commits between checks are one change; the data read afterwards has both.
    insertRun(writer, 'b');
    insertRun(writer, 'c');
    expect(detector.check().kind).toBe('changed');
    expect(runCount(detector)).toBe(3);
    detector.close();
  });

  it('sees a commit that leaves the WAL the same size (data_version, not file stats, decides)', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'a');
    const detector = detectorFor(path);
    detector.check();
    const update = writer.prepare(`UPDATE agent_run_history SET meta_json = ? WHERE run_id = 'a'`);
    const progress = (second: number) =>
      update.run(`{"codex_active": true, "last_progress_at": "2026-03-15T11:00:${second}.000000Z"}`);
    progress(10);
    expect(detector.check().kind).toBe('changed');
    const size = statSync(`${path}-wal`).size;
    // After a RESTART checkpoint the next commit overwrites the WAL from its start: same size.
    writer.pragma('wal_checkpoint(RESTART)');
    progress(11);
    expect(statSync(`${path}-wal`).size).toBe(size);
    expect(detector.check().kind).toBe('changed');
    expect(detector.check().kind).toBe('unchanged');
    detector.close();
  });

  it('does not count a checkpoint as a change, and holds no read transaction between checks', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'a');
    const detector = detectorFor(path);
    detector.check();
    for (let i = 0; i < 3; i++) {
      // The checkpoint can only truncate the WAL if no reader holds a snapshot.
      const [result] = writer.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      expect(result!.busy).toBe(0);
      expect(statSync(`${path}-wal`).size).toBe(0);
      expect(detector.check().kind).toBe('unchanged');
    }
    expect(detector.checkpointsIgnored).toBeGreaterThan(0);
    // A commit followed by a checkpoint before the next check is still a change.
    insertRun(writer, 'b');
    writer.pragma('wal_checkpoint(TRUNCATE)');
    expect(detector.check().kind).toBe('changed');
    expect(runCount(detector)).toBe(2);
    detector.close();
  });

  it('reopens a file replaced under it and shows the new data', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'old');
    const detector = detectorFor(path);
    expect(detector.check().kind).toBe('reopened');
    const oldDb = detector.database;
    expect(runCount(detector)).toBe(1);

    // MergeXO re-initialised elsewhere and moved into place (a new inode at the same path).
    const staging = createDb(join(root, `staging-${++counter}`, 'state.db'));
    insertRun(staging.writer, 'new-1');
    insertRun(staging.writer, 'new-2');
    staging.writer.pragma('wal_checkpoint(TRUNCATE)');
    staging.writer.close();
    writer.close();
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    renameSync(staging.path, path);

    const result = detector.check();
    expect(result.kind).toBe('reopened');
    expect(detector.database).not.toBe(oldDb);
    expect(runCount(detector)).toBe(2);
    expect(detector.check().kind).toBe('unchanged');
    detector.close();
  });

  it('reports missing when deleted (once, then as a repeat) and reopens when it comes back', () => {
    const { path, writer } = createDb();
    const detector = detectorFor(path);
    detector.check();
    writer.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });

    const gone = detector.check();
    expect(gone).toMatchObject({ kind: 'missing', repeat: false, dataVersion: null, lastWriteMs: null });
    expect(gone.error).toContain('does not exist');
    expect(detector.database).toBeUndefined();
    expect(detector.check()).toMatchObject({ kind: 'missing', repeat: true });

    const again = createDb(path);
    insertRun(again.writer, 'x');
    expect(detector.check().kind).toBe('reopened');
    expect(runCount(detector)).toBe(1);
    detector.close();
  });

  it('reopens when the side files are deleted and re-created beside the same state.db', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'a');
    const detector = detectorFor(path);
    detector.check();
    writer.pragma('wal_checkpoint(TRUNCATE)');
    writer.close();
    // Someone removed the -wal and -shm while our connection still had them open.
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    const next = new Database(path);
    open.push(next);
    next.pragma('journal_mode = WAL');
    insertRun(next, 'b');
    expect(detector.check().kind).toBe('reopened');
    expect(runCount(detector)).toBe(2);
    detector.close();
  });

  it('reports a non-database file as an error with a typed cause, retrying only when it changes', () => {
    const dir = join(root, `bad-${++counter}`);
    mkdirSync(dir);
    const path = join(dir, 'state.db');
    writeFileSync(path, 'this is not a database, just text that happens to be long enough');
    let clock = 0;
    let opens = 0;
    const detector = new ChangeDetector(
      path,
      (p) => {
        opens++;
        return MergexoDatabase.open(p, { driver });
      },
      { now: () => clock, retryMs: 1000 },
    );
    const first = detector.check();
    expect(first).toMatchObject({ kind: 'error', repeat: false });
    expect(first.error).toContain('not an SQLite database');
    expect(first.cause).toBeInstanceOf(OpenError);
    expect((first.cause as OpenError).kind).toBe('not-a-database');
    expect(detector.check()).toMatchObject({ kind: 'error', repeat: true });
    expect(opens).toBe(1); // same file, within retryMs: no second open
    clock = 1000;
    detector.check();
    expect(opens).toBe(2); // retried after retryMs

    // The file becomes a real database: seen at the next check.
    rmSync(path);
    const { writer } = createDb(path);
    insertRun(writer, 'a');
    expect(detector.check().kind).toBe('reopened');
    expect(runCount(detector)).toBe(1);
    detector.close();
  });

  it('reports a directory at the path as an error, not as missing', () => {
    const path = join(root, `dir-${++counter}`, 'state.db');
    mkdirSync(path, { recursive: true });
    const result = detectorFor(path).check();
    expect(result.kind).toBe('error');
    expect((result.cause as OpenError).kind).toBe('not-a-file');
  });

  it('reports a data_version error, keeps the connection, and asks for a refresh after recovery', () => {
    const { path, writer } = createDb();
    let failing = false;
    const detector = new ChangeDetector(path, (p) => {
      const db = MergexoDatabase.open(p, { driver });
      const real = db.dataVersion.bind(db);
      db.dataVersion = () => {
        if (failing) throw new Error('database is locked');
        return real();
      };
      return db;
    });
    detector.check();
    const db = detector.database;
    failing = true;
    insertRun(writer, 'a');
    expect(detector.check()).toMatchObject({ kind: 'error', error: expect.stringContaining('locked') });
    expect(detector.check().repeat).toBe(true);
    failing = false;
    expect(detector.check().kind).toBe('changed');
    expect(detector.database).toBe(db);
    expect(detector.check().kind).toBe('unchanged');
    detector.close();
  });

  it('reports when the service last wrote (mtime of state.db or its WAL)', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'a');
    const detector = detectorFor(path);
    const result = detector.check();
    const expected = Math.max(statSync(path).mtimeMs, statSync(`${path}-wal`).mtimeMs);
    expect(result.lastWriteMs).toBe(expected);
    detector.close();
  });
});

describe('WAL-index header', () => {
  it('moves its commit counter on commits and only its salts on a checkpoint reset', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'a');
    const first = readWalIndexHeader(`${path}-shm`)!;
    expect(first).not.toBeNull();
    insertRun(writer, 'b');
    const second = readWalIndexHeader(`${path}-shm`)!;
    expect(second.change).toBe(first.change + 1);
    expect(isWalResetOnly(first, second)).toBe(false);
    writer.pragma('wal_checkpoint(TRUNCATE)');
    const reset = readWalIndexHeader(`${path}-shm`)!;
    expect(reset.change).toBe(second.change);
    expect(isWalResetOnly(second, reset)).toBe(true);
  });

  it('is unreadable (so every data_version move counts) for absent, short or foreign files', () => {
    const dir = join(root, `shm-${++counter}`);
    mkdirSync(dir);
    expect(readWalIndexHeader(join(dir, 'none-shm'))).toBeNull();
    writeFileSync(join(dir, 'short-shm'), Buffer.alloc(40));
    expect(readWalIndexHeader(join(dir, 'short-shm'))).toBeNull();
    writeFileSync(join(dir, 'zero-shm'), Buffer.alloc(32768));
    expect(readWalIndexHeader(join(dir, 'zero-shm'))).toBeNull();
    const header = { change: 3, salt1: 1, salt2: 2 };
    expect(isWalResetOnly(null, header)).toBe(false);
    expect(isWalResetOnly(header, null)).toBe(false);
    expect(isWalResetOnly(header, { ...header })).toBe(false);
  });
});

describe('ChangeDetector without a driver-specific opener', () => {
  it('turns an exception from stat into an error result instead of throwing', () => {
    // A NUL byte makes stat throw (ERR_INVALID_ARG_VALUE) rather than report a missing file.
    const detector = new ChangeDetector(join(root, 'bad\0name', 'state.db'), () => {
      throw new Error('not reached');
    });
    const result = detector.check();
    expect(result.kind).toBe('error');
    expect(result.error).toMatch(/Unable to read the MergeXO database/);
  });

  it('reports a path under a regular file as missing', () => {
    const file = join(root, `plain-${++counter}`);
    writeFileSync(file, 'x');
    const detector = new ChangeDetector(join(file, 'state.db'), () => {
      throw new Error('not reached');
    });
    expect(detector.check().kind).toBe('missing');
  });

  it('follows a writer that opens and closes a connection per operation (as MergeXO does)', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'seed');
    writer.close(); // the last connection: checkpoints and deletes the -wal and -shm
    expect(() => statSync(`${path}-wal`)).toThrow();
    const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p));
    expect(detector.check().kind).toBe('reopened');
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const once = new Database(path, { timeout: 5000 });
      once.pragma('journal_mode = WAL');
      insertRun(once, `op-${i}`);
      once.close();
      kinds.push(detector.check().kind, detector.check().kind);
    }
    // Each operation is one change; the side files the writer created are adopted, not "replaced".
    expect(kinds).toEqual(Array.from({ length: 5 }, () => ['changed', 'unchanged']).flat());
    expect(runCount(detector)).toBe(6);
    detector.close();
  });
});

/** Timers driven by hand: `advance(ms)` fires everything due, in order. */
function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: LoopTimers = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of pending) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { timers, advance, now: () => now, pendingCount: () => pending.size };
}

const result = (kind: ChangeCheck['kind'], repeat = false): ChangeCheck => ({
  kind,
  repeat,
  durationMs: 0.01,
  dataVersion: 1,
  lastWriteMs: 0,
});

describe('RefreshLoop', () => {
  it('checks at start, then every pollMs; notifies only on reported changes', () => {
    const clock = fakeTimers();
    const script: ChangeCheck[] = [
      result('reopened'),
      result('unchanged'),
      result('changed'),
      result('unchanged'),
    ];
    const seen: string[] = [];
    const checkTimes: number[] = [];
    const loop = new RefreshLoop({
      check: () => {
        checkTimes.push(clock.now());
        return script.shift() ?? result('unchanged');
      },
      onChange: (r) => seen.push(r.kind),
      pollMs: 500,
      timers: clock.timers,
    });
    loop.start();
    clock.advance(2000);
    expect(checkTimes).toEqual([0, 500, 1000, 1500, 2000]);
    expect(seen).toEqual(['reopened', 'changed']);
    expect(loop.stats).toMatchObject({ checks: 5, notified: 2 });
    expect(loop.stats.byKind).toMatchObject({ unchanged: 3, changed: 1, reopened: 1 });
    loop.stop();
    clock.advance(5000);
    expect(checkTimes).toHaveLength(5);
    expect(clock.pendingCount()).toBe(0);
  });

  it('coalesces a burst of file events into one check debounceMs after the first', () => {
    const clock = fakeTimers();
    const checkTimes: number[] = [];
    const loop = new RefreshLoop({
      check: () => {
        checkTimes.push(clock.now());
        return result('changed');
      },
      onChange: () => undefined,
      pollMs: 1000,
      debounceMs: 100,
      timers: clock.timers,
    });
    loop.start(); // check at 0, next poll at 1000
    clock.advance(300);
    for (let i = 0; i < 10; i++) {
      loop.poke(); // events every 20 ms from 300 to 480
      clock.advance(20);
    }
    // The first event (300) is checked at 400 however many follow; the events from 400 on form the
    // next batch, checked at 500. Each check restarts the poll period.
    expect(checkTimes).toEqual([0, 400, 500]);
    clock.advance(2000);
    expect(checkTimes).toEqual([0, 400, 500, 1500, 2500]);
    loop.stop();
  });

  it('ignores pokes while stopped and checks on demand', () => {
    const clock = fakeTimers();
    let checks = 0;
    const loop = new RefreshLoop({
      check: () => (checks++, result('unchanged')),
      onChange: () => undefined,
      timers: clock.timers,
    });
    loop.poke();
    clock.advance(5000);
    expect(checks).toBe(0);
    expect(loop.checkNow().kind).toBe('unchanged');
    expect(checks).toBe(1);
    expect(clock.pendingCount()).toBe(0); // a manual check does not start polling
  });

  it('does not notify repeats of missing or error, and survives a throwing callback', () => {
    const clock = fakeTimers();
    const script = [result('missing'), result('missing', true), result('missing', true), result('reopened')];
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new RefreshLoop({
      check: () => script.shift() ?? result('unchanged'),
      onChange: () => {
        calls++;
        throw new Error('view failed');
      },
      onError: (error) => errors.push(error),
      pollMs: 100,
      timers: clock.timers,
    });
    loop.start();
    clock.advance(500);
    expect(calls).toBe(2);
    expect(loop.stats.callbackErrors).toBe(2);
    expect(errors).toHaveLength(2);
    expect(loop.isRunning).toBe(true);
    loop.stop();
  });

  it('makes zero notifications over 5 simulated minutes of silence on a real database', () => {
    const { path, writer } = createDb();
    insertRun(writer, 'a');
    const detector = new ChangeDetector(path, (p) => MergexoDatabase.open(p));
    const clock = fakeTimers();
    const notified: ChangeCheck[] = [];
    const loop = new RefreshLoop({
      check: () => detector.check(),
      onChange: (r) => notified.push(r),
      pollMs: 1000,
      timers: clock.timers,
    });
    loop.start();
    expect(notified.map((r) => r.kind)).toEqual(['reopened']);
    // The writer checkpoints during the silence: file stats and data_version move, data does not.
    writer.pragma('wal_checkpoint(TRUNCATE)');
    clock.advance(5 * 60_000);
    expect(loop.stats.checks).toBe(301);
    expect(notified).toHaveLength(1);
    // And the first commit after the silence is seen at the next poll.
    insertRun(writer, 'b');
    clock.advance(1000);
    expect(notified.map((r) => r.kind)).toEqual(['reopened', 'changed']);
    loop.stop();
    detector.close();
  });
});
