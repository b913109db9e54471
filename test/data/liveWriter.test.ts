// The change detector against a real writer process imitating MergeXO (WAL mode, one IMMEDIATE
// transaction per call, periodic wal_checkpoint(TRUNCATE)). The writer reports the wall-clock time
// around each commit; the reader's poll loop records when each check started and what it said.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChangeDetector, type ChangeCheck } from '../../src/data/changes';
import { MergexoDatabase } from '../../src/data/database';
import { probeService } from '../../src/data/liveness';
import { RefreshLoop, type LoopTimers } from '../../src/data/refreshLoop';
import type { DriverName } from '../../src/data/sqlite';

const WRITER = join(__dirname, '..', 'support', 'writerProcess.mjs');
const root = mkdtempSync(join(tmpdir(), 'mergexo-live-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a reader can count; every field only grows (see writerProcess.mjs). */
interface Tallies {
  runs: number;
  finished: number;
  history: number;
  feedback: number;
  progress: number;
}
interface Commit {
  type: 'commit';
  seq: number;
  op: string;
  beganMs: number;
  endMs: number;
  expect?: Tallies;
}
interface Checkpoint {
  type: 'checkpoint';
  result: { busy: number; log: number; checkpointed: number };
  walSize: number | null;
}
type WriterMessage =
  | Commit
  | Checkpoint
  | { type: 'ready'; pid: number }
  | { type: 'done'; counts: Record<string, number> }
  | { type: 'locked' | 'recreated' | 'deleted' }
  | { type: 'error'; message: string };

/** A forked writer (same Node binary as the tests) and everything it has said. */
class Writer {
  readonly messages: WriterMessage[] = [];
  private waiters: Array<{ type: string; resolve: (m: WriterMessage) => void }> = [];
  readonly child: ChildProcess;

  constructor() {
    this.child = fork(WRITER, [], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: WriterMessage) => {
      this.messages.push(message);
      if (message.type === 'error') throw new Error(`writer: ${message.message}`);
      const index = this.waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    });
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message);
  }

  /** Resolves with the next message of this type (sent after the call). */
  next<T extends WriterMessage['type']>(type: T): Promise<Extract<WriterMessage, { type: T }>> {
    return new Promise((resolve) =>
      this.waiters.push({ type, resolve: resolve as (m: WriterMessage) => void }),
    );
  }

  commits(): Commit[] {
    return this.messages.filter((m): m is Commit => m.type === 'commit');
  }

  checkpoints(): Checkpoint[] {
    return this.messages.filter((m): m is Checkpoint => m.type === 'checkpoint');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

const writers: Writer[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.stop()));
});

async function startWriter(file: string, extra: Record<string, unknown> = {}): Promise<Writer> {
  const writer = new Writer();
  writers.push(writer);
  const ready = writer.next('ready');
  writer.send({ cmd: 'open', file, create: true, ...extra });
  await ready;
  return writer;
}

interface CheckRecord extends ChangeCheck {
  startMs: number;
  /** Read right after a check that reported a change: what a view would show from then on. */
  view?: Tallies;
}

const TALLY_SQL = `SELECT
  (SELECT count(*) FROM agent_run_history) AS runs,
  (SELECT count(*) FROM agent_run_history WHERE finished_at IS NOT NULL) AS finished,
  (SELECT count(*) FROM pr_status_history) AS history,
  (SELECT count(*) FROM feedback_events) AS feedback,
  (SELECT coalesce(max(json_extract(meta_json, '$.op_seq')), 0) FROM agent_run_history) AS progress`;

function readTallies(db: MergexoDatabase): Tallies {
  const row = db.connection.readSnapshot(() => db.connection.prepare(TALLY_SQL).get())!;
  return {
    runs: Number(row.runs),
    finished: Number(row.finished),
    history: Number(row.history),
    feedback: Number(row.feedback),
    progress: Number(row.progress),
  };
}

const covers = (view: Tallies, expected: Tallies) =>
  (Object.keys(expected) as Array<keyof Tallies>).every((key) => view[key] >= expected[key]);

