// A writer holding a lock for 7 seconds. What actually keeps a reader out:
// - In WAL mode (MergeXO's), BEGIN EXCLUSIVE does NOT block readers: they keep reading the last
//   committed snapshot from the WAL, never wait, and see the commit on the next poll.
// - A WAL writer in `PRAGMA locking_mode=EXCLUSIVE` does, but it can only take that lock when no
//   other connection is open (with ours open, it fails at once); so it can only keep us from opening.
// - A rollback-journal database under BEGIN EXCLUSIVE blocks every read until COMMIT.
// In the blocking cases the data layer must not hang its caller: each read gives up within the busy
// timeout (≤ 250 ms) with an error `isBusyError` recognises, the last data stays available as stale
// data, and the next poll after the lock is released recovers without help.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { createMergexoDb, MergexoWriter } from '../../tools/mergexo-writer.mjs';
import { ChangeDetector } from '../../src/data/changes';
import { MergexoDatabase } from '../../src/data/database';
import { DEFAULT_BUSY_TIMEOUT_MS, isBusyError, OpenError, type DriverName } from '../../src/data/sqlite';
import { DashboardStore } from '../../src/host/dashboard';
import { MergexoSession } from '../../src/host/dataSession';
import { memoryLog } from '../../src/log';
import { Child } from './support/children';

const HOLD_MS = 7000;
const POLL_MS = 100;
/** The busy timeout plus scheduling slack on a loaded 2-core machine; far below the 7 s hold. */
const FAIL_FAST_MS = DEFAULT_BUSY_TIMEOUT_MS + 350;
const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const LOCK_HOLDER = join(__dirname, 'support', 'lockHolder.mjs');
const MERGEXO_WRITER = join(__dirname, '..', 'support', 'writerProcess.mjs');