/** A real-timer poll loop that records every check with its start time, refreshing on change. */
function pollLoop(detector: ChangeDetector, pollMs: number, timers?: LoopTimers) {
  const checks: CheckRecord[] = [];
  const loop = new RefreshLoop({
    check: () => {
      const startMs = wallMs();
      const result = detector.check();
      const changed = result.kind === 'changed' || result.kind === 'reopened';
      checks.push({ ...result, startMs, ...(changed ? { view: readTallies(detector.database!) } : {}) });
      return result;
    },
    onChange: () => undefined,
    pollMs,
    ...(timers ? { timers } : {}),
  });
  return { loop, checks };
}

function count(db: MergexoDatabase, sql: string): number {
  return Number(db.connection.prepare(sql).get()?.n);
}

const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const POLL_MS = 50;

describe.each(DRIVERS)('live writer process (%s reader)', (driver) => {
  it('sees every commit within one poll period, checkpoints included, and then stays quiet', async () => {
    const file = join(root, `live-${driver}`, 'state.db');
    const writer = await startWriter(file);
    const detector = new ChangeDetector(file, (p) => MergexoDatabase.open(p, { driver }));
    const { loop, checks } = pollLoop(detector, POLL_MS);
    loop.start();
    expect(checks[0]!.kind).toBe('reopened');

    const done = writer.next('done');
    writer.send({ cmd: 'scenario', ops: 100, minGapMs: 2, maxGapMs: 30, checkpointEvery: 20, seed: 42 });
    const { counts } = await done;
    await sleep(POLL_MS * 3);
    loop.stop();

    const commits = writer.commits();
    expect(commits.length).toBeGreaterThanOrEqual(100);
    expect(checks.filter((c) => c.kind === 'error' || c.kind === 'missing')).toEqual([]);
    const seen = checks.filter((c) => c.kind === 'changed');
    const latencies: number[] = [];
    for (const commit of commits) {
      // The first poll that starts after the commit has ended must have reported a change (it or an
      // earlier one) whose re-read includes the commit: the views show it from that poll on.
      const firstAfter = checks.findIndex((c) => c.startMs > commit.endMs);
      expect(firstAfter, `no poll after commit ${commit.seq}`).toBeGreaterThan(0);
      const shown = checks
        .slice(0, firstAfter + 1)
        .reverse()
        .find((c) => c.view);
      expect(covers(shown!.view!, commit.expect!), `commit ${commit.seq} (${commit.op}) not shown`).toBe(
        true,
      );
      const detection = checks.find((c) => c.view && covers(c.view, commit.expect!))!;
      latencies.push(detection.startMs - commit.endMs);
    }
    // The loop really polls at its period (timer lateness in a busy test runner aside).
    const gaps = checks.slice(1).map((c, i) => c.startMs - checks[i]!.startMs);
    const sortedGaps = [...gaps].sort((a, b) => a - b);
    const medianGap = sortedGaps[sortedGaps.length >> 1]!;
    expect(medianGap).toBeGreaterThanOrEqual(POLL_MS * 0.9);
    expect(medianGap).toBeLessThanOrEqual(POLL_MS * 1.5);
    // Bursts collapse: never more changes than commits, and checkpoints add none.
    expect(seen.length).toBeLessThanOrEqual(commits.length);
    const checkpoints = writer.checkpoints();
    expect(checkpoints.length).toBe(5);
    // The reader never held a snapshot across a checkpoint: every one truncated the WAL fully.
    for (const c of checkpoints) {
      expect(c.result.busy).toBe(0);
      expect(c.walSize).toBe(0);
    }

    // What the reader sees at the end is what the writer did.
    const db = detector.database!;
    expect(count(db, 'SELECT count(*) AS n FROM agent_run_history')).toBe(counts.started);
    expect(count(db, 'SELECT count(*) AS n FROM agent_run_history WHERE finished_at IS NULL')).toBe(
      counts.live,
    );
    expect(count(db, 'SELECT count(*) AS n FROM pr_status_history')).toBe(counts.transitions);
    expect(count(db, 'SELECT count(*) AS n FROM feedback_events')).toBe(counts.feedback);
    const dashboard = db.readDashboard({ repo: null, nowMs: Date.now() }, '24h');
    expect(dashboard.totalAgents).toBe(counts.live);

    latencies.sort((a, b) => a - b);
    console.log(
      `[${driver}] ${commits.length} commits, ${seen.length} changes over ${checks.length} checks; ` +
        `shown after commit p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, ` +
        `max ${latencies[latencies.length - 1]!.toFixed(1)} ms; poll ${POLL_MS} ms, ` +
        `gap p50 ${medianGap.toFixed(1)} ms, max ${sortedGaps[sortedGaps.length - 1]!.toFixed(1)} ms`,
    );

    // Silence: the writer stays up (connection open) and checkpoints once more; no change follows.
    const quiet = pollLoop(detector, POLL_MS);
    const checkpoint = writer.next('checkpoint');
    writer.send({ cmd: 'checkpoint' });
    expect((await checkpoint).result.busy).toBe(0);
    const realEnd = wallMs() + 500;
    let realPolls = 0;
    while (wallMs() < realEnd) {
      quiet.checks.push({ ...detector.check(), startMs: wallMs() });
      realPolls++;
      await sleep(1);
    }
    expect(realPolls).toBeGreaterThan(50);
    expect(quiet.checks.filter((c) => c.kind !== 'unchanged')).toEqual([]);
    detector.close();
  });
});