const root = mkdtempSync(join(tmpdir(), 'mergexo-locks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wallMs = () => performance.timeOrigin + performance.now();

/** A child process killed when the test that started it ends (the tests here run concurrently). */
function spawn(modulePath: string, context: TestContext): Child {
  const child = new Child(modulePath);
  context.onTestFinished(() => child.stop());
  return child;
}

/** A MergeXO database with three active runs, written and closed before any reader opens it. */
function seed(name: string, journal: 'wal' | 'rollback'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'state.db');
  const db = createMergexoDb(file);
  const writer = new MergexoWriter(db, { seed: 3 });
  for (let issue = 1; issue <= 3; issue++) writer.startRun({ repo: 'acme/widgets', issue, flow: 'bugfix' });
  if (journal === 'rollback') db.pragma('journal_mode = DELETE');
  db.close();
  return file;
}

function runCount(db: MergexoDatabase): number {
  return Number(db.connection.prepare('SELECT count(*) AS n FROM agent_run_history').get()?.n);
}

interface Poll {
  atMs: number;
  kind: string;
  durationMs: number;
  busy: boolean;
  /** What a view shows after this poll: the last good read, and since when it is stale. */
  shownRuns: number | undefined;
  staleSinceMs: number | undefined;
  error?: string;
}

/**
 * The extension's refresh reduced to its data-layer calls: check, read on change, and on a busy
 * error keep the last read, marked stale from the first failed poll.
 */
function viewer(detector: ChangeDetector) {
  const polls: Poll[] = [];
  let shownRuns: number | undefined;
  let staleSinceMs: number | undefined;
  const poll = () => {
    const atMs = wallMs();
    const started = performance.now();
    const check = detector.check();
    let busy = check.kind === 'error' && isBusyError(check.cause);
    let error = check.error;
    if ((check.kind === 'changed' || check.kind === 'reopened') && detector.database) {
      try {
        const db = detector.database;
        shownRuns = db.connection.readSnapshot(() => {
          db.readDashboard({ repo: null, nowMs: Date.now() }, '24h');
          return runCount(db);
        });
        staleSinceMs = undefined;
      } catch (caught) {
        busy = isBusyError(caught);
        error = String(caught);
      }
    }
    if (busy) staleSinceMs ??= atMs;
    polls.push({
      atMs,
      kind: check.kind,
      durationMs: performance.now() - started,
      busy,
      shownRuns,
      staleSinceMs,
      ...(error && !busy ? { error } : {}),
    });
  };
  return { polls, poll };
}

/** Polls every POLL_MS until `until` resolves, then a little longer to see the recovery. */
async function pollUntil(poll: () => void, until: Promise<unknown>, afterMs = 3000): Promise<number> {
  let done = false;
  let doneAtMs = 0;
  void until.then(() => {
    done = true;
    doneAtMs = wallMs();
  });
  while (!done || wallMs() - doneAtMs < afterMs) {
    poll();
    await sleep(POLL_MS);
  }
  return doneAtMs;
}

it('reads time out quickly by default (a refresh never waits long on a lock)', () => {
  expect(DEFAULT_BUSY_TIMEOUT_MS).toBeLessThanOrEqual(250);
});

// All the 7-second holds run at once (each test owns its files and processes) to keep the file short.
describe.concurrent('locks held for 7 s', () => {
  describe.each(DRIVERS)('a writer holding a lock for 7 s (%s reader)', { timeout: 40_000 }, (driver) => {
    it('WAL + BEGIN EXCLUSIVE: readers are not blocked; they see the commit on the next poll', async (context) => {
      const file = seed(`wal-begin-${driver}`, 'wal');
      const writer = spawn(MERGEXO_WRITER, context);
      const ready = writer.next('ready');
      writer.send({ cmd: 'open', file });
      await ready;
      const detector = new ChangeDetector(file, (path) => MergexoDatabase.open(path, { driver }));
      const view = viewer(detector);
      view.poll();
      expect(view.polls[0]).toMatchObject({ kind: 'reopened', shownRuns: 3 });

      const locked = writer.next('locked');
      const committed = writer.next('commit');
      writer.send({ cmd: 'exclusive', holdMs: HOLD_MS });
      await locked;
      const lockedAtMs = wallMs();
      const releasedAtMs = await pollUntil(view.poll, committed, 1000);
      const during = view.polls.filter((p) => p.atMs > lockedAtMs && p.atMs < releasedAtMs - POLL_MS);
      // Other readers in this file block the shared event loop now and then; still many polls.
      expect(during.length).toBeGreaterThan(10);
      for (const poll of during) {
        expect(poll).toMatchObject({ kind: 'unchanged', busy: false, shownRuns: 3, staleSinceMs: undefined });
        // Never waited for the lock (generous slack for a loaded machine; a wait would be the 250 ms).
        expect(poll.durationMs).toBeLessThan(200);
      }
      // The poll after the commit shows the new run (the poll that saw it change may be the one in flight).
      const after = view.polls.filter((p) => p.atMs > releasedAtMs);
      expect(after[0]).toMatchObject({ busy: false, shownRuns: 4 });
      expect(view.polls.filter((p) => p.kind === 'changed').map((p) => p.shownRuns)).toEqual([4]);
      detector.close();
    });

    it(
      'rollback journal + BEGIN EXCLUSIVE: each read fails fast as busy, the last data stays, ' +
        'then recovers',
      async (context) => {
        const file = seed(`rollback-${driver}`, 'rollback');
        const detector = new ChangeDetector(file, (path) => MergexoDatabase.open(path, { driver }));
        const view = viewer(detector);
        view.poll();
        expect(view.polls[0]).toMatchObject({ kind: 'reopened', shownRuns: 3 });
        const holder = spawn(LOCK_HOLDER, context);
        const locked = holder.next<{ type: string; atMs: number }>('locked');
        const released = holder.next('released');
        holder.send({ cmd: 'hold', file, mode: 'rollback-exclusive', holdMs: HOLD_MS });
        const { atMs: lockedAtMs } = await locked;

        // A direct read (not through the detector) fails the same way, typed, within the timeout.
        const db = detector.database!;
        const started = performance.now();
        let direct: unknown;
        try {
          db.readDashboard({ repo: null, nowMs: Date.now() }, '24h');
        } catch (error) {
          direct = error;
        }
        expect(isBusyError(direct)).toBe(true);
        expect(performance.now() - started).toBeLessThan(FAIL_FAST_MS);

        const releasedAtMs = await pollUntil(view.poll, released);
        const during = view.polls.filter((p) => p.atMs > lockedAtMs && p.atMs < releasedAtMs - FAIL_FAST_MS);
        expect(during.length).toBeGreaterThanOrEqual(6);
        for (const poll of during) {
          expect(poll).toMatchObject({ kind: 'error', busy: true, shownRuns: 3 });
          expect(poll.durationMs).toBeLessThan(FAIL_FAST_MS);
          expect(poll.staleSinceMs).toBe(during[0]!.staleSinceMs);
        }
        // Marked stale at the first poll after the lock was taken (polls of the other tests share the loop).
        expect(during[0]!.staleSinceMs! - lockedAtMs).toBeLessThan(1500);
        // Recovered by itself: the first poll after the release re-reads and shows the committed run.
        // The read right after the commit is the poll in flight or the next one; either way it is not stale.
        const after = view.polls.filter((p) => p.atMs > releasedAtMs);
        expect(after[0]).toMatchObject({ busy: false, shownRuns: 4, staleSinceMs: undefined });
        expect(view.polls.filter((p) => p.kind === 'changed').map((p) => p.shownRuns)).toEqual([4]);
        expect(view.polls.filter((p) => p.error)).toEqual([]);
        detector.close();
      },
    );

    it(
      'WAL + locking_mode=EXCLUSIVE: refused while we are connected; before we connect, opening fails ' +
        'fast as busy, then recovers',
      async (context) => {
        // With our connection open, a writer cannot take the exclusive lock at all.
        const file = seed(`wal-locking-${driver}`, 'wal');
        const connected = MergexoDatabase.open(file, { driver });
        const refused = spawn(LOCK_HOLDER, context);
        const refusal = refused.next('locked');
        refused.send({ cmd: 'hold', file, mode: 'wal-locking-exclusive', holdMs: 100, busyTimeoutMs: 300 });
        await expect(refusal).rejects.toThrow(/SqliteError: database is locked/);
        await refused.stop();
        expect(runCount(connected)).toBe(3);
        connected.close();

        const holder = spawn(LOCK_HOLDER, context);
        const locked = holder.next<{ type: string; atMs: number }>('locked');
        const released = holder.next<{ type: string; atMs: number }>('released');
        holder.send({ cmd: 'hold', file, mode: 'wal-locking-exclusive', holdMs: HOLD_MS });
        const { atMs: lockedAtMs } = await locked;
        const detector = new ChangeDetector(file, (path) => MergexoDatabase.open(path, { driver }));
        const first = detector.check();
        expect(first.kind).toBe('error');
        expect(first.cause).toBeInstanceOf(OpenError);
        expect(isBusyError(first.cause)).toBe(true);
        expect(first.error).toContain('another process holds a lock on it');
        expect(first.durationMs).toBeLessThan(FAIL_FAST_MS);
        const view = viewer(detector);
        const releasedAtMs = await pollUntil(view.poll, released);
        const during = view.polls.filter((p) => p.atMs > lockedAtMs && p.atMs < releasedAtMs - FAIL_FAST_MS);
        expect(during.length).toBeGreaterThanOrEqual(6);
        for (const poll of during) {
          expect(poll.kind).toBe('error');
          expect(poll.durationMs).toBeLessThan(FAIL_FAST_MS);
        }
        // The detector retries a failed open when the files change or after its retry period (2 s).
        // (The poll that opens may have started just before the release and waited for it.)
        const reopened = view.polls.filter((p) => p.kind === 'reopened');
        expect(reopened).toHaveLength(1);
        expect(reopened[0]).toMatchObject({ shownRuns: 4, busy: false });
        const openedAtMs = reopened[0]!.atMs + reopened[0]!.durationMs;
        // It saw the holder's last commit (4 runs above), so it opened after the lock; the release
        // message itself can arrive late on a loaded machine, so only the upper bound is timed.
        const { atMs: letGoAtMs } = await released;
        expect(openedAtMs - letGoAtMs).toBeLessThan(2000 + 2 * POLL_MS + FAIL_FAST_MS);
        detector.close();
      },
    );
  });

  describe(
    'the extension keeps showing the last data while MergeXO holds a lock',
    { timeout: 30_000 },
    () => {
      it('DashboardStore still returns the last dashboard during a 7 s lock and the new one after', async (context) => {
        const file = seed('session-rollback', 'rollback');
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
          watchFiles: false,
        });
        const store = new DashboardStore(
          session,
          { stallThresholdSeconds: () => 600, probeService: false },
          log,
        );
        try {
          session.start();
          for (let i = 0; i < 40 && session.state.kind !== 'open'; i++) await sleep(25);
          expect(session.state.kind).toBe('open');
          expect(store.current()?.snapshot.totalAgents).toBe(3);

          const holder = spawn(LOCK_HOLDER, context);
          const locked = holder.next('locked');
          const released = holder.next('released');
          holder.send({ cmd: 'hold', file, mode: 'rollback-exclusive', holdMs: HOLD_MS });
          await locked;
          const seen: Array<{ state: string; agents: number | undefined; stale: boolean }> = [];
          let done = false;
          void released.then(() => (done = true));
          while (!done) {
            await sleep(250);
            if (!done)
              seen.push({
                state: session.state.kind,
                agents: store.current()?.snapshot.totalAgents,
                stale: session.staleSince !== undefined,
              });
          }
          expect(seen.length).toBeGreaterThan(8);
          // The views draw from store.current(): it must keep the last data (3 agents), not go empty.
          // (The last sample may already see the holder's commit, made just before it reported release.)
          expect(seen.slice(0, -1).filter((s) => s.agents !== 3)).toEqual([]);
          expect([3, 4]).toContain(seen.at(-1)?.agents);
          expect(seen.filter((s) => s.state !== 'open')).toEqual([]);
          // The views and status bar say the figures are stale while the lock lasts.
          expect(seen.filter((s) => s.stale).length).toBeGreaterThan(seen.length / 2);
          const deadline = Date.now() + 3000;
          while (store.current()?.snapshot.totalAgents !== 4 && Date.now() < deadline) await sleep(50);
          expect(session.state.kind).toBe('open');
          expect(store.current()?.snapshot.totalAgents).toBe(4);
          // A good read clears the stale mark again.
          expect(session.staleSince).toBeUndefined();
        } finally {
          store.dispose();
          session.dispose();
        }
      });
    },
  );
});