/** Hand-driven timers for simulating minutes of polling in milliseconds. */
function fakeTimers() {
  let now = 0;
  const pending: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        pending.push({ at: now + ms, fn, id: nextId });
        return nextId++;
      },
      clearTimeout: (id: unknown) => {
        const index = pending.findIndex((p) => p.id === id);
        if (index >= 0) pending.splice(index, 1);
      },
    } satisfies LoopTimers,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        pending.sort((a, b) => a.at - b.at);
        const due = pending[0];
        if (!due || due.at > end) break;
        pending.shift();
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}

describe('live writer process: silence, locks, replacement', () => {
  it('makes zero refreshes in 5 simulated minutes of silence (300 polls at 1 s, fake clock)', async () => {
    const file = join(root, 'silence', 'state.db');
    const writer = await startWriter(file);
    const done = writer.next('done');
    writer.send({ cmd: 'scenario', ops: 20, minGapMs: 0, maxGapMs: 2, checkpointEvery: 0, seed: 5 });
    await done;
    const detector = new ChangeDetector(file, (p) => MergexoDatabase.open(p));
    const clock = fakeTimers();
    const refreshes: ChangeCheck[] = [];
    const loop = new RefreshLoop({
      check: () => detector.check(),
      onChange: (r) => refreshes.push(r),
      pollMs: 1000,
      timers: clock.timers,
    });
    loop.start();
    expect(refreshes.map((r) => r.kind)).toEqual(['reopened']);
    const checkpoint = writer.next('checkpoint');
    writer.send({ cmd: 'checkpoint' }); // a checkpoint is not a change
    await checkpoint;
    clock.advance(5 * 60_000);
    expect(loop.stats.checks).toBe(301);
    expect(loop.stats.byKind.unchanged).toBe(300);
    expect(refreshes).toHaveLength(1);
    loop.stop();
    detector.close();
  });

  it('answers unblocked while the writer holds BEGIN EXCLUSIVE, then sees its commit', async () => {
    const file = join(root, 'exclusive', 'state.db');
    const writer = await startWriter(file);
    const detector = new ChangeDetector(file, (p) => MergexoDatabase.open(p, { busyTimeoutMs: 2000 }));
    expect(detector.check().kind).toBe('reopened');
    const locked = writer.next('locked');
    const committed = writer.next('commit');
    writer.send({ cmd: 'exclusive', holdMs: 1000 });
    await locked;
    const during: ChangeCheck[] = [];
    while (writer.commits().length === 0) {
      during.push(detector.check());
      await sleep(25);
    }
    const commit = await committed;
    expect(during.length).toBeGreaterThan(10);
    expect(during.every((c) => c.kind === 'unchanged')).toBe(true);
    // In WAL mode the writer's lock does not stop readers: no check waited for the busy timeout.
    expect(Math.max(...during.map((c) => c.durationMs))).toBeLessThan(500);
    const after = detector.check();
    expect(after.kind).toBe('changed');
    expect(wallMs() - commit.endMs).toBeLessThan(1000);
    expect(
      count(
        detector.database!,
        "SELECT count(*) AS n FROM agent_run_history WHERE run_id LIKE 'exclusive-%'",
      ),
    ).toBe(1);
    detector.close();
  });

  it('says MergeXO is not running, with its orphaned runs, once the lock owner is killed', async () => {
    const baseDir = join(root, 'killed');
    const file = join(baseDir, 'state.db');
    const writer = await startWriter(file, { lock: true, baseDir });
    const done = writer.next('done');
    writer.send({ cmd: 'scenario', ops: 6, minGapMs: 0, maxGapMs: 1, checkpointEvery: 0, seed: 3 });
    const { counts } = await done;
    expect(counts.live).toBeGreaterThan(0);
    const db = MergexoDatabase.open(file);
    const active = db.readDashboard({ repo: null, nowMs: Date.now() }, '24h').totalAgents;
    expect(active).toBe(counts.live);
    const rest = {
      lastWriteMs: Date.now(),
      nowMs: Date.now(),
      refreshPeriodMs: 1000,
      activeRunCount: active,
    };

    const alive = probeService(baseDir, rest);
    expect(alive).toMatchObject({ running: 'yes', reason: 'lock-owner-alive' });
    expect(alive.lock).toMatchObject({ state: 'held', pid: writer.child.pid, command: 'service' });

    await writer.stop(); // SIGKILL: the lock file stays behind, naming a dead pid
    const dead = probeService(baseDir, rest);
    expect(dead).toMatchObject({
      running: 'no',
      reason: 'lock-owner-gone',
      severity: 'warning',
      orphanedRuns: active,
    });
    expect(dead.message).toContain(`${active} run`);
    expect(dead.message).toContain('left by a stopped service');
    db.close();
  });

  it('follows MergeXO re-initialising the file (reopened) and deleting it (missing, then back)', async () => {
    const file = join(root, 'reinit', 'state.db');
    const writer = await startWriter(file);
    const done = writer.next('done');
    writer.send({ cmd: 'scenario', ops: 10, minGapMs: 0, maxGapMs: 1, checkpointEvery: 0, seed: 9 });
    const { counts } = await done;
    const detector = new ChangeDetector(file, (p) => MergexoDatabase.open(p));
    expect(detector.check().kind).toBe('reopened');
    expect(count(detector.database!, 'SELECT count(*) AS n FROM agent_run_history')).toBe(counts.started);

    const recreated = writer.next('recreated');
    writer.send({ cmd: 'recreate', runs: 2 });
    await recreated;
    expect(detector.check().kind).toBe('reopened');
    expect(count(detector.database!, 'SELECT count(*) AS n FROM agent_run_history')).toBe(2);
    expect(
      count(
        detector.database!,
        "SELECT count(*) AS n FROM agent_run_history WHERE repo_full_name = 'acme/fresh'",
      ),
    ).toBe(2);
    expect(detector.check().kind).toBe('unchanged');

    const deleted = writer.next('deleted');
    writer.send({ cmd: 'delete' });
    await deleted;
    expect(detector.check()).toMatchObject({ kind: 'missing', repeat: false });
    expect(detector.check()).toMatchObject({ kind: 'missing', repeat: true });
    expect(detector.database).toBeUndefined();

    const back = writer.next('recreated');
    writer.send({ cmd: 'recreate', runs: 3 });
    await back;
    expect(detector.check().kind).toBe('reopened');
    expect(count(detector.database!, 'SELECT count(*) AS n FROM agent_run_history')).toBe(3);
    detector.close();
  });
});
